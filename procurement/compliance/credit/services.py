"""Supplier credit (RULES.md 8): supply failures become credit events (points), a level by the
points of a rolling 12 months, bidding bans for the levels that bar bidding (through the
bidding area's ``add_ban``), appeals decided by the regulator and credit repair."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.bidding.models import BiddingBan
from procurement.bidding.services import add_ban
from procurement.compliance import rules as r
from procurement.compliance.common_services import lot_rules
from procurement.compliance.credit.models import (
    CreditEvent,
    CreditEventKind,
    CreditEventStatus,
    CreditLevelRecord,
    CreditRepair,
)
from procurement.compliance.errors import CreditEventNotValid
from procurement.core.messages import N_, Message
from procurement.orders.models import OrderLine, OrderStatus, PurchaseOrder, SlaBreach, SlaKind

SOURCE = "credit"


@dataclass
class Standing:
    manufacturer_id: int
    name: str
    points: int
    level: str
    counted: int
    window_start: datetime | None
    repaired_at: datetime | None
    bans: list[BiddingBan]


class Candidate(NamedTuple):
    """A supply failure orders recorded that may become a credit event."""

    source_key: str
    kind: CreditEventKind
    manufacturer_id: int
    order_id: int
    occurred_at: datetime
    detail: str
    hours_late: Decimal | None = None  # a late delivery's: counted past the tender's minimum


class FirstLine(NamedTuple):
    product_id: int | None
    lot_id: int | None


def _first_line(session: Session, order_ids: list[int]) -> dict[int, FirstLine]:
    rows = session.execute(
        select(OrderLine.order_id, OrderLine.product_id, OrderLine.lot_id).where(
            OrderLine.order_id.in_(order_ids), OrderLine.line_no == 1
        )
    )
    return {row.order_id: FirstLine(row.product_id, row.lot_id) for row in rows}


def _candidates(session: Session):
    """The candidate events in orders' records: late deliveries, rejected and unconfirmed
    orders."""
    po, sb = PurchaseOrder, SlaBreach
    late = session.execute(
        select(sb.order_id, sb.manufacturer_id, sb.due_at, sb.hours_late, po.number)
        .join(po, po.id == sb.order_id)
        .where(sb.kind == SlaKind.DELIVER, sb.hours_late > 0)
    )
    for oid, mid, due, hours, number in late:
        yield Candidate(
            source_key=f"order:{oid}:late_delivery",
            kind=CreditEventKind.LATE_DELIVERY,
            manufacturer_id=mid,
            order_id=oid,
            occurred_at=due,
            detail=Message("Order {number} delivered {hours} h late", number=number, hours=hours),
            hours_late=hours,
        )
    unconfirmed = session.execute(
        select(po.id, po.manufacturer_id, po.number, po.rejected_at, sb.due_at)
        .outerjoin(sb, (sb.order_id == po.id) & (sb.kind == SlaKind.CONFIRM))
        .where((po.status == OrderStatus.REJECTED) | sb.id.is_not(None))
    )
    for oid, mid, number, rejected_at, due in unconfirmed:
        if rejected_at is not None:
            what = Message("Order {number} rejected", number=number)
        else:
            what = Message("Order {number} not confirmed in time", number=number)
        yield Candidate(
            source_key=f"order:{oid}:rejected_or_unconfirmed",
            kind=CreditEventKind.ORDER_REJECTED_OR_UNCONFIRMED,
            manufacturer_id=mid,
            order_id=oid,
            occurred_at=rejected_at or due,
            detail=what,
        )


def import_credit_events(session: Session, *, now: datetime, actor: Actor | None = None) -> int:
    """Turn late deliveries, rejected and unconfirmed orders into credit events, once each
    (natural key), and re-apply the levels. Returns how many events were new."""
    if actor is not None:
        actor.require(OrgKind.REGULATOR, action="import credit events")
    rules = r.ComplianceRules()
    known = set(session.scalars(select(CreditEvent.source_key)))
    fresh = [found for found in _candidates(session) if found.source_key not in known]
    lines = _first_line(session, [found.order_id for found in fresh])
    judges = lot_rules(session, {line.lot_id for line in lines.values() if line.lot_id})

    def judge_of(found: Candidate) -> r.ComplianceRules:
        return judges.get(lines.get(found.order_id, FirstLine(None, None)).lot_id, rules)

    # a delivery late within its tender's tolerance is no credit event
    fresh = [
        f
        for f in fresh
        if f.hours_late is None or f.hours_late > judge_of(f).late_delivery_min_hours
    ]
    for found in fresh:
        line = lines.get(found.order_id, FirstLine(None, None))
        judge = judge_of(found)
        session.add(
            CreditEvent(
                manufacturer_id=found.manufacturer_id,
                kind=found.kind,
                points=judge.points(found.kind.value),
                occurred_at=found.occurred_at,
                source_key=found.source_key,
                order_id=found.order_id,
                product_id=line.product_id,
                lot_id=line.lot_id,
                detail=found.detail,
                recorded_at=now,
            )
        )
    session.flush()
    touched = {found.manufacturer_id for found in fresh} | set(
        session.scalars(select(CreditLevelRecord.manufacturer_id))
    )
    for mid in sorted(touched):
        apply_level(session, mid, now, actor, rules)
    record(
        session,
        action="compliance.credit_imported",
        subject_type="credit",
        subject_id="events",
        now=now,
        actor=actor,
        payload={"new": len(fresh)},
    )
    session.commit()
    return len(fresh)


def record_credit_event(
    session: Session,
    *,
    manufacturer_id: int,
    kind: str,
    occurred_at: datetime,
    detail: str,
    lot_id: int | None = None,
    product_id: int | None = None,
    now: datetime,
    actor: Actor,
) -> CreditEvent:
    """Record a failure orders cannot see (region unsupplied over 7 days, a win given up)."""
    actor.require(OrgKind.REGULATOR, action="record credit events")
    errors: dict[str, list[str]] = {}
    org = session.get(Organization, manufacturer_id)
    if org is None or org.kind != OrgKind.MANUFACTURER:
        errors["manufacturer_id"] = [N_("not a manufacturer organization")]
    if kind not in {k.value for k in CreditEventKind}:
        errors["kind"] = [
            Message("one of {value}", value=", ".join(k.value for k in CreditEventKind))
        ]
    if occurred_at > now:
        errors["occurred_at"] = [N_("cannot be in the future")]
    if not (detail or "").strip():
        errors["detail"] = [N_("say what happened")]
    if errors:
        raise CreditEventNotValid(errors=errors)
    platform = r.ComplianceRules()
    rules = lot_rules(session, {lot_id} if lot_id else set()).get(lot_id, platform)
    key = f"manual:{kind}:m{manufacturer_id}:{occurred_at:%Y%m%dT%H%M%S}:l{lot_id or 0}"
    event = session.scalar(select(CreditEvent).where(CreditEvent.source_key == key))
    if event is None:
        event = CreditEvent(
            manufacturer_id=manufacturer_id,
            kind=CreditEventKind(kind),
            points=rules.points(kind),
            occurred_at=occurred_at,
            source_key=key,
            lot_id=lot_id,
            product_id=product_id,
            detail=detail.strip(),
            recorded_at=now,
        )
        session.add(event)
        session.flush()
        record(
            session,
            action="compliance.credit_event_recorded",
            subject_type="credit_event",
            subject_id=event.id,
            now=now,
            actor=actor,
            payload={"kind": kind},
        )
        apply_level(session, manufacturer_id, now, actor, platform)
    session.commit()
    return event


def standing_of(
    session: Session, manufacturer_id: int, now: datetime, rules: r.ComplianceRules
) -> r.CreditStanding:
    """The manufacturer's points and level. Each tender whose lots its events concern judges
    them by its own thresholds and window (``rules`` judges events of no tender); the highest
    level found stands (RULES.md 8: one table per tender's rules)."""
    repaired = session.scalar(
        select(func.max(CreditRepair.repaired_at)).where(
            CreditRepair.manufacturer_id == manufacturer_id
        )
    )
    rows = session.execute(
        select(CreditEvent.occurred_at, CreditEvent.points, CreditEvent.lot_id).where(
            CreditEvent.manufacturer_id == manufacturer_id,
            CreditEvent.status != CreditEventStatus.OVERTURNED,
        )
    ).all()
    events = [r.CreditPoint(at, points) for at, points, _ in rows]
    by_lot = lot_rules(session, {lot for _, _, lot in rows if lot is not None})
    judges = set(by_lot.values())
    if not judges or any(lot is None or lot not in by_lot for _, _, lot in rows):
        judges.add(rules)
    found = [r.standing(events, now, judge, repaired_at=repaired) for judge in judges]
    return max(found, key=lambda s: (r.LEVEL_ORDER.index(s.level), s.points))


def _active_bans(session: Session, manufacturer_id: int, now: datetime) -> list[BiddingBan]:
    bans = session.scalars(
        select(BiddingBan).where(
            BiddingBan.manufacturer_id == manufacturer_id, BiddingBan.source == SOURCE
        )
    )
    return [ban for ban in bans if ban.active_at(now)]


def apply_level(
    session: Session,
    manufacturer_id: int,
    now: datetime,
    actor: Actor | None,
    rules: r.ComplianceRules,
) -> r.CreditStanding:
    """Store the level and make the credit bans match it (inside the caller's transaction)."""
    current = standing_of(session, manufacturer_id, now, rules)
    row = session.get(CreditLevelRecord, manufacturer_id)
    if row is None:
        row = CreditLevelRecord(
            manufacturer_id=manufacturer_id, points=0, level="none", updated_at=now
        )
        session.add(row)
    row.points, row.level, row.updated_at = current.points, current.level.value, now
    wanted = _wanted_bans(session, manufacturer_id, current, now)
    have = {(ban.product_id, ban.level): ban for ban in _active_bans(session, manufacturer_id, now)}
    for key, ban in have.items():
        if key not in wanted:
            _end_ban(session, ban, now, actor)
    for product_id, level in sorted(wanted - set(have), key=str):
        add_ban(
            session,
            data={
                "manufacturer_id": manufacturer_id,
                "product_id": product_id,
                "level": level,
                "starts_at": now,
                "reason": Message(
                    "credit level {level}: {points} points in {days} days (RULES.md 8)",
                    level=level,
                    points=current.points,
                    days=rules.credit_window_days,
                ),
            },
            source=SOURCE,
            now=now,
            actor=actor,
        )
    return current


def _wanted_bans(session, manufacturer_id, current, now) -> set[tuple[int | None, str]]:
    scope = r.bars_bidding(current.level)
    if scope == "company":
        return {(None, current.level.value)}
    if scope != "products":
        return set()
    products = session.scalars(
        select(CreditEvent.product_id)
        .where(
            CreditEvent.manufacturer_id == manufacturer_id,
            CreditEvent.product_id.is_not(None),
            CreditEvent.status != CreditEventStatus.OVERTURNED,
            CreditEvent.occurred_at > current.window_start,
            CreditEvent.occurred_at <= now,
        )
        .distinct()
    )
    found = {(pid, current.level.value) for pid in products}
    return found or {(None, current.level.value)}


def _end_ban(session: Session, ban: BiddingBan, now: datetime, actor: Actor | None) -> None:
    """Lift a credit ban in the caller's transaction (bidding's lift_ban commits itself)."""
    ban.until = max(now, ban.starts_at)
    record(
        session,
        action="bidding_ban.lifted",
        subject_type="bidding_ban",
        subject_id=ban.id,
        now=now,
        actor=actor,
        payload={
            "manufacturer_id": ban.manufacturer_id,
            "product_id": ban.product_id,
            "source": SOURCE,
        },
    )


def list_credit_events(
    session: Session, *, actor: Actor, manufacturer_id: int | None = None
) -> list[CreditEvent]:
    """Credit events: oversight sees all, a manufacturer its own."""
    actor.require(
        OrgKind.REGULATOR,
        OrgKind.FUND,
        OrgKind.MANUFACTURER,
        write=False,
        action="see credit events",
    )
    query = select(CreditEvent).order_by(CreditEvent.occurred_at.desc(), CreditEvent.id.desc())
    if actor.org_kind == OrgKind.MANUFACTURER:
        manufacturer_id = actor.org_id
    if manufacturer_id is not None:
        query = query.where(CreditEvent.manufacturer_id == manufacturer_id)
    return list(session.scalars(query))


def credit_levels(session: Session, *, now: datetime, actor: Actor) -> list[Standing]:
    """Each manufacturer's live points and level (its own for a manufacturer)."""
    actor.require(
        OrgKind.REGULATOR,
        OrgKind.FUND,
        OrgKind.MANUFACTURER,
        write=False,
        action="see credit levels",
    )
    rules = r.ComplianceRules()
    query = select(CreditEvent.manufacturer_id).distinct()
    if actor.org_kind == OrgKind.MANUFACTURER:
        query = query.where(CreditEvent.manufacturer_id == actor.org_id)
    out = []
    for mid in sorted(session.scalars(query)):
        current = standing_of(session, mid, now, rules)
        repaired = session.scalar(
            select(func.max(CreditRepair.repaired_at)).where(CreditRepair.manufacturer_id == mid)
        )
        out.append(
            Standing(
                manufacturer_id=mid,
                name=session.get(Organization, mid).name,
                points=current.points,
                level=current.level.value,
                counted=current.counted,
                window_start=current.window_start,
                repaired_at=repaired,
                bans=_active_bans(session, mid, now),
            )
        )
    return sorted(out, key=lambda s: (-s.points, s.manufacturer_id))
