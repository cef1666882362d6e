"""Demand reported by brand (带量报名, RULES.md 10): brand lines through the service and the
upload, each refusal with its own problem type naming the line, revisions keeping each
version's brand lines, and the regulator's brand-named totals per lot."""

import pytest
from sqlalchemy import func, select

from procurement.auth.services import actor_of
from procurement.catalog import services
from procurement.catalog.errors import (
    BrandLinesAboveQuantity,
    BrandProductDuplicate,
    BrandProductUnknown,
    BrandProductWrongGeneric,
    BrandReportingOff,
)
from procurement.catalog.models import DemandBrandLine, DemandReport, DemandRevision
from procurement.core.errors import ValidationFailed
from tests.service.catalog.test_catalog_imports import as_csv, as_xlsx

BRANDS = {"brand_reporting": True}


@pytest.fixture
def brand_world(make_tender, make_product, make_user):
    """A tender with brand reporting (L01, L02: amlodipine tablets), two amlodipine products,
    a metformin product, and a hospital."""
    tender = make_tender("demand_open", rules_overrides=BRANDS)
    first = make_product(approval_number="国药准字H20200001")
    second = make_product(approval_number="国药准字H20200002")
    other = make_product(approval_number="国药准字H20200009", generic_name="二甲双胍")
    return tender, first, second, other, make_user(kind="hospital")


def submit(session, tender, user, rows, now):
    return services.submit_demand(
        session, tender_id=tender.id, lines=rows, now=now, actor=actor_of(user)
    )


def row(code, quantity, *brands, usage=0, **extra):
    lines = [
        {"approval_number": b, "quantity": q}
        if isinstance(b, str)
        else {"product_id": b, "quantity": q}
        for b, q in brands
    ]
    return {
        "lot_code": code,
        "quantity": quantity,
        "last_year_usage": usage,
        "brand_lines": lines,
        **extra,
    }


def counts(session):
    return tuple(
        session.scalar(select(func.count(m.id)))
        for m in (DemandReport, DemandBrandLine, DemandRevision)
    )


def test_by_brand_by_name_and_a_mix_are_kept_with_each_version(db_session, clock, brand_world):
    tender, first, second, _, hospital = brand_world
    reports = submit(
        db_session,
        tender,
        hospital,
        [row("L01", 1000, (first.approval_number, 600), (second.id, 300)), row("L02", 500)],
        clock.now(),
    )
    by_lot = {r.lot.code: r for r in reports}
    assert [(b.product_id, b.quantity) for b in by_lot["L01"].brand_lines] == [
        (first.id, 600),
        (second.id, 300),
    ]
    assert by_lot["L02"].brand_lines == []  # all 500 by generic name
    clock.advance(hours=1)
    [report] = submit(
        db_session, tender, hospital, [row("L01", 1000, (second.id, 1000))], clock.now()
    )
    assert report.version == 2
    assert [(b.product_id, b.quantity) for b in report.brand_lines] == [(second.id, 1000)]
    assert [r.brand_lines for r in report.revisions] == [
        [
            {"product_id": first.id, "approval_number": "国药准字H20200001", "quantity": 600},
            {"product_id": second.id, "approval_number": "国药准字H20200002", "quantity": 300},
        ],
        [{"product_id": second.id, "approval_number": "国药准字H20200002", "quantity": 1000}],
    ]
    # the same lines again: no new version; the award reads the parts
    [same] = submit(
        db_session, tender, hospital, [row("L01", 1000, (second.id, 1000))], clock.now()
    )
    assert same.version == 2
    parts = services.brand_parts(db_session, lot_id=report.lot_id)
    assert [(p.product_id, p.quantity, p.report_quantity) for p in parts] == [
        (second.id, 1000, 1000)
    ]


REFUSALS = [
    pytest.param(
        lambda f, s, o: [row("L01", 100, ("国药准字H29999999", 10))],
        BrandProductUnknown,
        "rows.0.brand_lines.0.product",
        id="unknown-product",
    ),
    pytest.param(
        lambda f, s, o: [row("L01", 100, (f.id, 10), (o.approval_number, 10))],
        BrandProductWrongGeneric,
        "rows.0.brand_lines.1.product",
        id="wrong-generic",
    ),
    pytest.param(
        lambda f, s, o: [row("L01", 100, (f.id, 10), (f.approval_number, 20))],
        BrandProductDuplicate,
        "rows.0.brand_lines.1.product",
        id="duplicate-product",
    ),
    pytest.param(
        lambda f, s, o: [row("L02", 5), row("L01", 100, (f.id, 60), (s.id, 41))],
        BrandLinesAboveQuantity,
        "rows.1.quantity",
        id="sum-above-quantity",
    ),
]


@pytest.mark.parametrize(("rows", "kind", "key"), REFUSALS)
def test_each_brand_refusal_is_its_own_problem_naming_the_line(
    db_session, clock, brand_world, rows, kind, key
):
    tender, first, second, other, hospital = brand_world
    submit(db_session, tender, hospital, [row("L01", 100, (first.id, 100))], clock.now())
    before = counts(db_session)
    with pytest.raises(kind) as caught:
        submit(db_session, tender, hospital, rows(first, second, other), clock.now())
    db_session.rollback()
    assert list(caught.value.extra["errors"]) == [key]
    assert counts(db_session) == before


