"""Lots of a draft tender: add, edit, delete, list, and import from CSV/XLSX (all or nothing)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from procurement.audit.services import record
from procurement.auth.actor import Actor
from procurement.catalog.errors import DuplicateLotCode, LotChangeNotValid, LotNotValid
from procurement.catalog.models import DosageClass, Lot, QualityRequirement, SmallestUnit
from procurement.catalog.services.common import (
    fail_fields,
    raise_table_error,
    require_draft,
    require_owner,
    table_failure,
    visible_lot,
    visible_tender,
)
from procurement.catalog.tabular import CellError, CellParser, TableError, read_table
from procurement.core.messages import N_, Message

LOT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,19}$")
REQUIRED_COLUMNS = (
    "code",
    "generic_name",
    "dosage_form",
    "dosage_class",
    "reference_strength",
    "strength_unit",
    "smallest_unit",
    "ceiling_unit_price",
    "reference_unit_price",
)
OPTIONAL_COLUMNS = ("quality_requirement", "antimicrobial_restricted")
LOT_FIELDS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
DEFAULTS = {
    "quality_requirement": QualityRequirement.CONSISTENCY_EVALUATED.value,
    "antimicrobial_restricted": False,
}
ENUMS = {
    "dosage_class": DosageClass,
    "smallest_unit": SmallestUnit,
    "quality_requirement": QualityRequirement,
}


def check_lot(values: dict[str, Any]) -> dict[str, list[str]]:
    """Field errors of a lot's typed values (shared by the API and the importer)."""
    errors: dict[str, list[str]] = {}
    if not LOT_CODE.match(str(values.get("code") or "")):
        errors["code"] = [N_("1-20 letters, digits, '-', '_' or '.', e.g. L01")]
    for name, limit in (("generic_name", 200), ("dosage_form", 80), ("strength_unit", 10)):
        text = str(values.get(name) or "").strip()
        if not text or len(text) > limit:
            errors[name] = [Message("required, at most {limit} characters", limit=limit)]
    for name, enum in ENUMS.items():
        try:
            enum(values.get(name))
        except ValueError:
            errors[name] = [Message("one of: {value}", value=", ".join(m.value for m in enum))]
    for name in ("reference_strength", "ceiling_unit_price", "reference_unit_price"):
        value = values.get(name)
        if not isinstance(value, Decimal) or not value.is_finite() or value <= 0:
            errors[name] = [N_("a positive decimal number is required")]
        elif value.as_tuple().exponent < -4:  # type: ignore[operator]
            errors[name] = [N_("at most 4 decimal places")]
    if not isinstance(values.get("antimicrobial_restricted"), bool):
        errors["antimicrobial_restricted"] = [N_("true or false")]
    return errors


def _new_lot(tender_id: int, values: dict[str, Any], now: datetime) -> Lot:
    typed = {k: (ENUMS[k](v) if k in ENUMS else v) for k, v in values.items()}
    return Lot(tender_id=tender_id, **typed, created_at=now)


def _existing_codes(session: Session, tender_id: int) -> set[str]:
    return set(session.scalars(select(Lot.code).where(Lot.tender_id == tender_id)))


def add_lot(
    session: Session, *, tender_id: int, data: dict[str, Any], now: datetime, actor: Actor
) -> Lot:
    """Add a lot to a draft tender (its owning regulator only)."""
    tender = visible_tender(session, tender_id, actor)
    require_owner(tender, actor, "edit this tender's lots")
    require_draft(tender, "add lots")
    values = DEFAULTS | data
    fail_fields(LotNotValid, check_lot(values))
    if values["code"] in _existing_codes(session, tender.id):
        raise DuplicateLotCode(
            errors={"code": [N_("already used in this tender")]},
            tender_code=tender.code,
            lot_code=values["code"],
        )
    lot = _new_lot(tender.id, values, now)
    session.add(lot)
    session.flush()
    _audit(session, "lot.added", lot, now, actor)
    session.commit()
    return lot


