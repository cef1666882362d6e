"""The online procurement rate on the wire: its query arguments (the page's filter form too)
and its report."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.auth.roles import InstitutionType
from procurement.compliance.online_rate.queries import LEVELS
from procurement.web.api import Schema

MONTH = "%Y-%m"


class OnlineRateArgs(Schema):
    month_from = fields.Date(
        data_key="from", format=MONTH, load_default=None, metadata={"example": "2026-01"}
    )
    month_to = fields.Date(
        data_key="to", format=MONTH, load_default=None, metadata={"example": "2026-06"}
    )
    level = fields.String(load_default="institution", validate=validate.OneOf(LEVELS))
    institution_type = fields.String(
        load_default=None, validate=validate.OneOf([t.value for t in InstitutionType])
    )
    region = fields.String(load_default=None, validate=validate.Regexp(r"^\d{6}$"))


class RateRowSchema(Schema):
    key = fields.String(metadata={"description": "The organization id, or the region code."})
    name = fields.String(metadata={"description": "An institution's name."})
    institution_type = fields.Function(
        lambda row: row.institution_type.value if row.institution_type else None,
        metadata={"type": "string", "nullable": True},
    )
    region_code = fields.String()
    buyers = fields.Integer()
    online = fields.Decimal(as_string=True, places=2)
    off_platform = fields.Decimal(as_string=True, places=2)
    rate = fields.Decimal(
        as_string=True,
        allow_none=True,
        metadata={"description": "online / (online + off_platform), 4 places."},
    )


class OnlineRateSchema(Schema):
    month_from = fields.Function(lambda r: f"{r.filters.month_from:%Y-%m}", data_key="from")
    month_to = fields.Function(lambda r: f"{r.filters.month_to:%Y-%m}", data_key="to")
    level = fields.Function(lambda r: r.filters.level)
    rows = fields.List(fields.Nested(RateRowSchema))
    total = fields.Nested(RateRowSchema)
