"""A hospital's demand as a CSV/XLSX upload, and the template to fill in.

Columns: ``lot_code``, ``quantity``, ``last_year_usage`` (required), ``brand_approval_number``,
``brand_quantity``, ``floor_reason`` (optional). One row per lot carries its whole quantity and
last-year usage, and may name one product (approval number and quantity) by brand; each further
product of the same lot is one more row with the lot code, ``quantity`` and
``last_year_usage`` left empty, and the product's approval number and quantity (RULES.md 10). A
row with only a lot code is not reported (the template lists every lot so)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind
from procurement.catalog.models import DemandReport, Lot, Product, Tender
from procurement.catalog.services.brands import BrandInput
from procurement.catalog.services.common import raise_table_error, table_failure, visible_tender
from procurement.catalog.services.demand import (
    DEMAND_COLUMNS,
    MAX_FLOOR_REASON_CHARS,
    DemandLine,
    apply_lines,
    open_for,
)
from procurement.catalog.tabular import CellError, CellParser, TableError, read_table
from procurement.core.money import plain
from procurement.jobs import defer
from procurement.jobs.models import Job

BRAND_COLUMNS = ("brand_approval_number", "brand_quantity", "floor_reason")
REPORT_CELLS = ("quantity", "last_year_usage", "floor_reason")


def ask_demand_import(
    session: Session, *, tender_id: int, filename: str, content: bytes, now: datetime, actor: Actor
) -> Job:
    """Ask for a (large) demand upload to be imported as a job; refused now if the hospital
    may not report demand on the tender."""
    open_for(session, tender_id, actor, now)
    job = defer(
        session,
        "catalog.demand_import",
        actor=actor,
        subject=("tender", tender_id),
        input_file=(filename, content),
        tender_id=tender_id,
    )
    session.commit()
    return job


def import_demand(
    session: Session,
    *,
    tender_id: int,
    filename: str,
    content: bytes,
    now: datetime,
    actor: Actor,
) -> list[DemandReport]:
    """Upload the hospital's demand as CSV/XLSX (all or nothing; see the module's format)."""
    tender = open_for(session, tender_id, actor, now)
    try:
        table = read_table(filename, content, required=DEMAND_COLUMNS, optional=BRAND_COLUMNS)
    except TableError as exc:
        raise_table_error(exc, "demand")
    lines, errors = _parse(tender, table.rows)
    if errors:
        raise table_failure(errors, "demand")
    lots = {lot.code: lot for lot in tender.lots}
    reports = apply_lines(session, tender, lots, lines, now=now, actor=actor, source="upload")
    session.commit()
    return reports


def _parse(
    tender: Tender, rows: list[tuple[int, dict[str, str]]]
) -> tuple[list[DemandLine], list[CellError]]:
    lots = {lot.code for lot in tender.lots}
    reports: dict[str, tuple[int, DemandLine]] = {}
    brands: dict[str, list[tuple[int, BrandInput]]] = {}
    errors: list[CellError] = []
    for number, cells in rows:
        p = CellParser(number, cells)
        code = p.text("lot_code")
        if code and code not in lots:
            p.fail("lot_code", f"tender {tender.code} has no lot '{code}'")
        brand = _brand(p, number)
        if any(cells.get(c) for c in REPORT_CELLS):
            line = _report(p, number, code, reports)
            if line is not None:
                reports[code] = (number, line)
        if brand is not None:
            brands.setdefault(code, []).append((number, brand))
        errors.extend(p.errors)  # a row with only its lot code is not reported
    for code in brands.keys() - reports.keys():
        errors.append(
            CellError(brands[code][0][0], "quantity", f"lot '{code}' has no row with a quantity")
        )
    lines = [
        DemandLine(
            line.lot_code,
            line.quantity,
            line.last_year_usage,
            tuple(brand for _row, brand in brands.get(code, ())),
            line.floor_reason,
            key=line.key,
        )
        for code, (_number, line) in reports.items()
    ]
    return lines, errors


def _report(
    p: CellParser, number: int, code: str, reports: dict[str, tuple[int, DemandLine]]
) -> DemandLine | None:
    if code in reports:
        p.fail("lot_code", f"lot '{code}' is already on row {reports[code][0]} (duplicate row)")
    quantity, usage = p.integer("quantity"), p.integer("last_year_usage")
    reason = p.text("floor_reason", required=False) or None
    if reason is not None and len(reason) > MAX_FLOOR_REASON_CHARS:
        p.fail("floor_reason", f"at most {MAX_FLOOR_REASON_CHARS} characters")
    if p.errors:
        return None
    return DemandLine(code, quantity, usage, (), reason, key=f"row {number}: quantity")  # type: ignore[arg-type]


def _brand(p: CellParser, number: int) -> BrandInput | None:
    approval = p.text("brand_approval_number", required=False)
    given = p.cells.get("brand_quantity", "")
    if not approval and not given:
        return None
    if not approval:
        p.fail("brand_approval_number", "is required with brand_quantity")
    quantity = p.integer("brand_quantity", minimum=1) if given else None
    if not given:
        p.fail("brand_quantity", "is required with brand_approval_number")
    return BrandInput(
        where=f"row {number}",
        key=f"row {number}: brand_approval_number",
        quantity=quantity or 0,
        approval_number=approval or None,
    )


def demand_template(session: Session, *, tender_id: int, actor: Actor) -> dict[str, list[list]]:
    """The upload template's sheets: ``demand`` (the header and one row per lot, to fill in)
    and ``products`` (each lot's registered products a brand line may name)."""
    actor.require(OrgKind.HOSPITAL, write=False, action="download the demand template")
    tender = visible_tender(session, tender_id, actor)
    header = [*DEMAND_COLUMNS, *BRAND_COLUMNS]
    demand = [header] + [[lot.code] + [""] * (len(header) - 1) for lot in tender.lots]
    products = [["lot_code", "generic_name", "approval_number", "manufacturer", "strength"]]
    for lot in tender.lots:
        for product in brand_products(session, lot):
            products.append(
                [
                    lot.code,
                    lot.generic_name,
                    product.approval_number,
                    product.manufacturer.name,
                    f"{plain(product.strength)} {product.strength_unit}",
                ]
            )
    return {"demand": demand, "products": products}


def brand_products(session: Session, lot: Lot) -> list[Product]:
    """The registered products a brand line of this lot may name (its generic name and
    smallest unit), by approval number."""
    return list(
        session.scalars(
            select(Product)
            .where(
                Product.generic_name == lot.generic_name,
                Product.smallest_unit == lot.smallest_unit,
            )
            .order_by(Product.approval_number)
        )
    )
