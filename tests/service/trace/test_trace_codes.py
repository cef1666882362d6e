"""Codes on shipment lines: each format accepted and refused, aggregation, all refusals at
once, nothing stored on refusal, one package one shipment, who may send codes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from procurement.auth.services import actor_of
from procurement.core.errors import Conflict, Forbidden, NotFound
from procurement.trace import services as trace
from procurement.trace.checks import MAX_CODE_REFUSALS
from procurement.trace.errors import CodesRefused, FormatsNotValid, NotTheShipper
from procurement.trace.files import CodeRow
from procurement.trace.models import (
    EventKind,
    PackageLevel,
    PackageState,
    TraceEvent,
    TracePackage,
)
from procurement.trace.services.store import ensure_partition
from tests.fixtures.trace import GTIN


def _count(session, model=TracePackage) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _rows(*codes, case=None):
    return [CodeRow(n, code, case) for n, code in enumerate(codes, start=1)]


def _attach(session, clock, shipped, rows, actor=None):
    return trace.attach_codes(
        session,
        shipment_line_id=shipped.line.id,
        rows=rows,
        now=clock.now(),
        actor=actor or shipped.world.m,
    )


def _refusals(session, clock, shipped, rows, actor=None) -> CodesRefused:
    with pytest.raises(CodesRefused) as error:
        _attach(session, clock, shipped, rows, actor)
    session.rollback()
    assert _count(session) == 0
    assert _count(session, TraceEvent) == 0
    return error.value


def test_mashang_codes_become_shipped_packages_with_one_event_each(make_shipped, db_session, clock):
    shipped = make_shipped(packs=3)
    result = _attach(db_session, clock, shipped, _rows(*(shipped.mashang(n) for n in (1, 2, 3))))
    assert (result.boxes, result.cases) == (3, 0)
    package = db_session.get(TracePackage, shipped.mashang(2))
    line = shipped.line
    assert (package.level, package.boxes, package.state) == (PackageLevel.BOX, 1, "shipped")
    assert (package.batch_no, package.expiry_date) == (line.batch_no, line.expiry_date)
    assert package.product_id == shipped.world.contract.product_id
    assert package.holder_org_id == shipped.world.manufacturer.organization.id
    events = db_session.scalars(select(TraceEvent).order_by(TraceEvent.code)).all()
    assert [(e.code, e.kind) for e in events] == [
        (shipped.mashang(n), EventKind.SHIPPED) for n in (1, 2, 3)
    ]
    assert {e.occurred_at for e in events} == {clock.now()}


def test_gs1_codes_in_printed_or_scanned_form_are_keyed_by_gtin_and_serial(
    make_shipped, db_session, clock
):
    shipped = make_shipped(packs=2)
    line = shipped.line
    scanned = f"]d201{GTIN}17{line.expiry_date:%y%m%d}10{line.batch_no}\x1d21S2"
    _attach(db_session, clock, shipped, _rows(shipped.gs1("S1"), scanned))
    keys = db_session.scalars(select(TracePackage.code).order_by(TracePackage.code)).all()
    assert keys == [f"01{GTIN}21S1", f"01{GTIN}21S2"]


def test_a_registered_format_is_accepted_when_it_matches_whole(make_shipped, db_session, clock):
    shipped = make_shipped(packs=2)
    _attach(db_session, clock, shipped, _rows("ZY0000000001", "ZY0000000002"))
    assert _count(db_session) == 2


def test_codes_with_a_backslash_or_a_tab_are_stored_as_sent(make_shipped, db_session, clock):
    # A registered format may allow what COPY's text format escapes (PostgreSQL's ingest).
    shipped = make_shipped(packs=3)
    trace.register_formats(
        db_session,
        product_id=shipped.world.contract.product_id,
        prefix=None,
        gtin=None,
        pattern=r"Q[\\\t]?[0-9]{3}",
        now=clock.now(),
        actor=shipped.world.m,
    )
    codes = ("Q\\001", "Q\t002", "Q003")
    _attach(db_session, clock, shipped, _rows(*codes))
    db_session.expire_all()
    stored = db_session.scalars(select(TracePackage.code).order_by(TracePackage.code)).all()
    assert sorted(stored) == sorted(codes)
    events = db_session.scalars(select(TraceEvent.code)).all()
    assert sorted(events) == sorted(codes)


def test_a_large_plain_file_is_stored_whole_and_refused_whole(make_shipped, db_session, clock):
    # 5,000 码上放心 codes: the whole-list check and the bulk write; then a second line's file
    # repeating one of them is refused by row and stores nothing.
    first = make_shipped(packs=5000)
    codes = [first.mashang(n) for n in range(5000)]
    assert _attach(db_session, clock, first, _rows(*codes)).boxes == 5000
    assert (_count(db_session), _count(db_session, TraceEvent)) == (5000, 5000)
    assert db_session.get(TracePackage, codes[4321]).shipment_line_id == first.line.id
    second = make_shipped(packs=5000, world=first.world)
    again = [second.mashang(n) for n in range(5000, 9999)] + [codes[4321]]
    with pytest.raises(CodesRefused) as error:
        _attach(db_session, clock, second, _rows(*again))
    db_session.rollback()
    assert error.value.extra["errors"] == {f"row 5000: {codes[4321]}": ["already shipped"]}
    assert (_count(db_session), _count(db_session, TraceEvent)) == (5000, 5000)


@pytest.mark.parametrize(
    ("code", "wrong"),
    [
        (lambda s: "9123456" + "0" * 12 + "1", "product prefix 9123456 is not 8123456"),
        (lambda s: s.gs1("S1").replace(GTIN, "04006381333931"), "GTIN 04006381333931 is not"),
        (lambda s: s.gs1("S1").replace(GTIN, "07032069804989"), "wrong check digit"),
        (lambda s: s.gs1("S1", batch="OTHER"), "batch OTHER is not the line's batch B2026001"),
        (
            lambda s: s.gs1("S1", expiry=s.line.expiry_date + timedelta(days=1)),
            "is not the line's expiry",
        ),
        (lambda s: f"(01){GTIN}(21)S1", "missing (10), (17)"),
        (lambda s: "ZY00001", "not a 20-digit 码上放心 code"),
        (lambda s: "8123456000000000001X", "not a 20-digit 码上放心 code"),
        (lambda s: "(01)123", "not a readable GS1 element string"),
    ],
    ids=[
        "wrong-prefix",
        "wrong-gtin",
        "gtin-check-digit",
        "batch",
        "expiry",
        "gs1-missing-ais",
        "registered-too-short",
        "malformed",
        "gs1-unreadable",
    ],
)
def test_a_code_that_is_not_the_lines_is_refused_by_row_and_nothing_is_stored(
    make_shipped, db_session, clock, code, wrong
):
    shipped = make_shipped(packs=2)
    bad = code(shipped)
    refused = _refusals(db_session, clock, shipped, _rows(shipped.mashang(1), bad))
    errors = refused.extra["errors"]
    assert list(errors) == [f"row 2: {bad}"]
    assert wrong in errors[f"row 2: {bad}"][0]
    assert refused.extra["line_no"] == 1
    assert refused.extra["shipment"] == shipped.shipment.number


def test_a_code_twice_in_the_file_names_both_rows(make_shipped, db_session, clock):
    shipped = make_shipped(packs=2)
    code = shipped.mashang(1)
    refused = _refusals(db_session, clock, shipped, _rows(code, code))
    assert refused.extra["errors"] == {f"row 2: {code}": ["the same code as row 1"]}
    assert refused.extra["refused"] == 1


def test_a_file_with_more_or_fewer_codes_than_packs_is_refused(make_shipped, db_session, clock):
    shipped = make_shipped(packs=3)
    refused = _refusals(db_session, clock, shipped, _rows(shipped.mashang(1), shipped.mashang(2)))
    assert refused.extra["errors"] == {
        "line": ["2 box codes for a line of 3 packs: one code per pack"]
    }


def test_every_refusal_is_reported_at_once_up_to_the_limit(make_shipped, db_session, clock):
    shipped = make_shipped(packs=150)
    rows = _rows(*(f"9{n:019d}" for n in range(150)))
    refused = _refusals(db_session, clock, shipped, rows)
    assert refused.extra["refused"] == 150
    assert refused.extra["shown"] == MAX_CODE_REFUSALS
    assert len(refused.extra["errors"]) == MAX_CODE_REFUSALS


def test_a_code_shipped_before_is_refused_on_another_line(make_shipped, db_session, clock):
    first = make_shipped(packs=2)
    _attach(db_session, clock, first, _rows(first.mashang(1), first.mashang(2)))
    second = make_shipped(packs=2, world=first.world)
    rows = _rows(second.mashang(3), first.mashang(2))
    with pytest.raises(CodesRefused) as error:
        _attach(db_session, clock, second, rows)
    db_session.rollback()
    assert error.value.extra["errors"] == {f"row 2: {first.mashang(2)}": ["already shipped"]}
    assert db_session.get(TracePackage, second.mashang(3)) is None
    assert db_session.get(TracePackage, first.mashang(2)).shipment_line_id == first.line.id
    assert _count(db_session) == 2


def test_a_case_code_stands_for_its_boxes(make_shipped, db_session, clock):
    shipped = make_shipped(packs=3)
    case_a, case_b = "81234569000000000001", "81234569000000000002"
    rows = [
        CodeRow(2, shipped.mashang(1), case_a),
        CodeRow(3, shipped.mashang(2), case_a),
        CodeRow(4, shipped.mashang(3), case_b),
    ]
    result = _attach(db_session, clock, shipped, rows)
    assert (result.boxes, result.cases) == (3, 2)
    case = db_session.get(TracePackage, case_a)
    assert (case.level, case.boxes, case.case_code) == (PackageLevel.CASE, 2, None)
    assert db_session.get(TracePackage, case_b).boxes == 1
    assert db_session.get(TracePackage, shipped.mashang(2)).case_code == case_a
    assert _count(db_session, TraceEvent) == 5


def test_a_case_code_that_is_also_a_box_is_refused(make_shipped, db_session, clock):
    shipped = make_shipped(packs=2)
    box = shipped.mashang(1)
    rows = [CodeRow(2, box, None), CodeRow(3, shipped.mashang(2), box)]
    refused = _refusals(db_session, clock, shipped, rows)
    assert refused.extra["errors"] == {f"row 3: {box}": ["a case code that is also a box (row 2)"]}


def test_a_line_with_codes_takes_no_second_file(make_shipped, db_session, clock):
    shipped = make_shipped(packs=1)
    _attach(db_session, clock, shipped, _rows(shipped.mashang(1)))
    with pytest.raises(Conflict, match="already carries its 1 codes"):
        _attach(db_session, clock, shipped, _rows(shipped.mashang(2)))


def test_a_product_without_formats_refuses_every_code(make_shipped, db_session, clock):
    shipped = make_shipped(packs=1, formats=False)
    refused = _refusals(db_session, clock, shipped, _rows(shipped.mashang(1)))
    assert "has no registered 码上放心 prefix" in next(iter(refused.extra["errors"].values()))[0]


# -- who may send codes ----------------------------------------------------------------------


def test_only_the_shipments_manufacturer_or_distributor_may_send_codes(
    make_shipped, make_actor, db_session, clock, regulator
):
    shipped = make_shipped(packs=1)
    rows = _rows(shipped.mashang(1))
    with pytest.raises(Forbidden):
        _attach(db_session, clock, shipped, rows, actor=shipped.world.h)
    with pytest.raises(Forbidden):
        _attach(db_session, clock, shipped, rows, actor=actor_of(regulator))
    with pytest.raises(NotTheShipper):
        _attach(db_session, clock, shipped, rows, actor=make_actor("manufacturer"))
    with pytest.raises(NotTheShipper):
        _attach(db_session, clock, shipped, rows, actor=make_actor("distributor"))
    assert _count(db_session) == 0


def test_the_appointed_distributor_that_shipped_sends_the_codes(
    distributor_world, make_shipped, db_session, clock
):
    world, distributor = distributor_world
    shipped = make_shipped(packs=1, world=world, actor=distributor)
    assert shipped.shipment.shipper_id == distributor.org_id
    _attach(db_session, clock, shipped, _rows(shipped.mashang(1)), actor=distributor)
    package = db_session.get(TracePackage, shipped.mashang(1))
    assert package.holder_org_id == distributor.org_id


def test_an_unknown_shipment_line_is_not_found(make_actor, db_session, clock):
    with pytest.raises(NotFound):
        trace.attach_codes(
            db_session,
            shipment_line_id=987654,
            rows=_rows("81234560000000000001"),
            now=clock.now(),
            actor=make_actor("manufacturer"),
        )


# -- formats -------------------------------------------------------------------------------


def test_formats_are_checked_and_a_prefix_belongs_to_one_product(
    make_shipped, make_contract, db_session, clock
):
    shipped = make_shipped(packs=1)
    other = make_contract(manufacturer=shipped.world.manufacturer)
    with pytest.raises(FormatsNotValid) as error:
        trace.register_formats(
            db_session,
            product_id=other.contract.product_id,
            prefix="8123456",
            gtin="07032069804989",
            pattern="(",
            now=clock.now(),
            actor=other.m,
        )
    errors = error.value.extra["errors"]
    assert errors["prefix"] == ["8123456 is registered for another product"]
    assert "not a valid GTIN" in errors["gtin"][0]
    assert errors["pattern"] == ["not a valid regular expression"]
    with pytest.raises(FormatsNotValid, match="code formats are not valid") as error:
        trace.register_formats(
            db_session,
            product_id=other.contract.product_id,
            prefix="12345",
            gtin=None,
            pattern=".*",
            now=clock.now(),
            actor=other.m,
        )
    assert error.value.extra["errors"] == {
        "prefix": ["a 码上放心 product prefix is 7 digits"],
        "pattern": ["the format matches an empty code"],
    }


def test_only_the_products_manufacturer_registers_its_formats(
    make_shipped, make_actor, db_session, clock
):
    shipped = make_shipped(packs=1)
    with pytest.raises(Forbidden):
        trace.register_formats(
            db_session,
            product_id=shipped.world.contract.product_id,
            prefix="7654321",
            gtin=None,
            pattern=None,
            now=clock.now(),
            actor=make_actor("manufacturer"),
        )


# -- lookup and history ------------------------------------------------------------------


def test_the_public_lookup_tells_what_a_package_is_and_not_where(make_shipped, db_session, clock):
    shipped = make_shipped(packs=1)
    _attach(db_session, clock, shipped, _rows(shipped.mashang(1)))
    found = trace.public_lookup(db_session, code=f"  {shipped.mashang(1)} ")
    assert found.found
    assert found.product.id == shipped.world.contract.product_id
    assert found.manufacturer == shipped.world.manufacturer.organization.name
    assert (found.batch_no, found.expiry_date) == (shipped.line.batch_no, shipped.line.expiry_date)
    assert found.dispensed is False
    assert not hasattr(found, "holder_org_id")
    unknown = trace.public_lookup(db_session, code="81234560000000000999")
    assert (unknown.found, unknown.product) == (False, None)


def test_a_gs1_code_is_found_in_any_form(make_shipped, db_session, clock):
    shipped = make_shipped(packs=1)
    _attach(db_session, clock, shipped, _rows(shipped.gs1("S9")))
    line = shipped.line
    scanned = f"01{GTIN}21S9\x1d10{line.batch_no}\x1d17{line.expiry_date:%y%m%d}"
    assert trace.public_lookup(db_session, code=scanned).found
    assert trace.public_lookup(db_session, code=f"(01){GTIN}(21)S9").found


def test_a_packages_history_is_its_events_in_order_for_the_regulator_and_the_holder(
    make_shipped, make_actor, db_session, clock, regulator
):
    shipped = make_shipped(packs=1)
    code = shipped.mashang(1)
    _attach(db_session, clock, shipped, _rows(code))
    later = clock.now() + timedelta(days=40)  # next month's partition
    ensure_partition(db_session, later)
    db_session.add(
        TraceEvent(
            code=code, occurred_at=later, kind=EventKind.RECEIVED, org_id=shipped.world.h.org_id
        )
    )
    db_session.get(TracePackage, code).last_event_at = later
    db_session.flush()
    history = trace.package_history(db_session, code=code, actor=actor_of(regulator))
    assert [(e.kind, e.occurred_at) for e in history.events] == [
        (EventKind.SHIPPED, clock.now()),
        (EventKind.RECEIVED, later),
    ]
    assert history.package.state == PackageState.SHIPPED
    holder = trace.package_history(db_session, code=code, actor=shipped.world.m)
    assert len(holder.events) == 2
    for outsider in (shipped.world.h, make_actor("manufacturer")):
        with pytest.raises(NotFound):
            trace.package_history(db_session, code=code, actor=outsider)
