"""Traceability codes on the wire."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from procurement.trace.codes import MAX_CODE_LENGTH, MAX_PATTERN_LENGTH
from procurement.trace.files import MAX_CODES_PER_FILE
from procurement.trace.models import EventKind, PackageLevel, PackageState
from procurement.web.api import Schema

CODE = validate.Length(min=1, max=MAX_CODE_LENGTH)


class CodeInSchema(Schema):
    code = fields.String(required=True, validate=CODE)
    case = fields.String(
        load_default=None,
        validate=CODE,
        metadata={"description": "The case (aggregation) code standing for this box"},
    )


class CodesInSchema(Schema):
    codes = fields.List(
        fields.Nested(CodeInSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_CODES_PER_FILE),
    )


class CodeFileSchema(Schema):
    file = Upload(
        required=True,
        metadata={
            "description": "CSV (UTF-8) or XLSX with columns code and case (optional), or "
            "plain text with one code a line"
        },
    )


class CodesAttachedSchema(Schema):
    shipment_line_id = fields.Integer()
    boxes = fields.Integer()
    cases = fields.Integer()


class FormatsInSchema(Schema):
    prefix = fields.String(load_default=None, validate=validate.Length(min=1, max=7))
    gtin = fields.String(load_default=None, validate=validate.Length(min=8, max=14))
    pattern = fields.String(
        load_default=None, validate=validate.Length(min=1, max=MAX_PATTERN_LENGTH)
    )


class FormatsSchema(Schema):
    product_id = fields.Integer()
    prefix = fields.String(allow_none=True)
    gtin = fields.String(allow_none=True)
    pattern = fields.String(allow_none=True)


class LookupArgs(Schema):
    code = fields.String(required=True, validate=CODE)


class PublicPackageSchema(Schema):
    code = fields.String()
    found = fields.Boolean()
    product = fields.Function(
        lambda p: p.product.generic_name if p.product else None, allow_none=True
    )
    approval_number = fields.Function(
        lambda p: p.product.approval_number if p.product else None, allow_none=True
    )
    manufacturer = fields.String(allow_none=True)
    batch_no = fields.String(allow_none=True)
    expiry_date = fields.Date(allow_none=True)
    level = fields.Enum(PackageLevel, by_value=True, allow_none=True)
    boxes = fields.Integer(allow_none=True)
    dispensed = fields.Boolean()


class EventSchema(Schema):
    occurred_at = fields.DateTime()
    kind = fields.Enum(EventKind, by_value=True)
    org_id = fields.Integer()
    shipment_line_id = fields.Integer(allow_none=True)


class PackageSchema(Schema):
    code = fields.String()
    level = fields.Enum(PackageLevel, by_value=True)
    boxes = fields.Integer()
    case_code = fields.String(allow_none=True)
    product_id = fields.Integer()
    batch_no = fields.String()
    expiry_date = fields.Date()
    state = fields.Enum(PackageState, by_value=True)
    holder_org_id = fields.Integer()
    shipment_line_id = fields.Integer()


class HistorySchema(Schema):
    package = fields.Nested(PackageSchema)
    events = fields.List(fields.Nested(EventSchema))
