"""Monthly reconciliation (对账, RULES.md 11): issue, confirm, dispute, resolve, auto-confirm.

Not the ledger's reconciliation report (``services/reconciliation.py``). After each business
month the platform issues one reconciliation per hospital and manufacturer of the accepted
contract receipt lines of tenders with ``settlement.reconciliation`` on; both sides confirm it
or dispute lines with a reason before ``deadline_at``; silence confirms at the deadline when
the rules say so (``close_due``, run by ``procurement settlement reconcile-month``). A released
line is payable; its payment deadline runs from the later of acceptance and release.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from procurement.audit import services as audit
from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.auth.services.scope import buyer_clause
from procurement.catalog.models import Tender
from procurement.contracts.models import Contract
from procurement.core.clock import business_date, day_start
from procurement.core.messages import N_
from procurement.orders.models import ReceiptLine
from procurement.settlement import monthly
from procurement.settlement.errors import (
    AlreadyConfirmed,
    DisputeReasonRequired,
    LineNotDisputed,
    MonthNotOver,
    ReconciliationClosed,
    ReconciliationLineNotFound,
    ReconciliationNotFound,
    ResolutionNotAllowed,
)
from procurement.settlement.monthly_models import (
    LineStatus,
    Reconciliation,
    ReconciliationLine,
    ReconciliationStatus,
    Resolution,
)
from procurement.settlement.rules import SettlementRules
from procurement.settlement.services.holds import reconciliation_on
from procurement.settlement.services.invoices import refresh_holds
from procurement.settlement.services.outbox import record_reconciliation_issued

PARTIES = (OrgKind.HOSPITAL, OrgKind.MANUFACTURER)


def _issued(session: Session, reconciliation: Reconciliation) -> None:
    """The event ``reconciliation.issued`` in the outbox, in the issuing transaction."""
    record_reconciliation_issued(session, reconciliation)


def issue_month(
    session: Session, *, month: date, now: datetime, actor: Actor | None = None
) -> list[Reconciliation]:
    """Issue the reconciliations of ``month`` (any day of it) that are not issued yet, one per
    hospital and manufacturer with accepted lines under reconciliation; idempotent."""
    if actor is not None:
        actor.require(OrgKind.FUND, action="issue reconciliations")
    first, following = monthly.month_bounds(month)
    if business_date(now) < following:
        raise MonthNotOver(month=first.strftime("%Y-%m"), first_day=following.isoformat())
    taken = select(ReconciliationLine.id).where(
        ReconciliationLine.receipt_line_id == ReceiptLine.id
    )
    rows = session.execute(
        select(ReceiptLine, Tender.rules_snapshot)
        .join(Contract, Contract.id == ReceiptLine.contract_id)
        .join(Tender, Tender.id == Contract.tender_id)
        .where(
            ReceiptLine.accepted_quantity > 0,
            ReceiptLine.accepted_at >= day_start(first),
            ReceiptLine.accepted_at < day_start(following),
            reconciliation_on(ReceiptLine.contract_id),
            ~taken.exists(),
        )
        .order_by(ReceiptLine.id)
    ).all()
    groups: dict[tuple[int, int], list] = defaultdict(list)
    for line, snapshot in rows:
        groups[(line.hospital_id, line.manufacturer_id)].append(
            (line, SettlementRules.from_snapshot(snapshot))
        )
    issued = []
    for (hospital_id, manufacturer_id), lines in sorted(groups.items()):
        exists = session.scalar(
            select(Reconciliation).where(
                Reconciliation.hospital_id == hospital_id,
                Reconciliation.manufacturer_id == manufacturer_id,
                Reconciliation.month == first,
            )
        )
        if exists is None:
            issued.append(_issue(session, hospital_id, manufacturer_id, first, lines, now, actor))
    session.commit()
    return issued


def _issue(session, hospital_id, manufacturer_id, first, lines, now, actor) -> Reconciliation:
    days = min(rules.reconciliation_days for _, rules in lines)
    reconciliation = Reconciliation(
        hospital_id=hospital_id,
        manufacturer_id=manufacturer_id,
        month=first,
        total_amount=sum((line.accepted_amount for line, _ in lines), Decimal("0.00")),
        issued_at=now,
        deadline_at=now + timedelta(days=days),
        auto_confirm=all(rules.reconciliation_auto_confirm for _, rules in lines),
    )
    reconciliation.lines = [
        ReconciliationLine(
            receipt_line_id=line.id,
            contract_id=line.contract_id,
            quantity=line.accepted_quantity,
            unit_price=line.unit_price,
            amount=line.accepted_amount,
            accepted_at=line.accepted_at,
        )
        for line, _ in lines
    ]
    session.add(reconciliation)
    session.flush()
    refresh_holds(session, reconciliation.lines, now)
    _audit(session, "settlement.reconciliation.issued", reconciliation, now, actor)
    _issued(session, reconciliation)
    return reconciliation


def _audit(session, action, reconciliation, now, actor, **payload) -> None:
    audit.record(
        session,
        action=action,
        subject_type="reconciliation",
        subject_id=reconciliation.id,
        now=now,
        actor=actor,
        payload={"month": reconciliation.month.isoformat(), **payload},
    )


def _scoped(actor: Actor):
    actor.require(*PARTIES, OrgKind.FUND, OrgKind.REGULATOR, write=False, action="read")
    query = select(Reconciliation)
    if actor.org_kind == OrgKind.HOSPITAL:
        query = query.where(buyer_clause(Reconciliation.hospital_id, actor))
    elif actor.org_kind == OrgKind.MANUFACTURER:
        query = query.where(Reconciliation.manufacturer_id == actor.org_id)
    return query


def list_reconciliations(
    session: Session, *, actor: Actor, status: str | None = None, limit: int = 500
) -> list[Reconciliation]:
    """Reconciliations you may see (a side: its own; fund and regulator: all), newest first."""
    query = _scoped(actor)
    if status:
        query = query.where(Reconciliation.status == status)
    query = query.order_by(Reconciliation.month.desc(), Reconciliation.id.desc()).limit(limit)
    return list(session.scalars(query))


def get_reconciliation(session: Session, *, reconciliation_id: int, actor: Actor):
    found = session.scalar(
        _scoped(actor)
        .where(Reconciliation.id == reconciliation_id)
        .options(selectinload(Reconciliation.lines))
    )
    if found is None:
        raise ReconciliationNotFound(reconciliation_id=reconciliation_id)
    return found


def _side(session, reconciliation_id: int, now: datetime, actor: Actor) -> Reconciliation:
    """The reconciliation a side acts on: its own, open, before the deadline, not confirmed
    by this side yet."""
    actor.require(*PARTIES, action="confirm or dispute reconciliations")
    found = get_reconciliation(session, reconciliation_id=reconciliation_id, actor=actor)
    if found.status != ReconciliationStatus.OPEN or now >= found.deadline_at:
        raise ReconciliationClosed(
            reconciliation_id=found.id,
            deadline=found.deadline_at.isoformat(),
            reconciliation_status=found.status.value,
        )
    if _confirmed_by(found, actor.org_kind) is not None:
        raise AlreadyConfirmed(reconciliation_id=found.id)
    return found


def _confirmed_by(reconciliation: Reconciliation, kind: OrgKind) -> datetime | None:
    if kind == OrgKind.HOSPITAL:
        return reconciliation.hospital_confirmed_at
    return reconciliation.manufacturer_confirmed_at


def confirm(session: Session, *, reconciliation_id: int, now: datetime, actor: Actor):
    """A side confirms (its undisputed lines); once both have, the reconciliation is
    confirmed and its undisputed, matched lines are released."""
    found = _side(session, reconciliation_id, now, actor)
    if actor.org_kind == OrgKind.HOSPITAL:
        found.hospital_confirmed_at = now
    else:
        found.manufacturer_confirmed_at = now
    if found.hospital_confirmed_at and found.manufacturer_confirmed_at:
        _close(session, found, now, auto=False)
    _audit(session, "settlement.reconciliation.confirmed", found, now, actor)
    session.commit()
    return found


def _close(session, reconciliation: Reconciliation, when: datetime, *, auto: bool) -> None:
    reconciliation.status = ReconciliationStatus.CONFIRMED
    reconciliation.confirmed_at = when
    reconciliation.auto_confirmed = auto
    for line in reconciliation.lines:
        if line.status == LineStatus.OPEN:
            line.status = LineStatus.CONFIRMED
    refresh_holds(session, reconciliation.lines, when)


def dispute_line(
    session: Session,
    *,
    reconciliation_id: int,
    line_id: int,
    reason: str,
    now: datetime,
    actor: Actor,
) -> ReconciliationLine:
    """A side disputes one line with a reason; the line waits until it is resolved."""
    reason = (reason or "").strip()
    if not reason or len(reason) > monthly.MAX_DISPUTE_REASON:
        raise DisputeReasonRequired(
            limit=monthly.MAX_DISPUTE_REASON,
            errors={"reason": [N_("Give a reason, 1 to 500 characters.")]},
        )
    found = _side(session, reconciliation_id, now, actor)
    line = _line(found, line_id)
    if line.status != LineStatus.OPEN:
        raise LineNotDisputed(line_id=line.id, line_status=line.status.value)
    line.status, line.dispute_reason = LineStatus.DISPUTED, reason
    line.disputed_by_org_id, line.disputed_at = actor.org_id, now
    refresh_holds(session, [line], now)
    _audit(session, "settlement.reconciliation.disputed", found, now, actor, line=line.id)
    session.commit()
    return line


def _line(reconciliation: Reconciliation, line_id: int) -> ReconciliationLine:
    for line in reconciliation.lines:
        if line.id == line_id:
            return line
    raise ReconciliationLineNotFound(reconciliation_id=reconciliation.id, line_id=line_id)


def resolve_line(
    session: Session,
    *,
    reconciliation_id: int,
    line_id: int,
    resolution: str,
    note: str = "",
    now: datetime,
    actor: Actor,
) -> ReconciliationLine:
    """Resolve a disputed line: the manufacturer corrects it, or the disputing side withdraws
    the dispute. It then counts as confirmed once the reconciliation is (released now)."""
    actor.require(*PARTIES, action="resolve disputes")
    found = get_reconciliation(session, reconciliation_id=reconciliation_id, actor=actor)
    line = _line(found, line_id)
    if line.status != LineStatus.DISPUTED:
        raise LineNotDisputed(line_id=line.id, line_status=line.status.value)
    kind = Resolution(resolution)
    allowed = (
        actor.org_kind == OrgKind.MANUFACTURER
        if kind == Resolution.CORRECTED
        else actor.org_id == line.disputed_by_org_id
    )
    if not allowed:
        raise ResolutionNotAllowed()
    confirmed = found.status == ReconciliationStatus.CONFIRMED
    line.status = LineStatus.CONFIRMED if confirmed else LineStatus.OPEN
    line.resolution, line.resolution_note = kind, (note or "").strip()[: monthly.MAX_NOTE]
    line.resolved_at = now
    refresh_holds(session, [line], now)
    _audit(session, "settlement.reconciliation.resolved", found, now, actor, line=line.id)
    session.commit()
    return line


def close_due(session: Session, *, now: datetime, actor: Actor | None = None) -> int:
    """Auto-confirm every open reconciliation whose deadline has passed and whose rules let
    silence confirm, as of its deadline; returns how many (idempotent)."""
    if actor is not None:
        actor.require(OrgKind.FUND, action="close reconciliations")
    due = session.scalars(
        select(Reconciliation)
        .where(
            Reconciliation.status == ReconciliationStatus.OPEN,
            Reconciliation.auto_confirm.is_(True),
            Reconciliation.deadline_at <= now,
        )
        .options(selectinload(Reconciliation.lines))
        .order_by(Reconciliation.id)
    ).all()
    for reconciliation in due:
        deadline = reconciliation.deadline_at
        reconciliation.hospital_confirmed_at = reconciliation.hospital_confirmed_at or deadline
        reconciliation.manufacturer_confirmed_at = (
            reconciliation.manufacturer_confirmed_at or deadline
        )
        _close(session, reconciliation, deadline, auto=True)
        _audit(session, "settlement.reconciliation.auto_confirmed", reconciliation, now, actor)
    session.commit()
    return len(due)


def held_lines(session: Session, *, actor: Actor, limit: int = 1000) -> list[ReconciliationLine]:
    """Reconciled lines a settlement run may not pay yet, each with its reason (fund office
    and regulator: all; a side: its own), oldest acceptance first."""
    scope = _scoped(actor).with_only_columns(Reconciliation.id)
    return list(
        session.scalars(
            select(ReconciliationLine)
            .where(
                ReconciliationLine.held_reason.is_not(None),
                ReconciliationLine.reconciliation_id.in_(scope),
            )
            .options(selectinload(ReconciliationLine.reconciliation))
            .order_by(ReconciliationLine.accepted_at, ReconciliationLine.id)
            .limit(limit)
        )
    )


def held_totals(lines: list[ReconciliationLine]) -> dict[str, Decimal]:
    """Held amount per reason (the pages' summary)."""
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for line in lines:
        totals[line.held_reason.value] += line.amount
    return dict(totals)
