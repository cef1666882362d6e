"""Shortage monitoring on the wire: quantities as integers in the product's smallest units,
months as "YYYY-MM", levels as their codes (county, city, province, national)."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.compliance.alerts.models import AlertKind, AlertStatus, Severity
from procurement.compliance.shortage.rules import LEVELS
from procurement.web.api import Schema

LEVEL_CODES = [lv.value for lv in LEVELS]


class ShortageReportCreateSchema(Schema):
    product_id = fields.Integer(required=True)
    period = fields.String(
        required=True,
        validate=validate.Length(max=7),
        metadata={"description": "the month reported on, YYYY-MM (due by the 10th of the next)"},
    )
    production = fields.Integer(required=True, metadata={"description": "units made in it"})
    stock = fields.Integer(required=True, metadata={"description": "units on hand at its end"})
    capacity = fields.Integer(required=True, metadata={"description": "units a month"})


class ShortageReportSchema(ShortageReportCreateSchema):
    id = fields.Integer(dump_only=True)
    manufacturer_id = fields.Integer(dump_only=True)
    reported_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class DutySchema(Schema):
    product_id = fields.Integer()
    product = fields.String()
    lot_id = fields.Integer(allow_none=True)
    period = fields.String()
    due = fields.Date()
    days_overdue = fields.Integer()
    missing = fields.Boolean()
    report = fields.Nested(ShortageReportSchema, allow_none=True)


class DutiesSchema(Schema):
    today = fields.Date()
    open_period = fields.String()
    rows = fields.List(fields.Nested(DutySchema))


class ShortageArgs(Schema):
    level = fields.String(load_default=None, validate=validate.OneOf(LEVEL_CODES))
    status = fields.String(
        load_default=None, validate=validate.OneOf([s.value for s in AlertStatus])
    )


class LevelChangeSchema(Schema):
    level = fields.String()
    region_code = fields.String(allow_none=True)
    detail = fields.String()
    at = fields.DateTime()


class ShortageSchema(Schema):
    id = fields.Integer()
    kind = fields.Enum(AlertKind, by_value=True)
    severity = fields.Enum(Severity, by_value=True)
    status = fields.Enum(AlertStatus, by_value=True)
    level = fields.String(allow_none=True)
    subject_org_id = fields.Integer(allow_none=True)
    region_code = fields.String(allow_none=True)
    lot_id = fields.Integer(allow_none=True)
    detail = fields.String()
    facts = fields.Dict()
    raised_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    levels = fields.List(fields.Nested(LevelChangeSchema))


class BackupActivationSchema(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    region_code = fields.String()
    bid_id = fields.Integer()
    manufacturer_id = fields.Integer()
    activated_at = fields.DateTime()
    contract_ids = fields.Function(lambda a: [c.contract_id for c in a.contracts])
    ended_at = fields.DateTime(allow_none=True, metadata={"description": "null while active"})
    end_reason = fields.String(allow_none=True)


class BackupEndSchema(Schema):
    reason = fields.String(
        required=True, metadata={"description": "why the backup supply ends (1-500 characters)"}
    )


class BackupOrderSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    hospital_id = fields.Integer()
    manufacturer_id = fields.Integer()
    status = fields.Function(lambda o: o.status.value)
    placed_at = fields.DateTime()


class ShortageCaseSchema(Schema):
    shortage = fields.Nested(ShortageSchema, attribute="alert")
    activation = fields.Nested(BackupActivationSchema, allow_none=True)
    orders = fields.List(fields.Nested(BackupOrderSchema))


class ShortageListEntrySchema(Schema):
    id = fields.Integer(dump_only=True)
    product_id = fields.Integer(required=True)
    added_at = fields.DateTime(dump_only=True)