def update_lot(
    session: Session, *, lot_id: int, changes: dict[str, Any], now: datetime, actor: Actor
) -> Lot:
    """Edit a lot while its tender is a draft."""
    lot = visible_lot(session, lot_id, actor)
    require_owner(lot.tender, actor, "edit this tender's lots")
    require_draft(lot.tender, "edit its lots")
    merged = {k: getattr(lot, k) for k in LOT_FIELDS} | changes
    merged = {k: (v.value if k in ENUMS and hasattr(v, "value") else v) for k, v in merged.items()}
    fail_fields(LotChangeNotValid, check_lot(merged))
    if merged["code"] != lot.code and merged["code"] in _existing_codes(session, lot.tender_id):
        raise DuplicateLotCode(
            errors={"code": [N_("already used in this tender")]},
            tender_code=lot.tender.code,
            lot_code=merged["code"],
        )
    for key, value in changes.items():
        setattr(lot, key, ENUMS[key](value) if key in ENUMS else value)
    lot.tender.updated_at = now
    _audit(session, "lot.updated", lot, now, actor, fields=sorted(changes))
    session.commit()
    return lot


def delete_lot(session: Session, *, lot_id: int, now: datetime, actor: Actor) -> None:
    """Remove a lot from a draft tender."""
    lot = visible_lot(session, lot_id, actor)
    require_owner(lot.tender, actor, "edit this tender's lots")
    require_draft(lot.tender, "delete its lots")
    _audit(session, "lot.deleted", lot, now, actor)
    lot.tender.lots.remove(lot)
    session.commit()


def list_lots(session: Session, *, tender_id: int, actor: Actor) -> list[Lot]:
    """The lots of a tender the actor may see, by code."""
    return list(visible_tender(session, tender_id, actor).lots)


def get_lot(session: Session, *, lot_id: int, actor: Actor) -> Lot:
    """One lot (404 when its tender is not visible to the actor)."""
    return visible_lot(session, lot_id, actor)


def import_lots(
    session: Session,
    *,
    tender_id: int,
    filename: str,
    content: bytes,
    replace: bool = False,
    now: datetime,
    actor: Actor,
) -> list[Lot]:
    """Import lots from CSV/XLSX into a draft tender: every row is valid, or nothing changes.

    With ``replace`` the tender's existing lots are removed first; otherwise a code that
    already exists is an error on its row."""
    tender = visible_tender(session, tender_id, actor)
    require_owner(tender, actor, "import this tender's lots")
    require_draft(tender, "import lots")
    try:
        table = read_table(filename, content, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS)
    except TableError as exc:
        raise_table_error(exc, "lot")
    existing = set() if replace else _existing_codes(session, tender.id)
    rows, errors = _parse_lot_rows(table.rows, existing)
    if errors:
        raise table_failure(errors, "lot")
    if replace:
        tender.lots.clear()
        session.flush()
    lots = [_new_lot(tender.id, values, now) for values in rows]
    session.add_all(lots)
    tender.updated_at = now
    session.flush()
    record(
        session,
        action="lots.imported",
        subject_type="tender",
        subject_id=tender.id,
        now=now,
        actor=actor,
        payload={"file": filename, "rows": len(lots), "replace": replace},
    )
    session.commit()
    return lots


def _parse_lot_rows(
    rows: list[tuple[int, dict[str, str]]], existing: set[str]
) -> tuple[list[dict[str, Any]], list[CellError]]:
    parsed: list[dict[str, Any]] = []
    errors: list[CellError] = []
    seen: dict[str, int] = {}
    for number, cells in rows:
        p = CellParser(number, cells)
        values: dict[str, Any] = {c: p.text(c) for c in REQUIRED_COLUMNS}
        for column in ("reference_strength", "ceiling_unit_price", "reference_unit_price"):
            values[column] = p.decimal(column)
        values["quality_requirement"] = p.text(
            "quality_requirement", required=False, default=DEFAULTS["quality_requirement"]
        )
        values["antimicrobial_restricted"] = p.boolean("antimicrobial_restricted")
        reported = {e.column for e in p.errors}
        for column, messages in check_lot(values).items():
            if column not in reported:
                p.fail(column, "; ".join(messages))
        code = values["code"]
        if code in seen:
            p.fail("code", f"lot code '{code}' is already on row {seen[code]} (duplicate row)")
        elif code in existing:
            p.fail("code", f"lot code '{code}' already exists in this tender")
        seen.setdefault(code, number)
        errors.extend(p.errors)
        parsed.append(values)
    return parsed, errors


def _audit(
    session: Session, action: str, lot: Lot, now: datetime, actor: Actor, **extra: Any
) -> None:
    record(
        session,
        action=action,
        subject_type="lot",
        subject_id=lot.id,
        now=now,
        actor=actor,
        payload={"tender_id": lot.tender_id, "code": lot.code, **extra},
    )
