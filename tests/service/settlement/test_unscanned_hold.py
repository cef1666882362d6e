"""A delivery whose packages carry traceability codes but that was accepted through the
orders area's quantity form (no scan, so no coding row) is held, not paid, while its tender
requires codes (RULES.md 5 and 11; ``settlement/services/holds.py``).

Figures by hand: 0.2000 yuan a unit, 28 units a box, so a box is 5.60 yuan."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from procurement.orders import services as orders
from procurement.orders.models import ReceiptLine
from procurement.settlement import services as settlement
from procurement.settlement.models import Payable
from procurement.settlement.monthly_models import HeldReason
from procurement.settlement.queries import due_today
from procurement.settlement.services import monthly_reconciliation as recon
from procurement.settlement.services.invoices import record_invoice
from procurement.settlement.services.statements import statement
from procurement.trace import services as trace
from procurement.trace.files import CodeRow
from procurement.trace.services.accepting import LineDecision, accept_scanned
from procurement.trace.services.scanning import scan_code
from tests.fixtures.reconciliation import FEBRUARY_1


def _coded(make_shipped, db_session, clock, world, boxes, first):
    """A shipment of ``boxes`` boxes coded from serial ``first`` on."""
    shipped = make_shipped(packs=boxes, world=world)
    rows = [CodeRow(i + 2, shipped.mashang(first + i)) for i in range(boxes)]
    trace.attach_codes(
        db_session, shipment_line_id=shipped.line.id, rows=rows, now=clock.now(), actor=world.m
    )
    return shipped


def _old_form(db_session, clock, shipped) -> ReceiptLine:
    """All accepted through the quantity form's service (orders.record_receipt)."""
    line = shipped.line
    receipt = orders.record_receipt(
        db_session,
        shipment_id=shipped.shipment.id,
        lines=[orders.ReceiveLine(line.id, line.quantity, 0, None)],
        now=clock.now(),
        actor=shipped.world.h,
    )
    return db_session.scalars(
        select(ReceiptLine).where(ReceiptLine.receipt_id == receipt.receipt_id)
    ).one()


def _scan_and_accept(db_session, clock, shipped, serials, decision: LineDecision) -> None:
    """The hospital scans the boxes of these serials, then accepts with ``decision``."""
    for serial in serials:
        scan_code(
            db_session,
            shipment_id=shipped.shipment.id,
            code=shipped.mashang(serial),
            now=clock.now(),
            actor=shipped.world.h,
        )
    accept_scanned(
        db_session,
        shipment_id=shipped.shipment.id,
        decisions=[decision],
        now=clock.now(),
        actor=shipped.world.h,
    )


def _run(db_session, clock, fund_actor, key="run"):
    return settlement.start_run(
        db_session,
        cut_off=clock.now().date(),
        idempotency_key=key,
        now=clock.now(),
        actor=fund_actor,
    )


def test_a_coded_delivery_accepted_without_its_scan_is_held_and_the_scanned_one_paid(
    make_contract, make_shipped, db_session, clock, fund_actor
):
    """Held: 4 coded boxes by the quantity form (4 x 5.60 = 22.40). Paid: 3 coded boxes
    scanned (16.80) and 2 boxes shipped without codes by the quantity form (11.20): 28.00."""
    world = make_contract(agreed=2800)
    unscanned = _old_form(db_session, clock, _coded(make_shipped, db_session, clock, world, 4, 1))
    scanned = _coded(make_shipped, db_session, clock, world, 3, 5)
    _scan_and_accept(db_session, clock, scanned, (5, 6, 7), LineDecision(scanned.line.id))
    plain = _old_form(db_session, clock, make_shipped(packs=2, world=world))
    assert unscanned.accepted_amount == Decimal("22.40")
    run = _run(db_session, clock, fund_actor)
    assert (run.payables_count, run.total_amount) == (2, Decimal("28.00"))
    assert db_session.get(Payable, plain.id).amount == Decimal("11.20")
    held = db_session.get(Payable, unscanned.id)
    assert held is None or held.paid_at is None
    report = statement(
        db_session,
        party_id=world.hospital.organization.id,
        period_to=clock.now().date(),
        now=clock.now(),
        actor=fund_actor,
    )
    assert report.summary["held_unscanned"] == Decimal("22.40")


