"""Wire formats of tenders, lots, products and demand reports. Money travels as strings."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from procurement.catalog.lifecycle import TenderStatus
from procurement.catalog.models import (
    DosageClass,
    QualityRequirement,
    SmallestUnit,
    TenderCategory,
)
from procurement.web.api import Schema, StrictDecimal


def _values(enum) -> list[str]:
    return [m.value for m in enum]


class EnumValue(fields.String):
    """A StrEnum member on the way out, one of its values on the way in."""

    def __init__(self, enum, **kwargs) -> None:
        kwargs.setdefault("validate", validate.OneOf(_values(enum)))
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else str(getattr(value, "value", value))


def _count(**kwargs):
    return fields.Integer(strict=True, validate=validate.Range(min=0), **kwargs)


# ---- tenders -------------------------------------------------------------------------------


class TenderWriteSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    category = fields.String(required=True, validate=validate.OneOf(["drug", "consumable"]))
    region_scope = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Province-level GB/T 2260 codes, e.g. ['310000']"},
    )
    demand_deadline = fields.AwareDateTime(required=True)
    bid_deadline = fields.AwareDateTime(required=True)
    opening_at = fields.AwareDateTime(required=True)
    contract_start = fields.Date(required=True)
    contract_years = fields.Integer(required=True, strict=True)
    rules_preset = fields.String(metadata={"description": "national-2021/2024/2025"})
    rules_overrides = fields.Dict(
        keys=fields.String(),
        metadata={
            "description": (
                "Rules fields to override, by '<section>.<field>' or by the bare field name "
                "where only one section has it: {'win_multiple': '2.0', "
                "'compliance.on_track_factor': '0.9', 'settlement.payment_deadline_days': 15, "
                "'service_levels.deliver_hours': {'city': 12}}. Sections: selection, volume, "
                "allocation, demand, compliance, settlement, service_levels, pharmacy; "
                "payment_deadline_days needs its section (compliance or settlement)."
            )
        },
    )


class TenderSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    category = EnumValue(TenderCategory)
    region_scope = fields.List(fields.String())
    demand_deadline = fields.DateTime()
    bid_deadline = fields.DateTime()
    opening_at = fields.DateTime()
    contract_start = fields.Date()
    contract_years = fields.Integer()
    status = EnumValue(TenderStatus)
    allowed_next = fields.Function(lambda t: [s.value for s in t.allowed_next])
    rules_preset = fields.String()
    rules_overrides = fields.Dict()
    rules_snapshot = fields.Dict(allow_none=True)
    created_by_org_id = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    status_changed_at = fields.DateTime()
    lot_count = fields.Function(lambda t: len(t.lots))
    version = fields.Integer(metadata={"description": "Also sent as the ETag; PATCH If-Match"})


class TenderQueryArgs(Schema):
    status = fields.String(validate=validate.OneOf(_values(TenderStatus)))


class TransitionSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf(_values(TenderStatus)))


# ---- lots ----------------------------------------------------------------------------------


class LotWriteSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=20))
    generic_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    dosage_form = fields.String(required=True, validate=validate.Length(min=1, max=80))
    dosage_class = fields.String(required=True, validate=validate.OneOf(_values(DosageClass)))
    reference_strength = StrictDecimal(required=True)
    strength_unit = fields.String(required=True, validate=validate.Length(min=1, max=10))
    smallest_unit = fields.String(required=True, validate=validate.OneOf(_values(SmallestUnit)))
    ceiling_unit_price = StrictDecimal(required=True)
    reference_unit_price = StrictDecimal(required=True)
    quality_requirement = fields.String(validate=validate.OneOf(_values(QualityRequirement)))
    antimicrobial_restricted = fields.Boolean()


class LotSchema(Schema):
    id = fields.Integer()
    tender_id = fields.Integer()
    code = fields.String()
    generic_name = fields.String()
    dosage_form = fields.String()
    dosage_class = EnumValue(DosageClass)
    reference_strength = StrictDecimal(places=4)
    strength_unit = fields.String()
    smallest_unit = EnumValue(SmallestUnit)
    ceiling_unit_price = StrictDecimal(places=4)
    reference_unit_price = StrictDecimal(places=4)
    currency = fields.String()
    quality_requirement = EnumValue(QualityRequirement)
    antimicrobial_restricted = fields.Boolean()
    oral_solid = fields.Boolean()


class UploadSchema(Schema):
    file = Upload(required=True, metadata={"description": "CSV (UTF-8) or XLSX"})


class LotImportFormSchema(Schema):
    replace = fields.Boolean(
        load_default=False, metadata={"description": "Remove the tender's lots first"}
    )


class ImportResultSchema(Schema):
    imported = fields.Integer()


# ---- products ------------------------------------------------------------------------------


class ProductWriteSchema(Schema):
    approval_number = fields.String(required=True, validate=validate.Length(min=4, max=40))
    generic_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    trade_name = fields.String(allow_none=True, validate=validate.Length(max=200))
    dosage_form = fields.String(required=True, validate=validate.Length(min=1, max=80))
    dosage_class = fields.String(required=True, validate=validate.OneOf(_values(DosageClass)))
    strength = StrictDecimal(required=True)
    strength_unit = fields.String(required=True, validate=validate.Length(min=1, max=10))
    smallest_unit = fields.String(required=True, validate=validate.OneOf(_values(SmallestUnit)))
    pack_size = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    consistency_evaluated = fields.Boolean()
    originator = fields.Boolean()
    approval_date = fields.Date(required=True)


class ProductSchema(Schema):
    id = fields.Integer()
    manufacturer_id = fields.Integer()
    approval_number = fields.String()
    generic_name = fields.String()
    trade_name = fields.String(allow_none=True)
    dosage_form = fields.String()
    dosage_class = EnumValue(DosageClass)
    strength = StrictDecimal(places=4)
    strength_unit = fields.String()
    smallest_unit = EnumValue(SmallestUnit)
    pack_size = fields.Integer()
    consistency_evaluated = fields.Boolean()
    originator = fields.Boolean()
    approval_date = fields.Date()
    created_at = fields.DateTime()


# ---- demand --------------------------------------------------------------------------------


class BrandLineInSchema(Schema):
    """A part of the lot's demand named by product: by ``product_id`` or ``approval_number``."""

    product_id = fields.Integer(strict=True, validate=validate.Range(min=1))
    approval_number = fields.String(validate=validate.Length(max=40))
    quantity = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(min=1),
        metadata={"description": "Smallest units"},
    )


