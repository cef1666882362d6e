"""Receiving by scan, one package one life, dispensing and the stock ledger, the coded payable
(issue 18 items 2, 3, 4 and the coded half of 7). Figures by hand: a pack is 28 units at
0.2000 yuan a unit, so a box is 5.60 yuan; shipments expire 700 days after the ship date."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from procurement.core.errors import Forbidden, NotFound
from procurement.orders.models import ReceiptLine
from procurement.settlement.models import Payable
from procurement.settlement.services.payables import accrue_payables
from procurement.trace import services as trace
from procurement.trace.errors import NoCodeStockNotValid, ScanReceiptNotValid, ScanRefused
from procurement.trace.files import CodeRow
from procurement.trace.models import EventKind, PackageState, TraceEvent, TracePackage
from procurement.trace.scan_models import AlertKind, LineCoding, TraceAlert
from procurement.trace.services.accepting import LineDecision, accept_scanned
from procurement.trace.services.alerts import list_alerts
from procurement.trace.services.dispensing import Movement, record_movements
from procurement.trace.services.scanning import draft, scan_code
from procurement.trace.services.stock_ledger import declare_no_code, ledger

CASE = "81234569000000000001"


@pytest.fixture
def coded(make_shipped, db_session, clock):
    """4 boxes shipped with codes: boxes 1 and 2 in CASE, boxes 3 and 4 loose."""

    def make(world=None):
        shipped = make_shipped(packs=4, world=world)
        rows = [
            CodeRow(2, shipped.mashang(1), CASE),
            CodeRow(3, shipped.mashang(2), CASE),
            CodeRow(4, shipped.mashang(3)),
            CodeRow(5, shipped.mashang(4)),
        ]
        trace.attach_codes(
            db_session,
            shipment_line_id=shipped.line.id,
            rows=rows,
            now=clock.now(),
            actor=shipped.world.m,
        )
        return shipped

    return make


def _scan(session, clock, shipped, code, actor=None):
    return scan_code(
        session,
        shipment_id=shipped.shipment.id,
        code=code,
        now=clock.now(),
        actor=actor or shipped.world.h,
    )


def _accept(session, clock, shipped, **decision):
    return accept_scanned(
        session,
        shipment_id=shipped.shipment.id,
        decisions=[LineDecision(shipped.line.id, **decision)],
        now=clock.now(),
        actor=shipped.world.h,
    )


def test_scans_count_per_line_a_case_counts_its_boxes_and_a_repeat_is_refused(
    coded, db_session, clock
):
    shipped = coded()
    found = _scan(db_session, clock, shipped, CASE)
    assert [(c.packs, c.scanned) for c in found.counts] == [(4, 2)]
    found = _scan(db_session, clock, shipped, shipped.mashang(3))
    assert [(c.packs, c.scanned) for c in found.counts] == [(4, 3)]
    for code, why in [
        (shipped.mashang(3), "scanned already"),
        (shipped.mashang(1), f"its case {CASE} was scanned already"),
        ("81234560000000000099", "the platform never shipped this code"),
    ]:
        with pytest.raises(ScanRefused) as refused:
            _scan(db_session, clock, shipped, code)
        db_session.rollback()
        assert why in refused.value.detail
    again = draft(
        db_session, shipment_id=shipped.shipment.id, now=clock.now(), actor=shipped.world.h
    )
    assert [(c.packs, c.scanned) for c in again.counts] == [(4, 3)]


def test_accepting_receives_scanned_packages_rejects_the_rest_and_pays_the_coded_amount(
    coded, db_session, clock
):
    shipped = coded()
    for code in (CASE, shipped.mashang(3)):
        _scan(db_session, clock, shipped, code)
    with pytest.raises(ScanReceiptNotValid) as refused:
        _accept(db_session, clock, shipped)  # the fourth box: no reason given
    db_session.rollback()
    assert f"lines.{shipped.line.id}.rejection_reason" in refused.value.extra["errors"]
    _accept(db_session, clock, shipped, rejection_reason="box crushed")
    rl = db_session.scalars(select(ReceiptLine)).one()
    assert (rl.accepted_quantity, rl.rejected_quantity) == (84, 28)  # 3 and 1 boxes of 28
    assert rl.accepted_amount == Decimal("16.80")
    states = {p.code: p.state for p in db_session.scalars(select(TracePackage))}
    assert states[shipped.mashang(1)] == PackageState.RECEIVED  # through its case
    assert states[CASE] == PackageState.RECEIVED
    assert states[shipped.mashang(4)] == PackageState.SHIPPED
    coding = db_session.get(LineCoding, shipped.line.id)
    assert (coding.coded_quantity, coding.uncoded_quantity, coding.codes_required) == (84, 0, True)
    accrue_payables(db_session, now=clock.now())
    assert db_session.scalars(select(Payable.amount)).all() == [Decimal("16.80")]
    stock = ledger(db_session, now=clock.now(), actor=shipped.world.h)
    assert [(r.line.received, r.line.on_hand) for r in stock.rows] == [(3, 3)]


def test_without_a_code_only_with_a_reason_and_if_the_rules_allow_it_then_held(
    make_contract, coded, db_session, clock
):
    shipped = coded()
    _scan(db_session, clock, shipped, shipped.mashang(3))
    with pytest.raises(ScanReceiptNotValid) as refused:
        _accept(db_session, clock, shipped, without_code=3, without_code_reason="label torn")
    db_session.rollback()
    assert "receive_without_code" in str(refused.value.extra["errors"])

    db_session.rollback()
    tender = shipped.world.contract.tender
    tender.rules_snapshot = {
        **(tender.rules_snapshot or {}),
        "trace": {"receive_without_code": True},
    }
    db_session.commit()
    allowing = shipped  # box 3 scanned above stays on the draft
    with pytest.raises(ScanReceiptNotValid) as refused:
        _accept(db_session, clock, allowing, without_code=3)
    db_session.rollback()
    assert f"lines.{allowing.line.id}.without_code_reason" in refused.value.extra["errors"]
    _accept(db_session, clock, allowing, without_code=3, without_code_reason="label torn")
    coding = db_session.get(LineCoding, allowing.line.id)
    assert (coding.coded_quantity, coding.uncoded_quantity) == (28, 84)
    assert (coding.coded_amount, coding.held_reason) == (Decimal("5.60"), "label torn")
    accrue_payables(db_session, now=clock.now())
    assert db_session.scalars(select(Payable.amount)).all() == [Decimal("5.60")]  # 3 boxes held
    stock = ledger(db_session, now=clock.now(), actor=allowing.world.h)
    assert [r.line.received for r in stock.rows] == [1]
    assert stock.no_code_total == 3  # counted apart


def _receive_all(session, clock, shipped):
    for code in (CASE, shipped.mashang(3), shipped.mashang(4)):
        _scan(session, clock, shipped, code)
    _accept(session, clock, shipped)


def test_a_second_receipt_at_another_hospital_names_both_places_and_times(
    coded, make_shipped, make_contract, db_session, clock
):
    first = coded()
    _receive_all(db_session, clock, first)
    received_at = clock.now()
    clock.advance(days=3)
    other = make_shipped(packs=1, world=make_contract(), formats=False)  # another hospital
    with pytest.raises(ScanRefused) as refused:
        _scan(db_session, clock, other, first.mashang(3))
    assert "received before" in refused.value.detail
    alert = db_session.scalars(select(TraceAlert)).one()
    assert alert.kind == AlertKind.SECOND_RECEIPT
    assert (alert.org_id, alert.seen_at) == (other.world.hospital.organization.id, clock.now())
    assert (alert.first_org_id, alert.first_at) == (
        first.world.hospital.organization.id,
        received_at,
    )
    rows = list_alerts(db_session, actor=_regulator(db_session))
    assert [(r.place, r.first_place) for r in rows] == [
        (other.world.hospital.organization.name, first.world.hospital.organization.name)
    ]
    assert list_alerts(db_session, actor=first.world.h) == []  # not raised at it


def _regulator(session):
    from procurement.auth.models import Organization, OrgKind, User
    from procurement.auth.services import actor_of

    user = session.scalars(
        select(User).join(Organization).where(Organization.kind == OrgKind.REGULATOR)
    ).first()
    return actor_of(user)


def test_dispensing_once_then_alerts_for_twice_before_receipt_and_unknown(coded, db_session, clock):
    shipped = coded()
    clock.advance(hours=1)
    for code in (CASE, shipped.mashang(3)):
        _scan(db_session, clock, shipped, code)
    _accept(db_session, clock, shipped, rejection_reason="missing")
    clock.advance(days=1)
    codes = [shipped.mashang(1), shipped.mashang(1), shipped.mashang(4), "81234560000000000099"]
    result = record_movements(
        db_session, codes=codes, movement=Movement.DISPENSE, now=clock.now(), actor=shipped.world.h
    )
    assert result.recorded == 1
    assert result.refused == [(shipped.mashang(1), "repeated")]
    assert result.alerts == [
        (shipped.mashang(4), AlertKind.DISPENSE_BEFORE_RECEIPT),
        ("81234560000000000099", AlertKind.UNKNOWN_CODE),
    ]
    clock.advance(days=1)
    again = record_movements(
        db_session,
        codes=[shipped.mashang(1)],
        movement=Movement.DISPENSE,
        now=clock.now(),
        actor=shipped.world.h,
    )
    assert again.alerts == [(shipped.mashang(1), AlertKind.SECOND_DISPENSE)]
    alert = db_session.scalars(
        select(TraceAlert).where(TraceAlert.kind == AlertKind.SECOND_DISPENSE)
    ).one()
    assert alert.first_at == clock.now() - timedelta(days=1)
    returned = record_movements(
        db_session,
        codes=[shipped.mashang(2), shipped.mashang(4)],
        movement=Movement.RETURN,
        now=clock.now(),
        actor=shipped.world.h,
    )
    assert (returned.recorded, returned.refused) == (
        1,
        [(shipped.mashang(4), "not a box in your stock")],
    )
    kinds = db_session.scalars(
        select(TraceEvent.kind)
        .where(TraceEvent.code == shipped.mashang(1))
        .order_by(TraceEvent.occurred_at)
    ).all()
    assert kinds == [EventKind.SHIPPED, EventKind.RECEIVED, EventKind.DISPENSED]
    stock = ledger(db_session, now=clock.now(), actor=shipped.world.h)
    line = stock.rows[0].line
    # received 3 (case of 2 + box 3), dispensed 1 (box 1), returned 1 (box 2): 1 on hand
    assert (line.received, line.dispensed, line.returned, line.on_hand) == (3, 1, 1, 1)


def test_expiry_alerts_at_180_and_90_days_by_the_clock(coded, db_session, clock):
    shipped = coded()
    _receive_all(db_session, clock, shipped)
    expiry = shipped.line.expiry_date
    for days_before, alert in [(181, None), (180, 180), (91, 180), (90, 90), (1, 90)]:
        clock.set(clock.now().replace(year=expiry.year, month=expiry.month, day=expiry.day))
        clock.advance(days=-days_before)
        row = ledger(db_session, now=clock.now(), actor=shipped.world.h).rows[0]
        assert (row.days_left, row.alert_days) == (days_before, alert)


def test_no_code_stock_is_declared_apart_with_a_reason(coded, db_session, clock):
    shipped = coded()
    product_id = shipped.world.contract.product_id
    args = dict(product_id=product_id, batch_no="OLD1", expiry_date=shipped.line.expiry_date)
    with pytest.raises(NoCodeStockNotValid) as refused:
        declare_no_code(
            db_session, **args, quantity=0, reason="", now=clock.now(), actor=shipped.world.h
        )
    assert set(refused.value.extra["errors"]) == {"quantity", "reason"}
    db_session.rollback()
    declare_no_code(
        db_session,
        **args,
        quantity=12,
        reason="bought 2024",
        now=clock.now(),
        actor=shipped.world.h,
    )
    declare_no_code(
        db_session, **args, quantity=5, reason="bought 2024", now=clock.now(), actor=shipped.world.h
    )
    stock = ledger(db_session, now=clock.now(), actor=shipped.world.h)
    assert (stock.no_code_total, stock.rows) == (17, [])
    with pytest.raises(Forbidden):
        declare_no_code(
            db_session, **args, quantity=1, reason="x", now=clock.now(), actor=shipped.world.m
        )


def test_only_the_ordering_hospital_scans(coded, make_contract, db_session, clock):
    shipped = coded()
    other = make_contract()
    with pytest.raises(Forbidden):
        _scan(db_session, clock, shipped, CASE, actor=shipped.world.m)
    with pytest.raises((Forbidden, NotFound)):
        _scan(db_session, clock, shipped, CASE, actor=other.h)
