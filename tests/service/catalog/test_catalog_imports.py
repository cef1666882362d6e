"""Lot and demand imports from CSV and XLSX: good files land whole, broken files change nothing
and name the row and column at fault."""

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from procurement.auth.services import actor_of
from procurement.catalog import services
from procurement.catalog.models import DemandReport, DemandRevision, Lot
from procurement.core.errors import Conflict, ValidationFailed

LOT_HEADER = [
    "code",
    "generic_name",
    "dosage_form",
    "dosage_class",
    "reference_strength",
    "strength_unit",
    "smallest_unit",
    "ceiling_unit_price",
    "reference_unit_price",
]
LOT_ROWS = [
    ["L01", "阿莫西林", "胶囊", "oral_solid", "250", "mg", "capsule", "0.1500", "0.4000"],
    ["L02", "头孢呋辛", "注射用粉针", "injection", "0.75", "g", "vial", "3.2000", "9.8000"],
]
DEMAND_HEADER = ["lot_code", "quantity", "last_year_usage"]


def as_csv(rows):
    return "\n".join(",".join(str(c) for c in row) for row in rows).encode("utf-8-sig")


def as_xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FORMATS = [("lots.csv", as_csv), ("lots.xlsx", as_xlsx)]


def count(session, model, **where):
    query = select(func.count(model.id))
    for key, value in where.items():
        query = query.where(getattr(model, key) == value)
    return session.scalar(query)


@pytest.fixture
def draft(make_tender):
    return make_tender("draft", lots=0)


def import_lots(session, tender, regulator, filename, content, **kwargs):
    return services.import_lots(
        session,
        tender_id=tender.id,
        filename=filename,
        content=content,
        now=tender.created_at,
        actor=actor_of(regulator),
        **kwargs,
    )


@pytest.mark.parametrize(("filename", "encode"), FORMATS)
def test_a_good_lot_file_imports_every_row_with_exact_prices(
    db_session, draft, regulator, filename, encode
):
    lots = import_lots(db_session, draft, regulator, filename, encode([LOT_HEADER, *LOT_ROWS]))
    assert [lot.code for lot in lots] == ["L01", "L02"]
    vial = db_session.scalar(select(Lot).where(Lot.tender_id == draft.id, Lot.code == "L02"))
    assert vial.reference_strength == Decimal("0.75")
    assert vial.ceiling_unit_price == Decimal("3.2000")
    assert vial.smallest_unit == "vial"
    assert vial.quality_requirement == "consistency_evaluated"


def test_xlsx_numbers_typed_as_numbers_keep_their_decimal_value(db_session, draft, regulator):
    rows = [LOT_HEADER, ["L01", "阿莫西林", "胶囊", "oral_solid", 250, "mg", "capsule", 0.15, 0.4]]
    import_lots(db_session, draft, regulator, "lots.xlsx", as_xlsx(rows))
    lot = db_session.scalar(select(Lot).where(Lot.tender_id == draft.id))
    assert lot.ceiling_unit_price == Decimal("0.1500")
    assert lot.reference_strength == Decimal("250")


BROKEN_LOTS = [
    pytest.param(
        [["code", "generic_nam", *LOT_HEADER[2:]], *LOT_ROWS],
        "row 1: header",
        "missing column(s): generic_name",
        id="wrong-header",
    ),
    pytest.param(
        [LOT_HEADER, LOT_ROWS[0], [*LOT_ROWS[1][:7], "3.2O", "9.8"]],
        "row 3: ceiling_unit_price",
        "'3.2O' is not a number",
        id="bad-number",
    ),
    pytest.param(
        [LOT_HEADER, LOT_ROWS[0], LOT_ROWS[0]],
        "row 3: code",
        "lot code 'L01' is already on row 2 (duplicate row)",
        id="duplicate-row",
    ),
    pytest.param(
        [LOT_HEADER, LOT_ROWS[0], [*LOT_ROWS[1][:6], "blister", *LOT_ROWS[1][7:]]],
        "row 3: smallest_unit",
        "one of: tablet",
        id="unknown-unit",
    ),
    pytest.param(
        [LOT_HEADER, [*LOT_ROWS[0][:7], "-1", "0.4"]],
        "row 2: ceiling_unit_price",
        "a positive decimal number",
        id="negative-price",
    ),
]


@pytest.mark.parametrize(("filename", "encode"), FORMATS)
@pytest.mark.parametrize(("rows", "key", "message"), BROKEN_LOTS)
def test_a_broken_lot_file_names_row_and_column_and_imports_nothing(
    db_session, draft, regulator, filename, encode, rows, key, message
):
    before = count(db_session, Lot)
    with pytest.raises(ValidationFailed) as caught:
        import_lots(db_session, draft, regulator, filename, encode(rows))
    error = caught.value
    assert error.code == "import-failed"
    assert key in error.extra["errors"]
    assert any(message in m for m in error.extra["errors"][key])
    row, column = key.removeprefix("row ").split(": ")
    assert f"row {row}, column '{column}'" in error.detail
    assert "nothing was changed" in error.detail
    assert {"row": int(row), "column": column} == {
        k: error.extra["row_errors"][0][k] for k in ("row", "column")
    }
    assert count(db_session, Lot) == before


