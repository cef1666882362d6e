"""An institution's stock ledger per product and batch (进销存, issue 18 item 4): received,
dispensed and returned boxes counted as the codes are scanned; on hand is what is left.
Expiry alerts: stock on hand within ``TraceRules.expiry_alert_days`` (180 and 90) days of its
expiry, by the business date of the injectable clock. No-code stock is counted apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.models import Product
from procurement.catalog.rules import TraceRules
from procurement.core.clock import business_date
from procurement.core.messages import N_
from procurement.orders.models import OrderLine, PurchaseOrder
from procurement.trace.errors import NoCodeStockNotValid
from procurement.trace.scan_models import MAX_REASON, NoCodeStock, StockLine
from procurement.trace.services.lookup import OVERSIGHT

STOCK_CHANGED = "trace.stock_changed"  # session.info: {org id: when its stock last changed}


def mark_stock_changed(session: Session, org_id: int, now: datetime) -> None:
    """Note for the commit that an institution's stock on hand changed: areas downstream
    (the public finder) bring what they show of it up to date before the transaction commits."""
    session.info.setdefault(STOCK_CHANGED, {})[org_id] = now


def add_to_stock(
    session: Session,
    *,
    org_id: int,
    product_id: int,
    batch_no: str,
    expiry_date: date,
    now: datetime,
    received: int = 0,
    dispensed: int = 0,
    returned: int = 0,
) -> StockLine:
    line = session.get(StockLine, (org_id, product_id, batch_no), with_for_update=True)
    if line is None:
        line = StockLine(
            org_id=org_id,
            product_id=product_id,
            batch_no=batch_no,
            expiry_date=expiry_date,
            received=0,
            dispensed=0,
            returned=0,
            updated_at=now,
        )
        session.add(line)
    line.received += received
    line.dispensed += dispensed
    line.returned += returned
    line.updated_at = now
    mark_stock_changed(session, org_id, now)
    return line


@dataclass(frozen=True)
class LedgerRow:
    line: StockLine
    product: Product
    days_left: int  # until expiry, from today's business date
    alert_days: int | None  # the smallest alert threshold it is within (180, 90), if any


@dataclass(frozen=True)
class Ledger:
    org_id: int
    rows: list[LedgerRow]
    no_code: list[tuple[NoCodeStock, Product]]
    no_code_total: int
    today: date
    alert_days: tuple[int, ...]


def ledger(
    session: Session,
    *,
    now: datetime,
    actor: Actor,
    org_id: int | None = None,
    rules: TraceRules | None = None,
) -> Ledger:
    """The stock ledger of the actor's institution (the regulator and the fund: any)."""
    actor.require(write=False, action="see a stock ledger")
    org_id = org_id if (org_id and actor.org_kind in OVERSIGHT) else actor.org_id
    rules = rules or TraceRules()
    today = business_date(now)
    thresholds = tuple(sorted(rules.expiry_alert_days))
    rows = []
    found = session.execute(
        select(StockLine, Product)
        .join(Product, Product.id == StockLine.product_id)
        .where(StockLine.org_id == org_id)
        .order_by(StockLine.expiry_date, Product.generic_name, StockLine.batch_no)
    ).all()
    for line, product in found:
        left = (line.expiry_date - today).days
        within = [d for d in thresholds if left <= d] if line.on_hand > 0 else []
        rows.append(LedgerRow(line, product, left, within[0] if within else None))
    no_code = session.execute(
        select(NoCodeStock, Product)
        .join(Product, Product.id == NoCodeStock.product_id)
        .where(NoCodeStock.org_id == org_id)
        .order_by(NoCodeStock.declared_at, NoCodeStock.id)
    ).all()
    total = session.scalar(
        select(func.coalesce(func.sum(NoCodeStock.quantity), 0)).where(NoCodeStock.org_id == org_id)
    )
    return Ledger(org_id, rows, [tuple(x) for x in no_code], int(total), today, thresholds)


def declare_no_code(
    session: Session,
    *,
    product_id: int,
    batch_no: str,
    expiry_date: date,
    quantity: int,
    reason: str,
    now: datetime,
    actor: Actor,
) -> NoCodeStock:
    """Declare legacy stock bought without codes (RULES.md 11): counted apart from the coded
    ledger, never dispensed by code."""
    actor.require(OrgKind.HOSPITAL, action="declare no-code stock")
    errors: dict[str, list] = {}
    if session.get(Product, product_id) is None:
        errors["product_id"] = [N_("no such product")]
    if not (batch_no or "").strip():
        errors["batch_no"] = [N_("give the batch number")]
    if quantity is None or quantity < 1:
        errors["quantity"] = [N_("at least 1 box")]
    if not (reason or "").strip():
        errors["reason"] = [N_("give the reason the stock has no codes")]
    elif len(reason) > MAX_REASON:
        errors["reason"] = [N_("at most 500 characters (MAX_REASON)")]
    if errors:
        raise NoCodeStockNotValid(errors=errors)
    stock = NoCodeStock(
        org_id=actor.org_id,
        product_id=product_id,
        batch_no=batch_no.strip(),
        expiry_date=expiry_date,
        quantity=quantity,
        reason=reason.strip(),
        declared_at=now,
        declared_by_user_id=actor.user_id,
    )
    session.add(stock)
    mark_stock_changed(session, actor.org_id, now)
    session.commit()
    return stock


def products_for(session: Session, *, org_id: int) -> list[Product]:
    """Products an institution may declare no-code stock of: those it ordered."""
    return list(
        session.scalars(
            select(Product)
            .join(OrderLine, OrderLine.product_id == Product.id)
            .join(PurchaseOrder, PurchaseOrder.id == OrderLine.order_id)
            .where(PurchaseOrder.hospital_id == org_id)
            .distinct()
            .order_by(Product.generic_name)
        )
    )