def test_before_codes_are_required_the_quantity_form_is_paid_in_full(
    make_contract, make_shipped, db_session, clock, fund_actor
):
    """The tender requires codes from 2027-01-01 only: the 4 coded boxes accepted by
    quantities in January 2026 are paid, 22.40."""
    world = make_contract(agreed=2800, rules_snapshot={"trace": {"trace_codes_from": "2027-01-01"}})
    line = _old_form(db_session, clock, _coded(make_shipped, db_session, clock, world, 4, 1))
    run = _run(db_session, clock, fund_actor)
    assert (run.payables_count, run.total_amount) == (1, Decimal("22.40"))
    assert db_session.get(Payable, line.id).paid_at == clock.now()


def test_a_reconciled_line_accepted_without_its_scan_stays_held_after_both_confirm(
    reconciled, make_shipped, db_session, clock, fund_actor
):
    """January: 4 coded boxes by the quantity form (22.40, held: unscanned) and 2 boxes
    without codes (11.20, paid once confirmed and invoiced)."""
    world = reconciled()
    unscanned = _old_form(db_session, clock, _coded(make_shipped, db_session, clock, world, 4, 1))
    plain = _old_form(db_session, clock, make_shipped(packs=2, world=world))
    clock.set(FEBRUARY_1)
    (month,) = recon.issue_month(
        db_session, month=date(2026, 1, 1), now=clock.now(), actor=fund_actor
    )
    record_invoice(
        db_session,
        number="FP-1",
        issued_on=clock.now().date(),
        amount=Decimal("33.60"),
        recipient_id=world.hospital.organization.id,
        lines=[
            {"receipt_line_id": unscanned.id, "quantity": 112, "amount": Decimal("22.40")},
            {"receipt_line_id": plain.id, "quantity": 56, "amount": Decimal("11.20")},
        ],
        now=clock.now(),
        actor=world.m,
    )
    for side in (world.h, world.m):
        recon.confirm(db_session, reconciliation_id=month.id, now=clock.now(), actor=side)
    reasons = {line.receipt_line_id: line.held_reason for line in month.lines}
    assert reasons == {unscanned.id: HeldReason.UNSCANNED, plain.id: None}
    run = _run(db_session, clock, fund_actor)
    assert (run.payables_count, run.total_amount) == (1, Decimal("11.20"))
    assert recon.held_totals(recon.held_lines(db_session, actor=fund_actor)) == {
        "unscanned": Decimal("22.40")
    }


def test_the_funds_due_today_counts_the_scanned_packages_not_all_accepted(
    make_contract, make_shipped, db_session, clock, fund_actor
):
    """3 coded boxes: 2 scanned, 1 accepted without its code (with a reason). Accepted 3 x
    5.60 = 16.80; the run pays the 2 scanned boxes, 11.20, and the fund's to-do says so."""
    world = make_contract(agreed=2800)
    tender = world.contract.tender
    snapshot = tender.rules_snapshot or {}
    trace_rules = {**snapshot.get("trace", {}), "receive_without_code": True}
    tender.rules_snapshot = {**snapshot, "trace": trace_rules}
    db_session.commit()
    shipped = _coded(make_shipped, db_session, clock, world, 3, 1)
    decision = LineDecision(shipped.line.id, without_code=1, without_code_reason="码损坏")
    _scan_and_accept(db_session, clock, shipped, (1, 2), decision)
    line = db_session.scalars(
        select(ReceiptLine).where(ReceiptLine.shipment_line_id == shipped.line.id)
    ).one()
    assert line.accepted_amount == Decimal("16.80")
    today = clock.now().date()
    assert due_today(db_session, today, clock.now()) == (1, Decimal("11.20"))
    run = _run(db_session, clock, fund_actor)
    assert (run.payables_count, run.total_amount) == (1, Decimal("11.20"))
