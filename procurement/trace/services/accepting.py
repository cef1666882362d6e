"""Accepting a shipment received by scan: per line, the scanned boxes are accepted with their
codes; the rest is rejected with a reason or, when the rules allow it, accepted without a code
with a reason (then counted in the no-code stock and, while codes are required, held from
payment). Writes the packages' receipt, the stock ledger and ``trace_line_coding`` (what the
settlement may pay, issue 18 item 7), then records the receipt through orders in the same
transaction: a refused acceptance stores nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.core.clock import business_date
from procurement.core.messages import N_, Message
from procurement.core.money import line_total
from procurement.orders.services import ReceiptResult, ReceiveLine, record_receipt
from procurement.trace.errors import ScanReceiptNotValid
from procurement.trace.models import EventKind, PackageState, TraceEvent, TracePackage
from procurement.trace.scan_models import MAX_REASON, LineCoding, NoCodeStock
from procurement.trace.services.scanning import Draft, LineCount, draft
from procurement.trace.services.stock_ledger import add_to_stock, mark_stock_changed
from procurement.trace.services.store import ensure_partition


@dataclass(frozen=True)
class LineDecision:
    """For one shipment line: boxes accepted without a code (with a reason) and the reason
    the remaining unscanned boxes are rejected."""

    shipment_line_id: int
    without_code: int = 0
    without_code_reason: str | None = None
    rejection_reason: str | None = None


def accept_scanned(
    session: Session,
    *,
    shipment_id: int,
    decisions: list[LineDecision],
    now: datetime,
    actor: Actor,
) -> ReceiptResult:
    found = draft(session, shipment_id=shipment_id, now=now, actor=actor)
    by_line = {d.shipment_line_id: d for d in decisions}
    _check(found, by_line)
    required = found.rules.codes_required(business_date(now))
    lines = []
    for count in found.counts:
        decision = by_line.get(count.line.id) or LineDecision(count.line.id)
        lines.append(_accept_line(session, found, count, decision, required, now, actor))
    _receive_packages(session, found, now, actor)
    return record_receipt(session, shipment_id=shipment_id, lines=lines, now=now, actor=actor)


def _check(found: Draft, by_line: dict[int, LineDecision]) -> None:
    errors: dict[str, list] = {}
    ids = {c.line.id for c in found.counts}
    for line_id in sorted(set(by_line) - ids):
        errors[f"lines.{line_id}"] = [N_("not a line of this shipment")]
    for count in found.counts:
        d = by_line.get(count.line.id) or LineDecision(count.line.id)
        at = f"lines.{count.line.id}"
        rest = count.packs - count.scanned
        if d.without_code < 0 or d.without_code > rest:
            errors[f"{at}.without_code"] = [
                Message("between 0 and the {rest} boxes not scanned", rest=rest)
            ]
            continue
        if d.without_code and not found.rules.receive_without_code:
            errors[f"{at}.without_code"] = [
                N_("the rules do not allow receiving without a code (receive_without_code)")
            ]
        if d.without_code and not _reason(d.without_code_reason):
            errors[f"{at}.without_code_reason"] = [N_("give a reason for boxes without a code")]
        if rest - d.without_code > 0 and not _reason(d.rejection_reason):
            errors[f"{at}.rejection_reason"] = [
                Message(
                    "give a reason for the {n} boxes neither scanned nor accepted",
                    n=rest - d.without_code,
                )
            ]
        for name in ("without_code_reason", "rejection_reason"):
            if len(getattr(d, name) or "") > MAX_REASON:
                errors[f"{at}.{name}"] = [N_("at most 500 characters (MAX_REASON)")]
    if errors:
        raise ScanReceiptNotValid(errors=errors)


def _reason(text: str | None) -> str | None:
    return (text or "").strip() or None


def _accept_line(session, found, count: LineCount, d: LineDecision, required, now, actor):
    line, pack_size = count.line, count.line.order_line.pack_size
    accepted = (count.scanned + d.without_code) * pack_size
    coded, uncoded = count.scanned * pack_size, d.without_code * pack_size
    payable = coded if required else accepted
    # Held: what was accepted without a code while codes are required, with the reason.
    held = _reason(d.without_code_reason) if required and uncoded else None
    session.add(
        LineCoding(
            shipment_line_id=line.id,
            coded_quantity=coded,
            uncoded_quantity=uncoded,
            codes_required=required,
            coded_amount=line_total(payable, line.order_line.unit_price),
            held_reason=held,
            accepted_at=now,
        )
    )
    if d.without_code:
        session.add(
            NoCodeStock(
                org_id=actor.org_id,
                product_id=line.order_line.product_id,
                batch_no=line.batch_no,
                expiry_date=line.expiry_date,
                quantity=d.without_code,
                reason=_reason(d.without_code_reason),
                declared_at=now,
                declared_by_user_id=actor.user_id,
            )
        )
        mark_stock_changed(session, actor.org_id, now)
    if count.scanned:
        add_to_stock(
            session,
            org_id=actor.org_id,
            product_id=line.order_line.product_id,
            batch_no=line.batch_no,
            expiry_date=line.expiry_date,
            now=now,
            received=count.scanned,
        )
    return ReceiveLine(
        shipment_line_id=line.id,
        accepted_quantity=accepted,
        rejected_quantity=line.quantity - accepted,
        rejection_reason=_reason(d.rejection_reason) if accepted < line.quantity else None,
    )


def _receive_packages(session: Session, found: Draft, now: datetime, actor: Actor) -> None:
    """Scanned packages (a case with its boxes) become received by the hospital."""
    codes = [scan.code for scan in found.scans]
    if not codes:
        return
    ensure_partition(session, now)
    packages = session.scalars(
        select(TracePackage).where(
            or_(TracePackage.code.in_(codes), TracePackage.case_code.in_(codes))
        )
    ).all()
    for package in packages:
        package.state, package.holder_org_id = PackageState.RECEIVED, actor.org_id
        package.last_event_at = package.updated_at = now
        session.add(
            TraceEvent(
                code=package.code,
                occurred_at=now,
                kind=EventKind.RECEIVED,
                org_id=actor.org_id,
                shipment_line_id=package.shipment_line_id,
            )
        )
    for scan in found.scans:
        session.delete(scan)
