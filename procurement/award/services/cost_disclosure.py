"""The cost-disclosure step after winner selection (RULES.md 10, batch 11).

A valid bid whose comparable price is below ``cost_disclosure_ratio`` x the lot's anchor files a
cost breakdown within ``cost_disclosure_days`` of the opening. The step records that requirement
on the bid (a ``CostDisclosure``, saved with the run) so pages can list it, and judges each
winning bid: a filed breakdown keeps the win; before the deadline the outcome says by when it is
due; after it, with ``cost_disclosure_required``, the win is void with that reason (the other
winners stand, and the winner count, volume ratio and allocation follow from them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from procurement.award.errors import CostBreakdownDue, CostDisclosureRunOutdated
from procurement.award.models import AwardRun
from procurement.award.selection import BidOutcome, Outcome, SelectionResult
from procurement.award.services.inputs import LotInputs
from procurement.bidding.costs import (
    disclosure_deadline,
    disclosure_threshold,
    in_time,
    needs_breakdown,
)
from procurement.bidding.models import Bid, CostDisclosure
from procurement.catalog.rules import RulesSet
from procurement.core.messages import Message

WINNING = (Outcome.WON, Outcome.REVIVED)


def disclose_costs(
    selection: SelectionResult, item: LotInputs, rules: RulesSet, now: datetime
) -> SelectionResult:
    """The selection with each winner judged on its cost breakdown (unchanged when the rules
    have no cost disclosure or the lot has no anchor)."""
    sel = rules.selection
    session = object_session(item.bids[0]) if item.bids else None
    if not sel.cost_disclosure or selection.anchor is None or session is None:
        return selection
    threshold = disclosure_threshold(selection.anchor, sel.cost_disclosure_ratio)
    bids = {str(b.id): b for b in item.bids}
    kept = _disclosures(session, item.bids)
    outcomes = []
    for o in selection.outcomes:
        bid = bids[o.bid_id]
        disclosure = kept.get(bid.id)
        price = o.comparable_price
        if o.rank is None or price is None or not needs_breakdown(price, threshold):
            if disclosure is not None and not disclosure.filed:
                session.delete(disclosure)  # asked by an earlier run, no longer
            outcomes.append(o)
            continue
        if disclosure is None:
            disclosure = CostDisclosure(
                bid_id=bid.id,
                tender_id=bid.tender_id,
                manufacturer_id=bid.manufacturer_id,
                found_at=now,
            )
            session.add(disclosure)
        assert bid.opened_at is not None  # only opened bids reach the award
        disclosure.comparable_price, disclosure.threshold = price, threshold
        disclosure.due_at = disclosure_deadline(bid.opened_at, sel.cost_disclosure_days)
        outcomes.append(_judged(o, disclosure, sel.cost_disclosure_required, now))
    return _with_outcomes(selection, tuple(outcomes))


def _disclosures(session: Session, bids: list[Bid]) -> dict[int, CostDisclosure]:
    query = select(CostDisclosure).where(CostDisclosure.bid_id.in_([b.id for b in bids]))
    return {d.bid_id: d for d in session.scalars(query)}


def _as_message(reason: str) -> Message:
    return reason if isinstance(reason, Message) else Message(reason)


def _judged(o: BidOutcome, d: CostDisclosure, required: bool, now: datetime) -> BidOutcome:
    d.win_void = False
    if o.outcome not in WINNING:
        return o
    reason, due = _as_message(o.reason), d.due_date.isoformat()
    if d.filed:
        return replace(o, reason=Message("{reason}; cost breakdown filed", reason=reason))
    if in_time(now, d.due_at):
        return replace(
            o, reason=Message("{reason}; cost breakdown due by {date}", reason=reason, date=due)
        )
    if not required:
        return replace(
            o,
            reason=Message(
                "{reason}; no cost breakdown filed by {date} (the rules keep the win)",
                reason=reason,
                date=due,
            ),
        )
    d.win_void = True
    return replace(
        o,
        outcome=Outcome.INVALID,
        award_price=None,
        award_comparable_price=None,
        reason=Message(
            "win void: no cost breakdown filed by {date} (comparable price {price} below "
            "{threshold}, the cost disclosure threshold)",
            date=due,
            price=f"{d.comparable_price:.4f}",
            threshold=f"{d.threshold:.4f}",
        ),
    )


def _with_outcomes(selection: SelectionResult, outcomes: tuple[BidOutcome, ...]) -> SelectionResult:
    result = replace(selection, outcomes=outcomes)
    void = selection.winner_count - result.winner_count
    if not void:
        return result
    if not result.winners:
        reason = Message(
            "no winner: every winning bid is void for want of a cost breakdown ({count})",
            count=void,
        )
        return replace(result, failed=True, reason=reason)
    reason = Message(
        "{reason}; {count} win(s) void for want of a cost breakdown",
        reason=_as_message(selection.reason),
        count=void,
    )
    return replace(result, reason=reason)


def require_disclosures_settled(session: Session, *, run: AwardRun, now: datetime) -> None:
    """Confirming a run waits while a winning bid's cost breakdown is due (409), and refuses a
    run computed before a deadline that has since voided one of its wins (409)."""
    rules = RulesSet.from_dict(run.rules_snapshot or {}).selection
    if not rules.cost_disclosure:
        return
    winners = [o.bid_id for lot in run.lots for o in lot.outcomes if o.outcome in WINNING]
    query = select(CostDisclosure).where(
        CostDisclosure.bid_id.in_(winners), CostDisclosure.filed_at.is_(None)
    )
    missing = list(session.scalars(query.order_by(CostDisclosure.bid_id)))
    due = [d for d in missing if in_time(now, d.due_at)]
    late = [d for d in missing if not in_time(now, d.due_at)]
    late = late if rules.cost_disclosure_required else []
    for found, error in ((due, CostBreakdownDue), (late, CostDisclosureRunOutdated)):
        if found:
            raise error(
                run_number=run.number,
                tender_code=run.tender.code,
                bids_shown=", ".join(str(d.bid_id) for d in found),
                bids=[d.bid_id for d in found],
                due=max(d.due_date for d in found).isoformat(),
            )


@dataclass
class PublicCostBreakdown:
    """A winning bid's cost breakdown as published with the results (RULES.md 10)."""

    manufacturer: str
    status: str  # filed | not_filed (the rules kept the win) | void (not filed, win void)
    unit_price: Decimal | None
    manufacturing_cost: Decimal | None = None
    period_expenses: Decimal | None = None
    profit: Decimal | None = None
    note: str | None = None


def public_cost_breakdowns(session: Session, run: AwardRun) -> dict[int, list[PublicCostBreakdown]]:
    """Per lot id, the breakdowns of the run's winners that had to file one, and the wins void
    for want of one (named, without their price: results never show a non-winning price)."""
    outcomes = [o for lot in run.lots for o in lot.outcomes]
    query = select(CostDisclosure).where(CostDisclosure.bid_id.in_([o.bid_id for o in outcomes]))
    found = {d.bid_id: d for d in session.scalars(query)}
    out: dict[int, list[PublicCostBreakdown]] = {}
    for lot in run.lots:
        for o in lot.outcomes:
            d = found.get(o.bid_id)
            if d is None or not (o.is_winner or (d.win_void and not d.filed)):
                continue
            status = "filed" if d.filed else ("void" if d.win_void else "not_filed")
            out.setdefault(lot.lot_id, []).append(
                PublicCostBreakdown(
                    o.manufacturer.name,
                    status,
                    None if status == "void" else d.bid.unit_price,  # no longer a winning price
                    d.manufacturing_cost,
                    d.period_expenses,
                    d.profit,
                    d.note,
                )
            )
    return out