class DemandLineSchema(Schema):
    lot_code = fields.String(required=True)
    quantity = _count(
        required=True, metadata={"description": "Whole annual quantity, smallest units"}
    )
    last_year_usage = _count(required=True)
    brand_lines = fields.List(
        fields.Nested(BrandLineInSchema),
        load_default=list,
        metadata={"description": "Parts named by product (tenders with brand reporting)"},
    )
    floor_reason = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "Why the quantity is below the demand floor (floor_mode reason)"},
    )


class DemandSubmitSchema(Schema):
    rows = fields.List(
        fields.Nested(DemandLineSchema), required=True, validate=validate.Length(min=1)
    )
    buyer_id = fields.Integer(
        load_default=None,
        strict=True,
        metadata={"description": "A county medical community reports for this member."},
    )


class BrandLineSchema(Schema):
    product_id = fields.Integer()
    approval_number = fields.Function(lambda line: line.product.approval_number)
    manufacturer = fields.Function(lambda line: line.product.manufacturer.name)
    quantity = fields.Integer()


class DemandReportSchema(Schema):
    id = fields.Integer()
    tender_id = fields.Integer()
    lot_id = fields.Integer()
    lot_code = fields.Function(lambda r: r.lot.code)
    hospital_id = fields.Integer()
    hospital_name = fields.Function(lambda r: r.hospital.name)
    province_code = fields.String()
    quantity = fields.Integer()
    last_year_usage = fields.Integer()
    confirmed_quantity = fields.Integer(allow_none=True)
    version = fields.Integer()
    submitted_at = fields.DateTime()
    updated_at = fields.DateTime()
    brand_lines = fields.List(fields.Nested(BrandLineSchema))
    brand_quantity = fields.Function(lambda r: sum(b.quantity for b in r.brand_lines))
    floor_quantity = fields.Integer(allow_none=True)
    floor_source = fields.String(allow_none=True)
    floor_reason = fields.String(allow_none=True)
    floor_confirmed_at = fields.DateTime(allow_none=True)


class DemandRevisionSchema(Schema):
    version = fields.Integer()
    quantity = fields.Integer()
    last_year_usage = fields.Integer()
    source = fields.String()
    submitted_at = fields.DateTime()
    brand_lines = fields.List(fields.Dict(), allow_none=True)
    floor_reason = fields.String(allow_none=True)


class DemandReportDetailSchema(DemandReportSchema):
    revisions = fields.List(fields.Nested(DemandRevisionSchema))


class LotTotalSchema(Schema):
    lot_id = fields.Integer()
    lot_code = fields.String()
    generic_name = fields.String()
    smallest_unit = fields.String()
    hospitals = fields.Integer()
    quantity = fields.Integer()
    last_year_usage = fields.Integer()
    confirmed_quantity = fields.Integer(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    brand_quantity = fields.Integer()
    brand_share = fields.Decimal(as_string=True, allow_none=True)
    below_floor = fields.Integer()
    below_floor_pending = fields.Integer()


class RegionTotalSchema(Schema):
    lot_code = fields.String()
    province_code = fields.String()
    hospitals = fields.Integer()
    quantity = fields.Integer()
    confirmed_quantity = fields.Integer(allow_none=True)


class DemandTotalsSchema(Schema):
    tender_id = fields.Integer()
    confirmed = fields.Boolean()
    lots = fields.List(fields.Nested(LotTotalSchema))
    regions = fields.List(fields.Nested(RegionTotalSchema))


class DemandListSchema(Schema):
    reports = fields.List(fields.Nested(DemandReportSchema))
    totals = fields.Nested(DemandTotalsSchema, allow_none=True)


class AdjustmentSchema(Schema):
    report_id = fields.Integer(required=True, strict=True)
    confirmed_quantity = _count(required=True)


class DemandConfirmSchema(Schema):
    lots = fields.List(fields.String(), metadata={"description": "Lot codes; default all"})
    adjustments = fields.List(fields.Nested(AdjustmentSchema), load_default=list)


class TenderPatchSchema(TenderWriteSchema):
    """Any subset of the tender's fields (used with partial=True)."""


class LotPatchSchema(LotWriteSchema):
    """Any subset of the lot's fields (used with partial=True)."""
