"""Invoices (两票制, RULES.md 11) and the three-way match that holds reconciled lines.

An issuer (the line's manufacturer, or the distributor that shipped it) records an invoice to a
recipient: manufacturer -> distributor, distributor -> hospital, or manufacturer -> hospital
when the manufacturer shipped itself. At most ``MAX_INVOICES_PER_LINE`` invoices cover one
receipt line and only one of them goes to the hospital. ``refresh_holds`` recomputes each
reconciled line's ``held_reason`` (``monthly.held_reason``) after anything that moves it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from procurement.audit import services as audit
from procurement.auth.actor import Actor
from procurement.auth.models import Organization, OrgKind
from procurement.catalog.models import Tender
from procurement.contracts.models import Contract
from procurement.core.limits import MAX_MONEY
from procurement.core.messages import N_
from procurement.orders.models import OrderLine, ReceiptLine, Shipment, ShipmentLine
from procurement.settlement import monthly
from procurement.settlement.errors import (
    InvoiceNotFound,
    InvoiceNotValid,
    InvoiceNumberTaken,
    InvoiceVoided,
    TwoInvoiceRule,
)
from procurement.settlement.models import Payable
from procurement.settlement.monthly_models import (
    HeldReason,
    Invoice,
    InvoiceLine,
    ReconciliationLine,
    ReconciliationStatus,
)
from procurement.settlement.rules import SettlementRules
from procurement.settlement.services.holds import unscanned


def hospital_invoices(session: Session, receipt_line_ids: list[int]) -> dict[int, tuple]:
    """(quantity, amount, invoice number) of the invoice to the hospital per receipt line."""
    rows = session.execute(
        select(
            InvoiceLine.receipt_line_id, InvoiceLine.quantity, InvoiceLine.amount, Invoice.number
        )
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .join(ReceiptLine, ReceiptLine.id == InvoiceLine.receipt_line_id)
        .where(
            InvoiceLine.receipt_line_id.in_(receipt_line_ids),
            Invoice.recipient_id == ReceiptLine.hospital_id,
            Invoice.voided_at.is_(None),
        )
    )
    return {line_id: (q, Decimal(a), number) for line_id, q, a, number in rows}


def match_of(session: Session, receipt_line_ids: list[int]) -> dict[int, str | None]:
    """The three-way match (order, receipt, invoice) per receipt line: None when it matches,
    else "mismatch" or "no_invoice" (``monthly.match``)."""
    invoiced = hospital_invoices(session, receipt_line_ids)
    rows = session.execute(
        select(ReceiptLine, OrderLine.unit_price)
        .join(OrderLine, OrderLine.id == ReceiptLine.order_line_id)
        .where(ReceiptLine.id.in_(receipt_line_ids))
    ).all()
    result: dict[int, str | None] = {}
    for line, ordered in rows:
        quantity, amount, _ = invoiced.get(line.id, (None, None, None))
        result[line.id] = monthly.match(
            line.accepted_quantity, line.accepted_amount, ordered, line.unit_price, quantity, amount
        )
    return result


def unscanned_of(session: Session, receipt_line_ids: list[int]) -> set[int]:
    """The receipt lines accepted without scanning their codes while codes were required."""
    held = unscanned(session, ReceiptLine.id)
    if held is None:
        return set()
    return set(
        session.scalars(select(ReceiptLine.id).where(ReceiptLine.id.in_(receipt_line_ids), held))
    )


def refresh_holds(session: Session, lines: list[ReconciliationLine], when: datetime) -> None:
    """Recompute each line's hold; a line that becomes payable is released at ``when`` and
    its accrued, unpaid payable falls due ``payment_deadline_days`` after the later of
    acceptance and ``when``. A paid line stays released."""
    if not lines:
        return
    session.flush()
    ids = [line.receipt_line_id for line in lines]
    matched, unscanned = match_of(session, ids), unscanned_of(session, ids)
    payables = {p.id: p for p in session.scalars(select(Payable).where(Payable.id.in_(ids)))}
    for line in lines:
        confirmed = line.reconciliation.status == ReconciliationStatus.CONFIRMED
        reason = monthly.held_reason(
            line.status.value,
            confirmed,
            matched.get(line.receipt_line_id),
            scanned=line.receipt_line_id not in unscanned,
        )
        payable = payables.get(line.receipt_line_id)
        if payable is not None and payable.paid_at is not None:
            continue
        line.held_reason = HeldReason(reason) if reason else None
        if reason is None and line.released_at is None:
            line.released_at = when
            if payable is not None:
                days = _deadline_days(session, line.contract_id)
                payable.due_at = monthly.later(payable.accepted_at, when) + timedelta(days=days)
        elif reason is not None:
            line.released_at = None


def _deadline_days(session: Session, contract_id: int) -> int:
    snapshot = session.scalar(
        select(Tender.rules_snapshot)
        .join(Contract, Contract.tender_id == Tender.id)
        .where(Contract.id == contract_id)
    )
    return SettlementRules.from_snapshot(snapshot).payment_deadline_days


def record_invoice(
    session: Session,
    *,
    number: str,
    issued_on: date,
    amount: Decimal,
    recipient_id: int,
    lines: list[dict],
    now: datetime,
    actor: Actor,
) -> Invoice:
    """Record an invoice of your organization (manufacturer or distributor) covering receipt
    lines (``receipt_line_id``, ``quantity``, ``amount``); refused whole or stored whole."""
    actor.require(OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR, action="record invoices")
    number = (number or "").strip()
    errors = _field_errors(number, amount, lines)
    receipt = {}
    if not errors:
        receipt = _receipt_lines(session, [row["receipt_line_id"] for row in lines])
        errors = _party_errors(session, receipt, lines, recipient_id, actor)
    if errors:
        raise InvoiceNotValid(errors=errors)
    _check_chain(session, [row["receipt_line_id"] for row in lines], recipient_id, receipt)
    if session.scalar(
        select(Invoice.id).where(Invoice.issuer_id == actor.org_id, Invoice.number == number)
    ):
        raise InvoiceNumberTaken(number=number)
    invoice = Invoice(
        number=number,
        issuer_id=actor.org_id,
        recipient_id=recipient_id,
        issued_on=issued_on,
        amount=amount,
        recorded_at=now,
    )
    invoice.lines = [
        InvoiceLine(
            receipt_line_id=r["receipt_line_id"], quantity=r["quantity"], amount=r["amount"]
        )
        for r in lines
    ]
    session.add(invoice)
    session.flush()
    reconciled = session.scalars(
        select(ReconciliationLine).where(
            ReconciliationLine.receipt_line_id.in_([r["receipt_line_id"] for r in lines])
        )
    ).all()
    refresh_holds(session, list(reconciled), now)
    audit.record(
        session,
        action="settlement.invoice.recorded",
        subject_type="invoice",
        subject_id=invoice.id,
        now=now,
        actor=actor,
        payload={"number": number, "amount": str(amount), "lines": len(lines)},
    )
    session.commit()
    return invoice


def _field_errors(number: str, amount: Decimal, lines: list[dict]) -> dict:
    errors: dict[str, list[str]] = {}
    if not number or len(number) > monthly.MAX_INVOICE_NUMBER:
        errors["number"] = [N_("1 to 40 characters.")]
    if amount is None or not 0 < amount <= MAX_MONEY:
        errors["amount"] = [N_("More than 0 and at most 999,999,999,999 (MAX_MONEY).")]
    ids = [row["receipt_line_id"] for row in lines]
    if not lines or len(lines) > monthly.MAX_INVOICE_LINES or len(set(ids)) != len(ids):
        errors["lines"] = [N_("1 to 200 different receipt lines.")]
    elif any(not (row["quantity"] > 0 and 0 < row["amount"] <= MAX_MONEY) for row in lines):
        errors["lines"] = [N_("Each line needs a quantity and an amount above 0.")]
    elif amount is not None and sum(row["amount"] for row in lines) != amount:
        errors["amount"] = [N_("The amount must equal the sum of the lines.")]
    return errors


def _receipt_lines(session: Session, ids: list[int]) -> dict[int, tuple]:
    """receipt line id -> (hospital, manufacturer, shipper)."""
    rows = session.execute(
        select(
            ReceiptLine.id,
            ReceiptLine.hospital_id,
            ReceiptLine.manufacturer_id,
            Shipment.shipper_id,
        )
        .join(ShipmentLine, ShipmentLine.id == ReceiptLine.shipment_line_id)
        .join(Shipment, Shipment.id == ShipmentLine.shipment_id)
        .where(ReceiptLine.id.in_(ids), ReceiptLine.contract_id.is_not(None))
    )
    return {line_id: (h, m, s) for line_id, h, m, s in rows}


def _party_errors(session, receipt, lines, recipient_id, actor) -> dict:
    """The issuer must be each line's manufacturer or shipping distributor, and the recipient
    the next link of the chain: the distributor (from the manufacturer) or the hospital."""
    if len(receipt) != len(lines):
        return {"lines": [N_("A receipt line is not an accepted contract delivery.")]}
    recipient = session.get(Organization, recipient_id)
    for hospital, manufacturer, shipper in receipt.values():
        if actor.org_id not in (manufacturer, shipper):
            return {"lines": [N_("You neither made nor shipped one of these deliveries.")]}
        links = {hospital} if actor.org_id == shipper else set()
        if actor.org_id == manufacturer and shipper != manufacturer:
            links.add(shipper)
        if recipient is None or recipient_id not in links:
            return {
                "recipient_id": [N_("Invoice the next link: manufacturer, distributor, hospital.")]
            }
    return {}


def _check_chain(session, ids: list[int], recipient_id: int, receipt: dict) -> None:
    """两票制: at most two invoices per receipt line, at most one to the hospital."""
    rows = session.execute(
        select(InvoiceLine.receipt_line_id, func.count(), Invoice.recipient_id)
        .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
        .where(InvoiceLine.receipt_line_id.in_(ids), Invoice.voided_at.is_(None))
        .group_by(InvoiceLine.receipt_line_id, Invoice.recipient_id)
    ).all()
    count: dict[int, int] = {}
    to_recipient = set()
    for line_id, n, recipient in rows:
        count[line_id] = count.get(line_id, 0) + n
        if recipient == recipient_id:
            to_recipient.add(line_id)
    for line_id in ids:
        if count.get(line_id, 0) >= monthly.MAX_INVOICES_PER_LINE or line_id in to_recipient:
            raise TwoInvoiceRule(receipt_line_id=line_id, limit=monthly.MAX_INVOICES_PER_LINE)


def void_invoice(session: Session, *, invoice_id: int, now: datetime, actor: Actor) -> Invoice:
    """Void (红冲) one of your invoices: it no longer counts in the chain or the match, so a
    corrected invoice can replace it; the lines it covered are matched again."""
    actor.require(OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR, action="void invoices")
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.issuer_id != actor.org_id:
        raise InvoiceNotFound(invoice_id=invoice_id)
    if invoice.voided_at is not None:
        raise InvoiceVoided(number=invoice.number)
    invoice.voided_at = now
    session.flush()
    ids = [line.receipt_line_id for line in invoice.lines]
    reconciled = session.scalars(
        select(ReconciliationLine).where(ReconciliationLine.receipt_line_id.in_(ids))
    ).all()
    refresh_holds(session, list(reconciled), now)
    audit.record(
        session,
        action="settlement.invoice.voided",
        subject_type="invoice",
        subject_id=invoice.id,
        now=now,
        actor=actor,
        payload={"number": invoice.number},
    )
    session.commit()
    return invoice


def list_invoices(session: Session, *, actor: Actor, limit: int = 500) -> list[Invoice]:
    """Invoices you issued or received (fund and regulator: all), newest first."""
    actor.require(*OrgKind, write=False, action="read invoices")
    query = select(Invoice)
    if actor.org_kind not in (OrgKind.FUND, OrgKind.REGULATOR):
        query = query.where(
            (Invoice.issuer_id == actor.org_id) | (Invoice.recipient_id == actor.org_id)
        )
    return list(session.scalars(query.order_by(Invoice.id.desc()).limit(limit)))
