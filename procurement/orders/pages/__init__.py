"""Order pages: the hospital's quick order, orders, shipments and receiving (a phone at the
dock); the supplier's (manufacturer or distributor) incoming orders, confirm/reject, shipping
and shipments; detail pages for an order and a shipment on both sides; the delivery note (配送单)
and the receipt note (验收单) as printable pages.

One blueprint, three modules: ``hospital``, ``supplier`` and ``documents`` (pages both sides
share). Forms load through the orders API's schemas (``orders/schemas.py``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from procurement.auth.models import OrgKind
from procurement.core.errors import DomainError
from procurement.web.auth import portal_required
from procurement.web.forms import FORM_ERRORS, PageForm
from procurement.web.pages import add_nav

bp = Blueprint("orders_pages", __name__, template_folder="../templates")
HOSPITAL = portal_required(OrgKind.HOSPITAL)
SUPPLIER = portal_required(OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR)
PARTIES = portal_required(OrgKind.HOSPITAL, OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR)
WHOLE = re.compile(r"-?[0-9]{1,12}")  # a whole number as typed (longer is not a quantity)

add_nav(OrgKind.HOSPITAL, _l("Order"), "orders_pages.hospital_contracts", order=45)
add_nav(OrgKind.HOSPITAL, _l("My orders"), "orders_pages.hospital_orders", order=46)
add_nav(OrgKind.HOSPITAL, _l("Deliveries"), "orders_pages.hospital_shipments", order=47)
for _kind in (OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR):
    add_nav(_kind, _l("Orders from hospitals"), "orders_pages.supplier_orders", order=45)
    add_nav(_kind, _l("Shipments made"), "orders_pages.supplier_shipments", order=46)

# What downstream areas know about receipt lines, shown on the order page: the settlement
# area's payables. A source is ``(session, receipt_line_ids) -> {receipt_line_id: payable}``
# where a payable has ``amount``, ``due_at`` and ``paid_at``; registered by ``portal.pages``
# (orders may not import settlement).
PAYABLE_SOURCES: list[Callable[[Any, list[int]], Mapping[int, Any]]] = []


def payables_from(source: Callable[[Any, list[int]], Mapping[int, Any]]) -> None:
    if source not in PAYABLE_SOURCES:
        PAYABLE_SOURCES.append(source)


def payables_of(session: Any, receipt_line_ids: list[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for source in PAYABLE_SOURCES:
        found |= dict(source(session, receipt_line_ids))
    return found


# --- forms whose rows are optional -------------------------------------------------------


def filled(form: PageForm, key: str) -> list[str]:
    """The line positions (as the page numbered them) whose ``lines.<n>.<key>`` was filled in
    with something other than 0: the quick order's packs, the shipment's quantities."""
    prefix = "lines."
    chosen = []
    for name, value in form.values.items():
        if name.startswith(prefix) and name.endswith(f".{key}"):
            text = str(value).strip()
            if text and text != "0":
                chosen.append(name[len(prefix) : -len(key) - 1])
    return sorted(chosen, key=lambda n: (len(n), n))


def validate_rows(form: PageForm, rows: list[str], fields: Iterable[str]) -> bool:
    """Validate the chosen rows only, renumbered 0, 1, ... for the schema; the errors go back
    beside the rows as the page numbered them. ``fields`` are the form's other inputs."""
    values = {name: form.values[name] for name in fields if name in form.values}
    for new, old in enumerate(rows):
        for name, value in form.values.items():
            if name.startswith(f"lines.{old}."):
                values[f"lines.{new}.{name.split('.', 2)[2]}"] = value
    checker = PageForm(form.schema, whole_numbers(form.schema, values))
    ok = checker.validate()
    form.data = checker.data
    form.errors = renumber_back(checker.errors, rows, fields)
    return ok


def whole_numbers(schema: Schema, values: Mapping[str, Any]) -> dict[str, Any]:
    """Typed whole numbers as ints for the schema's strict Integer fields (the API's JSON
    sends numbers; a form sends text). Anything else stays as typed, for the schema to judge."""
    out = dict(values)
    for name, value in values.items():
        number = isinstance(value, str) and WHOLE.fullmatch(value.strip())
        if number and isinstance(_field(schema, name.split(".")), fields.Integer):
            out[name] = int(value.strip())
    return out


def _field(schema: Schema, parts: list[str]) -> Any:
    """The schema field a dotted form name (``lines.3.packs``) lands in."""
    field: Any = schema.fields.get(parts[0])
    for part in parts[1:]:
        if isinstance(field, fields.List) and part.isdigit():
            field = field.inner
        elif isinstance(field, fields.Nested):
            field = field.schema.fields.get(part)
        else:
            return None
    return field


def refuse_rows(form: PageForm, error: DomainError, rows: list[str], fields: Iterable[str]):
    """A service's refusal beside the rows as the page numbered them."""
    form.refuse(error)
    form.errors = renumber_back(form.errors, rows, fields)


def renumber_back(
    errors: Mapping[str, list[str]], rows: list[str], fields: Iterable[str]
) -> dict[str, list[str]]:
    """``lines.<i>.x`` -> ``lines.<rows[i]>.x``; an error no input shows goes on top."""
    known = set(fields)
    out: dict[str, list[str]] = {}
    for name, messages in errors.items():
        parts = name.split(".", 2)
        if (
            parts[0] == "lines"
            and len(parts) == 3
            and parts[1].isdigit()
            and int(parts[1]) < len(rows)
        ):
            target = f"lines.{rows[int(parts[1])]}.{parts[2]}"
        elif name in known or name == FORM_ERRORS:
            target = name
        else:
            target = FORM_ERRORS
        out.setdefault(target, []).extend(messages)
    return out


from procurement.orders.pages import documents, hospital, supplier  # noqa: E402

__all__ = ["bp", "documents", "hospital", "payables_from", "supplier"]