def test_a_sum_equal_to_the_quantity_is_accepted(db_session, clock, brand_world):
    tender, first, second, _, hospital = brand_world
    [report] = submit(
        db_session,
        tender,
        hospital,
        [row("L01", 100, (first.id, 60), (second.id, 40))],
        clock.now(),
    )
    assert sum(b.quantity for b in report.brand_lines) == report.quantity == 100


def test_brand_lines_are_refused_when_the_tender_takes_names_only(
    db_session, clock, make_tender, make_product, make_user
):
    tender = make_tender("demand_open")  # national-2024 defaults: brand reporting off
    product = make_product()
    with pytest.raises(BrandReportingOff) as caught:
        submit(
            db_session,
            tender,
            make_user(kind="hospital"),
            [row("L01", 10, (product.id, 5))],
            clock.now(),
        )
    assert caught.value.code == "brand-reporting-off"
    assert caught.value.extra["errors"] == {
        "rows.0.brand_lines.0.product": [f"brand reporting is off for tender {tender.code}"]
    }
    assert db_session.scalar(select(func.count(DemandReport.id))) == 0


def test_a_brand_line_needs_a_product_and_a_positive_quantity(db_session, clock, brand_world):
    tender, first, _, _, hospital = brand_world
    with pytest.raises(ValidationFailed) as caught:
        submit(
            db_session,
            tender,
            hospital,
            [row("L01", 10, (first.id, 0)) | {"brand_lines": [{"quantity": 0}]}],
            clock.now(),
        )
    assert set(caught.value.extra["errors"]) == {
        "rows.0.brand_lines.0.quantity",
        "rows.0.brand_lines.0.product",
    }


HEADER = ["lot_code", "quantity", "last_year_usage", "brand_approval_number", "brand_quantity"]


@pytest.mark.parametrize(("filename", "encode"), [("d.csv", as_csv), ("d.xlsx", as_xlsx)])
def test_an_upload_names_products_on_extra_rows(db_session, clock, brand_world, filename, encode):
    tender, first, second, _, hospital = brand_world
    rows = [
        HEADER,
        ["L01", "1000", "900", "国药准字H20200001", "600"],
        ["L01", "", "", "国药准字H20200002", "300"],
        ["L02", "500", "450", "", ""],
    ]
    reports = services.import_demand(
        db_session,
        tender_id=tender.id,
        filename=filename,
        content=encode(rows),
        now=clock.now(),
        actor=actor_of(hospital),
    )
    by_lot = {r.lot.code: r for r in reports}
    assert (by_lot["L01"].quantity, by_lot["L02"].quantity) == (1000, 500)
    assert [(b.product_id, b.quantity) for b in by_lot["L01"].brand_lines] == [
        (first.id, 600),
        (second.id, 300),
    ]
    assert by_lot["L01"].revisions[0].source == "upload"


UPLOAD_REFUSALS = [
    pytest.param(
        [
            ["L01", "100", "90", "国药准字H20200001", "60"],
            ["L01", "", "", "国药准字H20200002", "41"],
        ],
        BrandLinesAboveQuantity,
        "row 2: quantity",
        id="sum-above",
    ),
    pytest.param(
        [["L01", "100", "90", "国药准字H20200009", "10"]],
        BrandProductWrongGeneric,
        "row 2: brand_approval_number",
        id="wrong-generic",
    ),
    pytest.param(
        [["L01", "100", "90", "", ""], ["L01", "", "", "国药准字H2000000X", "5"]],
        BrandProductUnknown,
        "row 3: brand_approval_number",
        id="unknown",
    ),
    pytest.param(
        [["L02", "", "", "国药准字H20200001", "5"]],
        ValidationFailed,
        "row 2: quantity",
        id="brand-row-without-report-row",
    ),
]


@pytest.mark.parametrize(("rows", "kind", "key"), UPLOAD_REFUSALS)
def test_a_broken_brand_upload_names_the_row_and_changes_nothing(
    db_session, clock, brand_world, rows, kind, key
):
    tender, _, _, _, hospital = brand_world
    before = counts(db_session)
    with pytest.raises(kind) as caught:
        services.import_demand(
            db_session,
            tender_id=tender.id,
            filename="d.csv",
            content=as_csv([HEADER, *rows]),
            now=clock.now(),
            actor=actor_of(hospital),
        )
    db_session.rollback()
    assert key in caught.value.extra["errors"]
    assert counts(db_session) == before


def test_the_regulator_sees_the_brand_named_quantity_and_share_per_lot(
    db_session, clock, brand_world, make_user, regulator
):
    tender, first, second, _, hospital = brand_world
    submit(
        db_session,
        tender,
        hospital,
        [row("L01", 1000, (first.id, 600)), row("L02", 400)],
        clock.now(),
    )
    other = make_user(kind="hospital")
    submit(
        db_session, tender, other, [row("L01", 600, (first.id, 100), (second.id, 200))], clock.now()
    )
    totals = services.demand_totals(db_session, tender_id=tender.id, actor=actor_of(regulator))
    by_lot = {t.lot_code: t for t in totals.lots}
    # L01: 1,600 reported, 600 + 100 + 200 = 900 by brand: 900 / 1600 = 0.5625
    assert (by_lot["L01"].quantity, by_lot["L01"].brand_quantity) == (1600, 900)
    assert str(by_lot["L01"].brand_share) == "0.5625"
    assert (by_lot["L02"].brand_quantity, by_lot["L02"].brand_share) == (0, 0)