def test_a_lot_code_already_in_the_tender_is_refused_unless_replacing(
    db_session, make_tender, regulator
):
    tender = make_tender("draft", lots=1)  # has L01
    content = as_csv([LOT_HEADER, *LOT_ROWS])
    with pytest.raises(ValidationFailed) as caught:
        import_lots(db_session, tender, regulator, "lots.csv", content)
    assert caught.value.extra["errors"]["row 2: code"] == [
        "lot code 'L01' already exists in this tender"
    ]
    assert count(db_session, Lot, tender_id=tender.id) == 1
    import_lots(db_session, tender, regulator, "lots.csv", content, replace=True)
    names = db_session.scalars(
        select(Lot.generic_name).where(Lot.tender_id == tender.id).order_by(Lot.code)
    )
    assert list(names) == ["阿莫西林", "头孢呋辛"]


def test_a_file_that_is_neither_csv_text_nor_xlsx_is_refused(db_session, draft, regulator):
    with pytest.raises(ValidationFailed) as caught:
        import_lots(db_session, draft, regulator, "lots.xlsx", b"PK\x03\x04garbage")
    assert "not a readable XLSX" in caught.value.detail
    with pytest.raises(ValidationFailed):
        import_lots(db_session, draft, regulator, "lots.csv", "code\n".encode("utf-16"))


def test_lots_cannot_be_imported_once_demand_is_open(db_session, make_tender, regulator):
    tender = make_tender("demand_open")
    with pytest.raises(Conflict):
        import_lots(db_session, tender, regulator, "lots.csv", as_csv([LOT_HEADER, *LOT_ROWS]))


# ---- demand ---------------------------------------------------------------------------------


def import_demand(session, tender, user, filename, content, now):
    return services.import_demand(
        session,
        tender_id=tender.id,
        filename=filename,
        content=content,
        now=now,
        actor=actor_of(user),
    )


@pytest.mark.parametrize(("filename", "encode"), [("d.csv", as_csv), ("d.xlsx", as_xlsx)])
def test_a_good_demand_file_reports_every_row(
    db_session, clock, make_tender, make_user, filename, encode
):
    tender = make_tender("demand_open")
    hospital = make_user(kind="hospital")
    rows = [DEMAND_HEADER, ["L01", "120000", "110000"], ["L02", 3600, 3000]]
    import_demand(db_session, tender, hospital, filename, encode(rows), clock.now())
    reports = db_session.scalars(select(DemandReport).order_by(DemandReport.lot_id)).all()
    assert [(r.quantity, r.last_year_usage) for r in reports] == [(120000, 110000), (3600, 3000)]
    assert {r.revisions[0].source for r in reports} == {"upload"}


BROKEN_DEMAND = [
    pytest.param(
        [["lot", "quantity", "last_year_usage"], ["L01", "1", "1"]],
        "row 1: header",
        "missing column(s): lot_code",
        id="wrong-header",
    ),
    pytest.param(
        [DEMAND_HEADER, ["L01", "1", "1"], ["L02", "12.5", "1"]],
        "row 3: quantity",
        "'12.5' is not a whole number",
        id="bad-number",
    ),
    pytest.param(
        [DEMAND_HEADER, ["L01", "1", "1"], ["L09", "5", "1"]],
        "row 3: lot_code",
        "has no lot 'L09'",
        id="unknown-lot",
    ),
    pytest.param(
        [DEMAND_HEADER, ["L01", "1", "1"], ["L01", "2", "1"]],
        "row 3: lot_code",
        "already on row 2 (duplicate row)",
        id="duplicate-row",
    ),
    pytest.param(
        [DEMAND_HEADER, ["L01", "-4", "1"]], "row 2: quantity", "-4 is below 0", id="negative"
    ),
]


@pytest.mark.parametrize(("filename", "encode"), [("d.csv", as_csv), ("d.xlsx", as_xlsx)])
@pytest.mark.parametrize(("rows", "key", "message"), BROKEN_DEMAND)
def test_a_broken_demand_file_names_row_and_column_and_changes_nothing(
    db_session, clock, make_tender, make_demand, filename, encode, rows, key, message
):
    tender = make_tender("demand_open")
    hospital = make_demand(tender, quantities={"L01": 500})
    before = (count(db_session, DemandReport), count(db_session, DemandRevision))
    with pytest.raises(ValidationFailed) as caught:
        import_demand(db_session, tender, hospital, filename, encode(rows), clock.now())
    messages = caught.value.extra["errors"][key]
    assert any(message in m for m in messages)
    assert (count(db_session, DemandReport), count(db_session, DemandRevision)) == before
    assert db_session.scalar(select(DemandReport.quantity)) == 500
