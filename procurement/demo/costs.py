"""The demo's bidders file the cost breakdowns an award run asks of them (batch 11 rules, RULES.md
10): 70 % of the unit price manufacturing cost, 20 % period expenses, the rest profit."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.bidding import services as bidding
from procurement.bidding.models import CostDisclosure
from procurement.core.money import round_unit_price
from procurement.demo.world import World

MANUFACTURING_SHARE = Decimal("0.7")
EXPENSES_SHARE = Decimal("0.2")


def file_cost_breakdowns(session: Session, world: World, tender_id: int) -> int:
    """Every breakdown still due in the tender is filed by its bidder now; returns how many."""
    due = session.scalars(
        select(CostDisclosure).where(
            CostDisclosure.tender_id == tender_id, CostDisclosure.filed_at.is_(None)
        )
    ).all()
    makers = {m.id: m for m in world.makers}
    for disclosure in due:
        price = round_unit_price(disclosure.bid.unit_price or Decimal(0))
        made = round_unit_price(price * MANUFACTURING_SHARE)
        spent = round_unit_price(price * EXPENSES_SHARE)
        bidding.file_cost_breakdown(
            session,
            bid_id=disclosure.bid_id,
            data={
                "manufacturing_cost": made,
                "period_expenses": spent,
                "profit": price - made - spent,
                "note": "",
            },
            now=world.now,
            actor=makers[disclosure.manufacturer_id].actor,
        )
    return len(due)
