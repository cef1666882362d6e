"""Alert conditions (RULES.md 4-6): each returns the alerts that should be open now, as
``Condition`` values keyed by their dedup key. Set-based queries; Python sees only the rows
that meet a condition."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.auth.models import Organization, OrgKind
from procurement.compliance import rules as r
from procurement.compliance.alerts.models import AlertKind, Severity
from procurement.compliance.common_services import rules_for
from procurement.compliance.progress import queries
from procurement.contracts.models import Contract, ContractStatus
from procurement.core.clock import business_date, business_time, day_start
from procurement.core.messages import N_, Message
from procurement.core.money import round_places
from procurement.orders.models import OrderLine, OrderStatus, PurchaseOrder
from procurement.settlement.models import Payable


@dataclass
class Condition:
    kind: AlertKind
    key: str
    severity: Severity
    detail: str
    subject_org_id: int | None = None
    region_code: str | None = None
    tender_id: int | None = None
    lot_id: int | None = None
    order_id: int | None = None
    contract_year: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    # A graded alert's level and the region responsible at it (shortage alerts): each change
    # is kept in the alert's level history.
    level: str | None = None
    level_region: str | None = None


class ContractYear(NamedTuple):
    tender_id: int
    contract_year: int


def running_years(session: Session, now: datetime) -> list[ContractYear]:
    """(tender, contract year) pairs with an active contract covering today."""
    today = business_date(now)
    rows = session.execute(
        select(Contract.tender_id, Contract.contract_year)
        .where(
            Contract.status == ContractStatus.ACTIVE,
            Contract.period_start <= today,
            Contract.period_end >= today,
        )
        .distinct()
        .order_by(Contract.tender_id, Contract.contract_year)
    )
    return [ContractYear(row.tender_id, row.contract_year) for row in rows]


def progress_conditions(session: Session, now: datetime) -> list[Condition]:
    """hospital_behind, zero_purchase and high_non_winning_share per hospital x lot."""
    found: list[Condition] = []
    for tender_id, year in running_years(session, now):
        rules = rules_for(session, tender_id)
        filters = queries.Filters(tender_id=tender_id, contract_year=year)
        rows = queries.progress(
            session, filters=filters, groups=("hospital_lot",), as_of=now, rules=rules
        )["hospital_lot"]
        window = queries.contract_window(session, filters, now, rules)
        nonwin = _non_winning_by_hospital_lot(session, tender_id, window)
        for row in rows:
            found.extend(_row_conditions(row, tender_id, year, nonwin, rules))
    return found


def _row_conditions(row, tender_id, year, nonwin, rules) -> list[Condition]:
    hospital_id, lot_id = (int(x) for x in row.key.split(":"))
    ref = dict(subject_org_id=hospital_id, tender_id=tender_id, lot_id=lot_id, contract_year=year)
    suffix = f"h{hospital_id}:t{tender_id}:y{year}:l{lot_id}"
    found = (
        _status_condition(row, suffix, ref, rules),
        _non_winning_condition(row, nonwin.get((hospital_id, lot_id), 0), suffix, ref, rules),
    )
    return [condition for condition in found if condition is not None]


# One sentence per status, the status in words: a stored sentence keeps its values as written,
# so a status code put in as a value would be shown as a code.
BEHIND_TEXT = {
    r.Status.AT_RISK: N_("Completion {completion} against time progress {time_progress}: at risk."),
    r.Status.BEHIND: N_("Completion {completion} against time progress {time_progress}: behind."),
}


def _status_condition(row, suffix: str, ref: dict, rules) -> Condition | None:
    """zero_purchase, or hospital_behind (at risk: high), from a hospital x lot's status."""
    facts = {
        "agreed": row.agreed,
        "accepted": row.accepted,
        "completion": str(row.completion),
        "time_progress": str(row.time_progress),
    }
    if row.status == r.Status.ZERO_PURCHASE:
        return Condition(
            AlertKind.ZERO_PURCHASE,
            f"zero_purchase:{suffix}",
            Severity.HIGH,
            Message(
                "No accepted purchase after month {month} (agreed {agreed}).",
                month=rules.checks_from_month,
                agreed=row.agreed,
            ),
            facts=facts,
            **ref,
        )
    if row.status in (r.Status.BEHIND, r.Status.AT_RISK):
        severity = Severity.HIGH if row.status == r.Status.AT_RISK else Severity.WARNING
        return Condition(
            AlertKind.HOSPITAL_BEHIND,
            f"hospital_behind:{suffix}",
            severity,
            Message(
                BEHIND_TEXT[row.status],
                completion=row.completion,
                time_progress=row.time_progress,
            ),
            facts={**facts, "status": row.status},
            **ref,
        )
    return None


def _non_winning_condition(
    row, non_winning: int, suffix: str, ref: dict, rules
) -> Condition | None:
    """high_non_winning_share: off-contract products over the rules' share of the generic."""
    nw_share = r.share(non_winning, row.accepted + non_winning)
    if nw_share is None or nw_share <= rules.non_winning_max_share:
        return None
    return Condition(
        AlertKind.HIGH_NON_WINNING_SHARE,
        f"non_winning:{suffix}",
        Severity.WARNING,
        Message(
            "Non-winning products are {share} of the generic's accepted quantity "
            "({non_winning} vs {winning}).",
            share=nw_share,
            non_winning=non_winning,
            winning=row.accepted,
        ),
        facts={"non_winning": non_winning, "winning": row.accepted, "share": str(nw_share)},
        **ref,
    )


