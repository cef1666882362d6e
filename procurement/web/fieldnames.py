"""Field errors named as the forms name the fields: ``lines.0.contract_id`` reads "Line 1 ·
Contract" (第 1 行 · 合同), not as the path the API reports (which clients rely on and keeps)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from flask_babel import get_locale, gettext, lazy_gettext

FIELD_LABELS: dict[str, object] = {
    "_schema": lazy_gettext("Form"),
    "accepted_quantity": lazy_gettext("Accepted quantity"),
    "amount": lazy_gettext("Amount"),
    "antimicrobial_restricted": lazy_gettext("Restricted antimicrobial"),
    "approval_date": lazy_gettext("Approval date"),
    "approval_number": lazy_gettext("Approval number"),
    "batch_no": lazy_gettext("Batch"),
    "batch_size": lazy_gettext("Batch size"),
    "bid_deadline": lazy_gettext("Bid deadline"),
    "capacity": lazy_gettext("Capacity"),
    "category": lazy_gettext("Category"),
    "ceiling_unit_price": lazy_gettext("Ceiling unit price"),
    "code": lazy_gettext("Code"),
    "confirm_password": lazy_gettext("Confirm new password"),
    "consistency_evaluated": lazy_gettext("Passed consistency evaluation"),
    "contract_id": lazy_gettext("Contract"),
    "contract_start": lazy_gettext("Contract start"),
    "contract_year": lazy_gettext("Contract year"),
    "contract_years": lazy_gettext("Contract years"),
    "current_password": lazy_gettext("Current password"),
    "cut_off": lazy_gettext("Cut-off"),
    "decision": lazy_gettext("Decision"),
    "delivery_address": lazy_gettext("Delivery address"),
    "demand_deadline": lazy_gettext("Demand deadline"),
    "display_name": lazy_gettext("Display name"),
    "distributor_code": lazy_gettext("Distributor"),
    "dosage_class": lazy_gettext("Dosage class"),
    "dosage_form": lazy_gettext("Dosage form"),
    "emergency": lazy_gettext("Emergency"),
    "expiry_date": lazy_gettext("Expiry date"),
    "file": lazy_gettext("File"),
    "generic_name": lazy_gettext("Generic name"),
    "kind": lazy_gettext("Kind"),
    "line_no": lazy_gettext("Line"),
    "lines": lazy_gettext("Lines"),
    "lot_code": lazy_gettext("Lot"),
    "lot_id": lazy_gettext("Lot"),
    "name": lazy_gettext("Name"),
    "new_password": lazy_gettext("New password"),
    "note": lazy_gettext("Note"),
    "opening_at": lazy_gettext("Opening time"),
    "order_number": lazy_gettext("Order"),
    "pack_size": lazy_gettext("Pack size (smallest units)"),
    "packs": lazy_gettext("Packs"),
    "password": lazy_gettext("Password"),
    "price_per_pack": lazy_gettext("Price per pack"),
    "product_id": lazy_gettext("Product"),
    "production_date": lazy_gettext("Production date"),
    "quality_requirement": lazy_gettext("Quality requirement"),
    "quantity": lazy_gettext("Quantity"),
    "reason": lazy_gettext("Reason"),
    "reference_strength": lazy_gettext("Reference strength"),
    "reference_unit_price": lazy_gettext("Reference unit price"),
    "region_code": lazy_gettext("Region"),
    "region_scope": lazy_gettext("Region scope"),
    "regions": lazy_gettext("Regions"),
    "rejected_quantity": lazy_gettext("Rejected quantity"),
    "rejection_reason": lazy_gettext("Rejection reason"),
    "role": lazy_gettext("Role"),
    "rules_overrides": lazy_gettext("Rules overrides"),
    "rules_preset": lazy_gettext("Rules preset"),
    "shipped_quantity": lazy_gettext("Shipped quantity"),
    "smallest_unit": lazy_gettext("Smallest unit"),
    "strength": lazy_gettext("Strength"),
    "strength_unit": lazy_gettext("Strength unit"),
    "text": lazy_gettext("Text"),
    "trade_name": lazy_gettext("Trade name"),
    "unit_price": lazy_gettext("Unit price"),
    "username": lazy_gettext("User name"),
    "valid_days": lazy_gettext("Valid for (days)"),
    "valid_from": lazy_gettext("Valid from"),
    "valid_until": lazy_gettext("Valid until"),
    "wanted_by": lazy_gettext("Wanted by"),
}

# Statements: summary figures, columns and what a line or an account is.
FIELD_LABELS.update(
    {
        "receivables_accrued": lazy_gettext("Receivables accrued"),
        "payables_accrued": lazy_gettext("Payables accrued"),
        "payments": lazy_gettext("Payments"),
        "payment": lazy_gettext("Payment"),
        "outstanding_at_end": lazy_gettext("Outstanding at the end"),
        "overdue": lazy_gettext("Overdue"),
        "advance_received": lazy_gettext("Advance received"),
        "charged_to_advance": lazy_gettext("Charged to the advance"),
        "charged_to_allocation": lazy_gettext("Charged to the allocation"),
        "advance_remaining": lazy_gettext("Advance remaining"),
        "accepted_value": lazy_gettext("Accepted value"),
        "kind": lazy_gettext("Kind"),
        "date": lazy_gettext("Date"),
        "reference": lazy_gettext("Reference"),
        "count": lazy_gettext("Count"),
        "days_overdue": lazy_gettext("Days overdue"),
        "transaction": lazy_gettext("Transaction"),
        "account": lazy_gettext("Account"),
        "fund_pool": lazy_gettext("Fund pool"),
        "hospital_allocation": lazy_gettext("Hospital allocation"),
        "hospital_advance": lazy_gettext("Hospital advance"),
        "manufacturer_payable": lazy_gettext("Manufacturer payable"),
        "manufacturer_paid": lazy_gettext("Manufacturer paid"),
        "retained_savings": lazy_gettext("Retained savings"),
        "budget_deduction": lazy_gettext("Budget deduction"),
    }
)


def column_headings(codes: Sequence[str]) -> list[str]:
    """An export's column headings in the page's language: the labels on Chinese pages, the
    column names themselves on English ones (which read as English)."""
    if not str(get_locale()).startswith("zh"):
        return list(codes)
    return [_name(code) for code in codes]


_ROW = re.compile(r"row (\d+): (.+)")


def field_label(path: str) -> str:
    """``lines.0.contract_id`` -> "Line 1 · Contract"; ``row 3: quantity`` (an upload's cell)
    -> "Row 3 · Quantity"; an unknown name stays as it is."""
    row = _ROW.fullmatch(path)
    if row:
        return " · ".join([gettext("Row %(n)s", n=row.group(1)), _name(row.group(2))])
    parts, names = [], path.split(".")
    for index, part in enumerate(names):
        if part.isdigit():
            parts.append(gettext("Line %(n)s", n=int(part) + 1))
        elif not (index + 1 < len(names) and names[index + 1].isdigit()):
            parts.append(_name(part))  # a list's name before an index: "Line n" says it
    return " · ".join(parts)


def _name(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name
