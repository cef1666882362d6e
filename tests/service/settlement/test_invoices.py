"""Invoices (两票制) and the three-way match of order, receipt and invoice (RULES.md 11).

Unit price 0.2000, 28 units a pack: 10 packs = 280 units = 56.00; 5 packs = 140 = 28.00."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from procurement.settlement.errors import (
    InvoiceNotValid,
    InvoiceNumberTaken,
    InvoiceVoided,
    TwoInvoiceRule,
)
from procurement.settlement.models import Payable
from procurement.settlement.monthly_models import HeldReason, Invoice
from procurement.settlement.services import invoices
from procurement.settlement.services import monthly_reconciliation as recon
from tests.fixtures.reconciliation import FEBRUARY_1

D = Decimal


def _invoice(db_session, clock, actor, recipient, number, *lines):
    return invoices.record_invoice(
        db_session,
        number=number,
        issued_on=date(2026, 1, 6),
        amount=sum((amount for _, _, amount in lines), D("0.00")),
        recipient_id=recipient,
        lines=[{"receipt_line_id": i, "quantity": q, "amount": a} for i, q, a in lines],
        now=clock.now(),
        actor=actor,
    )


def test_a_chain_of_two_invoices_is_accepted_and_a_third_refused(
    reconciled, deliver_accepted, distributor_of, db_session, clock
):
    """Manufacturer -> distributor (56.00 at the ex-works price), distributor -> hospital
    (56.00): two invoices. A third (the distributor again, or the manufacturer straight to the
    hospital) is refused by the two-invoice rule and stores nothing."""
    world = reconciled()
    distributor = distributor_of(world)
    line = deliver_accepted(world, 10, shipper=distributor)
    hospital = world.hospital.organization.id
    _invoice(db_session, clock, world.m, distributor.org_id, "M-1", (line.id, 280, D("56.00")))
    _invoice(db_session, clock, distributor, hospital, "D-1", (line.id, 280, D("56.00")))
    with pytest.raises(TwoInvoiceRule):
        _invoice(db_session, clock, distributor, hospital, "D-2", (line.id, 280, D("56.00")))
    db_session.rollback()
    with pytest.raises(InvoiceNotValid) as error:  # the manufacturer cannot skip its distributor
        _invoice(db_session, clock, world.m, hospital, "M-2", (line.id, 280, D("56.00")))
    assert "recipient_id" in error.value.extra["errors"]
    db_session.rollback()
    assert sorted(i.number for i in db_session.query(Invoice)) == ["D-1", "M-1"]


def test_one_invoice_straight_to_the_hospital_when_the_manufacturer_ships_itself(
    reconciled, deliver_accepted, db_session, clock
):
    world = reconciled()
    line = deliver_accepted(world, 10)
    hospital = world.hospital.organization.id
    _invoice(db_session, clock, world.m, hospital, "M-1", (line.id, 280, D("56.00")))
    with pytest.raises(TwoInvoiceRule):  # a second invoice to the hospital
        _invoice(db_session, clock, world.m, hospital, "M-2", (line.id, 280, D("56.00")))
    db_session.rollback()
    with pytest.raises(InvoiceNumberTaken):
        _invoice(
            db_session,
            clock,
            world.m,
            hospital,
            "M-1",
            (deliver_accepted(world, 1).id, 28, D("5.60")),
        )


def test_field_errors_name_the_field(reconciled, deliver_accepted, db_session, clock):
    world = reconciled()
    line = deliver_accepted(world, 10)
    with pytest.raises(InvoiceNotValid) as error:
        invoices.record_invoice(
            db_session,
            number="",
            issued_on=date(2026, 1, 6),
            amount=D("50.00"),
            recipient_id=world.hospital.organization.id,
            lines=[{"receipt_line_id": line.id, "quantity": 280, "amount": D("56.00")}],
            now=clock.now(),
            actor=world.m,
        )
    assert set(error.value.extra["errors"]) == {"number", "amount"}


def test_a_three_way_mismatch_holds_the_line_and_the_run_pays_the_rest(
    reconciled, deliver_accepted, db_session, clock, fund_actor
):
    """Three lines of 56.00 (280 units). Invoiced: 279 units (quantity differs), 56.02 (off by
    0.02 > 0.01) and 56.01 (within 0.01: matches). Both confirm: the run pays the matching
    line only, 56.00; the two others are held as a mismatch."""
    from procurement.settlement import services as settlement

    world = reconciled()
    short, dear, fine = (
        deliver_accepted(world, 10),
        deliver_accepted(world, 10),
        deliver_accepted(world, 10),
    )
    hospital = world.hospital.organization.id
    _invoice(db_session, clock, world.m, hospital, "A", (short.id, 279, D("56.00")))
    _invoice(db_session, clock, world.m, hospital, "B", (dear.id, 280, D("56.02")))
    _invoice(db_session, clock, world.m, hospital, "C", (fine.id, 280, D("56.01")))
    clock.set(FEBRUARY_1)
    (reconciliation,) = recon.issue_month(
        db_session, month=date(2026, 1, 1), now=clock.now(), actor=fund_actor
    )
    for side in (world.h, world.m):
        recon.confirm(db_session, reconciliation_id=reconciliation.id, now=clock.now(), actor=side)
    held = {line.receipt_line_id: line.held_reason for line in reconciliation.lines}
    assert held == {short.id: HeldReason.MISMATCH, dear.id: HeldReason.MISMATCH, fine.id: None}
    run = settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key="three-way",
        now=clock.now(),
        actor=fund_actor,
    )
    assert (run.payables_count, run.total_amount) == (1, D("56.00"))
    # 红冲: the manufacturer voids invoice A and records the right one; the line is released
    # now and the next run pays it (56.00), due 30 days after 02-01 09:00 = 03-03 09:00.
    voided = db_session.scalars(select(Invoice).where(Invoice.number == "A")).one()
    invoices.void_invoice(db_session, invoice_id=voided.id, now=clock.now(), actor=world.m)
    _invoice(db_session, clock, world.m, hospital, "A2", (short.id, 280, D("56.00")))
    held = {line.receipt_line_id: line.held_reason for line in reconciliation.lines}
    assert held == {short.id: None, dear.id: HeldReason.MISMATCH, fine.id: None}
    again = settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key="after-correction",
        now=clock.now(),
        actor=fund_actor,
    )
    assert (again.payables_count, again.total_amount) == (1, D("56.00"))
    assert db_session.get(Payable, short.id).due_at == datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    with pytest.raises(InvoiceVoided):
        invoices.void_invoice(db_session, invoice_id=voided.id, now=clock.now(), actor=world.m)