def _non_winning_by_hospital_lot(session, tender_id, window) -> dict[tuple[int, int], int]:
    from procurement.catalog.models import Lot

    po, ol = PurchaseOrder, OrderLine
    rows = session.execute(
        select(po.hospital_id, ol.lot_id, func.sum(ol.accepted_quantity))
        .join(po, po.id == ol.order_id)
        .where(
            ol.off_contract.is_(True),
            ol.lot_id.in_(select(Lot.id).where(Lot.tender_id == tender_id)),
            po.placed_at >= day_start(window.start),
            po.placed_at < day_start(window.end + timedelta(days=1)),
        )
        .group_by(po.hospital_id, ol.lot_id)
    )
    return {(h, lot): int(q or 0) for h, lot, q in rows}


def supply_conditions(session: Session, now: datetime) -> list[Condition]:
    """Unconfirmed past the limit (shortage risk), late delivery, recent rejections."""
    return [
        *_unconfirmed(session, now),
        *_late_deliveries(session, now),
        *_rejections(session, now),
    ]


def _unconfirmed(session: Session, now: datetime) -> list[Condition]:
    """Orders still placed past their confirmation limit: a shortage risk."""
    po = PurchaseOrder
    out: list[Condition] = []
    unconfirmed = select(
        po.id, po.number, po.manufacturer_id, po.region_code, po.confirm_due_at
    ).where(po.status == OrderStatus.PLACED, po.confirm_due_at < now)
    for oid, number, mid, region, due in session.execute(unconfirmed):
        out.append(
            Condition(
                AlertKind.SUPPLIER_UNCONFIRMED,
                f"unconfirmed:o{oid}",
                Severity.HIGH,
                Message(
                    "Order {number} not confirmed by {due}: shortage risk.",
                    number=number,
                    due=f"{business_time(due):%Y-%m-%d %H:%M %Z}",
                ),
                subject_org_id=mid,
                region_code=region,
                order_id=oid,
            )
        )
    return out


def _late_deliveries(session: Session, now: datetime) -> list[Condition]:
    """Orders not yet delivered past their delivery limit, with the hours late."""
    po = PurchaseOrder
    out: list[Condition] = []
    waiting = (OrderStatus.PLACED, OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED)
    late = select(po.id, po.number, po.manufacturer_id, po.region_code, po.deliver_due_at).where(
        po.status.in_(waiting), po.deliver_due_at < now
    )
    for oid, number, mid, region, due in session.execute(late):
        hours = round_places(Decimal(str((now - due).total_seconds())) / 3600, 1)
        out.append(
            Condition(
                AlertKind.LATE_DELIVERY,
                f"late_delivery:o{oid}",
                Severity.WARNING,
                Message(
                    "Order {number} not delivered by {due} ({hours} h late).",
                    number=number,
                    due=f"{business_time(due):%Y-%m-%d %H:%M %Z}",
                    hours=hours,
                ),
                subject_org_id=mid,
                region_code=region,
                order_id=oid,
                facts={"hours_late": str(hours)},
            )
        )
    return out


def _rejections(session: Session, now: datetime) -> list[Condition]:
    """Manufacturers that rejected orders in the last 30 days, with how many."""
    po = PurchaseOrder
    since = now - timedelta(days=30)
    rejected = (
        select(po.manufacturer_id, func.count())
        .where(po.status == OrderStatus.REJECTED, po.rejected_at > since)
        .group_by(po.manufacturer_id)
    )
    return [
        Condition(
            AlertKind.REJECTED_ORDERS,
            f"rejected:m{mid}",
            Severity.WARNING,
            Message("{count} order(s) rejected in the last 30 days.", count=count),
            subject_org_id=mid,
            facts={"rejected": int(count)},
        )
        for mid, count in session.execute(rejected)
    ]


def payment_conditions(session: Session, now: datetime) -> list[Condition]:
    """Payables unpaid past their deadline, per province; the subject is its fund office."""
    pay, region = Payable, Contract.region_code  # a payable's region is its contract's
    rows = session.execute(
        select(region, func.count(), func.sum(pay.amount))
        .join(Contract, Contract.id == pay.contract_id)
        .where(pay.paid_at.is_(None), pay.due_at < now)
        .group_by(region)
    )
    funds = {}
    for org in session.scalars(
        select(Organization).where(Organization.kind == OrgKind.FUND).order_by(Organization.id)
    ):
        funds.setdefault(org.region_code[:2] + "0000", org.id)
    return [
        Condition(
            AlertKind.OVERDUE_PAYMENT,
            f"overdue_payment:r{region}",
            Severity.HIGH,
            Message(
                "{count} payable(s) worth {amount} unpaid past the deadline.",
                count=count,
                amount=amount,
            ),
            subject_org_id=funds.get(region),
            region_code=region,
            facts={"payables": int(count), "amount": str(amount)},
        )
        for region, count, amount in rows
    ]


def all_conditions(session: Session, now: datetime) -> dict[str, Condition]:
    # supply_risk, shortage, prices and the pharmacy checks build on this module (Condition,
    # running_years): imported when called
    from procurement.compliance.alerts.pharmacy_queries import pharmacy_conditions
    from procurement.compliance.prices.conditions_queries import price_conditions
    from procurement.compliance.shortage.conditions_queries import shortage_conditions
    from procurement.compliance.supply_risk.conditions_queries import backup_conditions

    found = [
        *backup_conditions(session, now),
        *shortage_conditions(session, now),
        *price_conditions(session, now),
        *pharmacy_conditions(session, now),
        *progress_conditions(session, now),
        *supply_conditions(session, now),
        *payment_conditions(session, now),
    ]
    return {c.key: c for c in found}


__all__ = ["Condition", "all_conditions"]
