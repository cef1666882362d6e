"""What people read for each enum value: one translated label per value, defined once here.

Templates print ``{{ status|label }}``, never ``{{ status.value }}`` (attributes such as
``data-status`` keep the code for scripts and tests). Enums are named by their module and
class, so this module imports no area.
"""

from __future__ import annotations

from enum import Enum

from flask_babel import lazy_pgettext


def _l(text: str) -> object:
    """A label, translated in the catalog's "label" context (apart from the same words used
    as column headings, e.g. "Placed" as a time)."""
    return lazy_pgettext("label", text)


LABELS: dict[str, dict[str, object]] = {
    "procurement.orders.models.OrderStatus": {
        "placed": _l("Placed"),
        "confirmed": _l("Confirmed"),
        "partly_shipped": _l("Partly shipped"),
        "shipped": _l("Shipped"),
        "received": _l("Received"),
        "closed": _l("Closed"),
        "cancelled": _l("Cancelled"),
        "rejected": _l("Rejected"),
    },
    "procurement.trace.models.PackageState": {
        "shipped": _l("Shipped"),
        "received": _l("Received"),
        "dispensed": _l("Dispensed"),
        "returned": _l("Returned"),
    },
    "procurement.trace.models.EventKind": {
        "shipped": _l("Shipped"),
        "received": _l("Received"),
        "dispensed": _l("Dispensed"),
        "returned": _l("Returned"),
    },
    "procurement.trace.scan_models.AlertKind": {
        "second_receipt": _l("Received twice"),
        "second_dispense": _l("Dispensed twice"),
        "dispense_before_receipt": _l("Dispensed before receipt"),
        "dispense_elsewhere": _l("Dispensed where never delivered"),
        "unknown_code": _l("Code never shipped"),
    },
    "procurement.trace.models.PackageLevel": {"box": _l("Box"), "case": _l("Case")},
    "procurement.bidding.models.BidStatus": {
        "submitted": _l("Submitted"),
        "withdrawn": _l("Withdrawn"),
    },
    "procurement.bidding.models.Validity": {"valid": _l("Valid"), "invalid": _l("Invalid")},
    "procurement.catalog.lifecycle.TenderStatus": {
        "draft": _l("Draft"),
        "demand_open": _l("Demand reporting"),
        "bidding_open": _l("Bidding open"),
        "bidding_closed": _l("Bidding closed"),
        "opened": _l("Bids opened"),
        "awarded": _l("Awarded"),
        "in_force": _l("In force"),
        "closed": _l("Closed"),
    },
    "procurement.catalog.models.TenderCategory": {
        "drug": _l("Drugs"),
        "consumable": _l("Medical consumables"),
    },
    "procurement.catalog.models.DosageClass": {
        "oral_solid": _l("Oral solid"),
        "oral_liquid": _l("Oral liquid"),
        "injection": _l("Injection"),
        "topical": _l("Topical"),
        "inhalation": _l("Inhalation"),
        "device": _l("Device"),
        "other": _l("Other"),
    },
    "procurement.catalog.models.SmallestUnit": {
        "tablet": _l("tablet"),
        "capsule": _l("capsule"),
        "sachet": _l("sachet"),
        "vial": _l("vial"),
        "ampoule": _l("ampoule"),
        "bag": _l("bag"),
        "bottle": _l("bottle"),
        "syringe": _l("syringe"),
        "piece": _l("piece"),
        "set": _l("set"),
    },
    "procurement.catalog.models.QualityRequirement": {
        "consistency_evaluated": _l("Passed consistency evaluation"),
        "none": _l("No requirement"),
    },
    "procurement.award.models.RunStatus": {
        "succeeded": _l("Succeeded"),
        "infeasible": _l("Infeasible"),
        "failed": _l("Failed"),
    },
    "procurement.award.selection.Outcome": {
        "won": _l("Won"),
        "revived": _l("Won by revival"),
        "lost": _l("Not selected"),
        "invalid": _l("Invalid"),
    },
    "procurement.award.models.LotStatus": {
        "ok": _l("Awarded"),
        "infeasible": _l("Infeasible"),
        "failed": _l("Failed"),
        "error": _l("Error"),
    },
    "procurement.settlement.models.RunStatus": {
        "running": _l("Running"),
        "completed": _l("Completed"),
        "failed": _l("Failed"),
    },
    "procurement.settlement.monthly_models.ReconciliationStatus": {
        "open": _l("Awaiting confirmation"),
        "confirmed": _l("Confirmed"),
    },
    "procurement.settlement.monthly_models.LineStatus": {
        "open": _l("Awaiting confirmation"),
        "confirmed": _l("Confirmed"),
        "disputed": _l("Disputed"),
    },
    "procurement.settlement.monthly_models.HeldReason": {
        "unconfirmed": _l("Held: reconciliation not confirmed"),
        "disputed": _l("Held: disputed"),
        "mismatch": _l("Held: order, receipt and invoice differ"),
        "no_invoice": _l("Held: no invoice"),
        "unscanned": _l("Held: accepted without scanning its codes"),
    },
    "procurement.settlement.monthly_models.Resolution": {
        "corrected": _l("Corrected by the manufacturer"),
        "withdrawn": _l("Dispute withdrawn"),
    },
    "procurement.contracts.models.ContractStatus": {
        "draft": _l("Draft"),
        "active": _l("In force"),
        "ended": _l("Ended"),
    },
    "procurement.compliance.alerts.models.AlertKind": {
        "hospital_behind": _l("Hospital behind"),
        "zero_purchase": _l("No purchase"),
        "supplier_unconfirmed": _l("Order not confirmed"),
        "late_delivery": _l("Late delivery"),
        "rejected_orders": _l("Orders rejected"),
        "overdue_payment": _l("Overdue payment"),
        "high_non_winning_share": _l("Non-winning products"),
        "no_backup": _l("No backup supplier"),
        "shortage": _l("Shortage"),
        "shortage_report_missing": _l("Shortage report missing"),
        "price_outlier": _l("Price outlier"),
        "pharmacy_coverage": _l("Pharmacy list not stocked"),
        "pharmacy_price": _l("Pharmacy price above the cap"),
        "pharmacy_stock_out": _l("Pharmacy out of stock"),
    },
    "procurement.compliance.shortage.rules.Level": {
        "county": _l("County level"),
        "city": _l("City level"),
        "province": _l("Province level"),
        "national": _l("National level"),
    },
    "procurement.compliance.alerts.models.AlertStatus": {
        "open": _l("Open"),
        "resolved": _l("Resolved"),
    },
    "procurement.compliance.alerts.models.Severity": {
        "info": _l("Info"),
        "warning": _l("Warning"),
        "high": _l("High"),
    },
    "procurement.compliance.alerts.models.EscalationStep": {
        "none": _l("Not escalated"),
        "reminder": _l("Reminder"),
        "public_notice": _l("Public notice"),
        "summons": _l("Summons"),
    },
    "procurement.compliance.credit.models.CreditEventKind": {
        "late_delivery": _l("Late delivery"),
        "order_rejected_or_unconfirmed": _l("Order rejected or not confirmed"),
        "region_unsupplied_7d": _l("Region unsupplied for 7 days"),
        "gave_up_win": _l("Gave up a win"),
    },
    "procurement.compliance.credit.models.CreditEventStatus": {
        "active": _l("In effect"),
        "appealed": _l("Appealed"),
        "upheld": _l("Upheld"),
        "overturned": _l("Overturned"),
    },
    "procurement.auth.roles.OrgKind": {
        "regulator": _l("Procurement office"),
        "fund": _l("Insurance fund"),
        "hospital": _l("Hospital"),
        "manufacturer": _l("Manufacturer"),
        "distributor": _l("Distributor"),
    },
    "procurement.auth.roles.InstitutionType": {
        "hospital": _l("Hospital"),
        "community_health_centre": _l("Community health centre"),
        "township_hospital": _l("Township hospital"),
        "village_clinic": _l("Village clinic"),
        "medical_community": _l("County medical community"),
        "pharmacy_store": _l("Retail pharmacy"),
        "pharmacy_chain": _l("Pharmacy chain"),
    },
    "procurement.auth.roles.Role": {
        "admin": _l("Administrator"),
        "staff": _l("Staff"),
        "viewer": _l("Viewer"),
    },
    "procurement.compliance.redflags.flags.FlagCode": {
        "R018": _l("Single bid received"),
        "R024": _l("Price close to winning bid"),
        "R025": _l("Excessive unsuccessful bids"),
        "R028": _l("Identical bid prices"),
        "R035": _l("All except winning bid disqualified"),
        "R036": _l("Lowest bid disqualified"),
        "R038": _l("Excessive disqualified bids"),
        "R058": _l("Heavily discounted bid"),
        "same_price": _l("Same unit price across lots"),
        "revival": _l("Repeated revival opt-ins"),
        "related_group": _l("Bids within a related-bidder group"),
    },
    "procurement.events.types.EventType": {
        "order.placed": _l("Order placed"),
        "order.confirmed": _l("Order confirmed"),
        "order.shipped": _l("Order shipped"),
        "order.received": _l("Order received"),
        "payment.made": _l("Payment made"),
        "alert.raised": _l("Alert raised"),
        "alert.escalated": _l("Alert escalated"),
        "award.published": _l("Award published"),
        "reconciliation.issued": _l("Reconciliation issued"),
        "webhook.disabled": _l("Webhook disabled"),
    },
    "procurement.events.models.DeliveryStatus": {
        "pending": _l("Pending"),
        "delivered": _l("Delivered"),
        "failed": _l("Failed"),
    },
    "procurement.listing.models.RequestStatus": {
        "pending": _l("Pending"),
        "approved": _l("Approved"),
        "rejected": _l("Rejected"),
    },
    "procurement.jobs.models.JobStatus": {
        "queued": _l("Queued"),
        "running": _l("Running"),
        "succeeded": _l("Succeeded"),
        "failed": _l("Failed"),
    },
}


def label(value: Enum | None) -> str:
    """The translated label of an enum value ("—" for none); its code if it has no label."""
    if value is None:
        return "—"
    kind = type(value)
    found = LABELS.get(f"{kind.__module__}.{kind.__qualname__}", {}).get(value.value)
    return str(found) if found is not None else str(value.value)


# The rules presets (catalog/rules.py PRESETS), by name: which national batch each follows.
PRESET_LABELS = {
    "national-2021": _l("National rules 2021"),
    "national-2024": _l("National rules 2024 (batch 10)"),
    "national-2025": _l("National rules 2025 (batch 11)"),
}


def preset_label(name: str | None) -> str:
    """A rules preset's label; any other text (a variant's own name) as it is."""
    if not name:
        return "—"
    found = PRESET_LABELS.get(name)
    return str(found) if found is not None else name
