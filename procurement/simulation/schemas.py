"""Simulations on the wire: the variants asked for, and the kept comparison (money and prices
as decimal strings, quantities as integers)."""

from __future__ import annotations

import json
from typing import Any

from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, validate

from procurement.simulation.engine import MAX_SIMULATION_VARIANTS, MAX_VARIANT_NAME
from procurement.simulation.export import FORMATS
from procurement.web.api import Schema

MONEY = {"as_string": True, "allow_none": True}


class VariantInSchema(Schema):
    name = fields.String(load_default="", validate=validate.Length(max=MAX_VARIANT_NAME))
    preset = fields.String(
        required=True, metadata={"description": "national-2021, national-2024, national-2025"}
    )
    overrides = fields.Dict(
        keys=fields.String(),
        load_default=dict,
        metadata={"description": 'Rules fields by "section.field", e.g. {"win_multiple": "2.0"}'},
    )


class SimulationStartSchema(Schema):
    variants = fields.List(
        fields.Nested(VariantInSchema),
        required=True,
        metadata={"description": f"At most {MAX_SIMULATION_VARIANTS} (MAX_SIMULATION_VARIANTS)"},
    )


class VariantsJson(fields.Field):
    """The variants as JSON text in a multipart form (beside the uploaded file)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        try:
            parsed = json.loads(value)
        except (TypeError, ValueError) as error:
            raise ValidationError("not JSON: a list of {preset, overrides, name}") from error
        if not isinstance(parsed, list):
            raise ValidationError("a JSON list of {preset, overrides, name}")
        return VariantInSchema(many=True).load(parsed)


class UploadFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "CSV (UTF-8) or XLSX of bids"})


class UploadFormSchema(Schema):
    variants = VariantsJson(
        required=True,
        metadata={"type": "string", "description": 'JSON, e.g. [{"preset": "national-2025"}]'},
    )


class ExportArgs(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(FORMATS))


class WinnerSchema(Schema):
    bidder = fields.String()
    outcome = fields.String(metadata={"description": "won or revived"})
    price = fields.Decimal(as_string=True)
    comparable = fields.Decimal(**MONEY)
    quantity = fields.Integer()
    amount = fields.Decimal(as_string=True)


class FiguresSchema(Schema):
    agreed = fields.Integer()
    spend = fields.Decimal(**MONEY, metadata={"description": "Expected spend at the award"})
    reference_spend = fields.Decimal(**MONEY)
    savings = fields.Decimal(**MONEY)
    average_price = fields.Decimal(**MONEY)
    price_change = fields.Decimal(**MONEY, metadata={"description": "From the baseline"})
    price_change_ratio = fields.Decimal(**MONEY)


class LotCellSchema(FiguresSchema):
    lot_code = fields.String()
    lot_name = fields.String()
    status = fields.String(metadata={"description": "ok, failed (流标) or infeasible"})
    winner_count = fields.Integer()
    anchor_price = fields.Decimal(**MONEY)
    volume_ratio = fields.Decimal(**MONEY)
    total_demand = fields.Integer()
    winners = fields.List(fields.Nested(WinnerSchema))
    note = fields.String()


class TotalsSchema(FiguresSchema):
    lots = fields.Integer()
    failed = fields.Integer()
    infeasible = fields.Integer()
    savings_rate = fields.Decimal(**MONEY)


class VariantSchema(Schema):
    position = fields.Integer()
    name = fields.String()
    baseline = fields.Boolean()
    preset = fields.String()
    overrides = fields.Dict()
    totals = fields.Nested(TotalsSchema)
    lots = fields.List(fields.Nested(LotCellSchema))


class SimulationSummarySchema(Schema):
    id = fields.Integer()
    tender_id = fields.Integer(allow_none=True)
    filename = fields.String()
    inputs_digest = fields.String()
    ran_at = fields.DateTime()
    ran_by_user_id = fields.Integer(allow_none=True)
    rerun_of_id = fields.Integer(allow_none=True)


class SimulationSchema(SimulationSummarySchema):
    inputs_changed = fields.Boolean(metadata={"description": "Digest differs from today's"})
    variants = fields.List(fields.Nested(VariantSchema))
