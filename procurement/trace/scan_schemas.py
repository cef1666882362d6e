"""Receiving by scan, dispensing, stock and alerts on the wire."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import fields, validate

from procurement.trace.codes import MAX_CODE_LENGTH
from procurement.trace.scan_models import MAX_REASON, AlertKind
from procurement.trace.services.dispensing import MAX_DISPENSE_CODES, Movement
from procurement.web.api import Schema

CODE = validate.Length(min=1, max=MAX_CODE_LENGTH)
REASON = validate.Length(max=MAX_REASON)


class ScanInSchema(Schema):
    code = fields.String(required=True, validate=CODE)


class LineCountSchema(Schema):
    shipment_line_id = fields.Function(lambda c: c.line.id)
    batch_no = fields.Function(lambda c: c.line.batch_no)
    packs = fields.Integer(metadata={"description": "Boxes shipped on the line"})
    scanned = fields.Integer(metadata={"description": "Boxes scanned (a case counts its boxes)"})


class ScanSchema(Schema):
    code = fields.String()
    shipment_line_id = fields.Integer()
    boxes = fields.Integer()
    scanned_at = fields.DateTime()


class DraftSchema(Schema):
    shipment_id = fields.Function(lambda d: d.shipment.id)
    lines = fields.List(fields.Nested(LineCountSchema), attribute="counts")
    codes = fields.List(fields.Nested(ScanSchema), attribute="scans")
    receive_without_code = fields.Function(lambda d: d.rules.receive_without_code)


class DecisionSchema(Schema):
    shipment_line_id = fields.Integer(required=True)
    without_code = fields.Integer(load_default=0, validate=validate.Range(min=0))
    without_code_reason = fields.String(load_default=None, validate=REASON)
    rejection_reason = fields.String(load_default=None, validate=REASON)


class AcceptInSchema(Schema):
    lines = fields.List(fields.Nested(DecisionSchema), load_default=list)


class AcceptedSchema(Schema):
    receipt_id = fields.Integer()


class MovementInSchema(Schema):
    movement = fields.Enum(Movement, by_value=True, load_default=Movement.DISPENSE)
    codes = fields.List(
        fields.String(validate=CODE),
        required=True,
        validate=validate.Length(min=1, max=MAX_DISPENSE_CODES),
    )


class MovementFileSchema(Schema):
    file = Upload(
        required=True,
        metadata={"description": "CSV or XLSX with a column code, or text with one code a line"},
    )


class MovementArgs(Schema):
    movement = fields.Enum(Movement, by_value=True, load_default=Movement.DISPENSE)


class CodeKindSchema(Schema):
    code = fields.Function(lambda x: x[0])
    kind = fields.Function(lambda x: str(x[1]))


class CodeReasonSchema(Schema):
    code = fields.Function(lambda x: x[0])
    reason = fields.Function(lambda x: str(x[1]))


class MovementResultSchema(Schema):
    recorded = fields.Integer()
    alerts = fields.List(fields.Nested(CodeKindSchema))
    refused = fields.List(fields.Nested(CodeReasonSchema))


class StockRowSchema(Schema):
    product_id = fields.Function(lambda r: r.line.product_id)
    product = fields.Function(lambda r: r.product.generic_name)
    batch_no = fields.Function(lambda r: r.line.batch_no)
    expiry_date = fields.Function(lambda r: r.line.expiry_date.isoformat())
    received = fields.Function(lambda r: r.line.received)
    dispensed = fields.Function(lambda r: r.line.dispensed)
    returned = fields.Function(lambda r: r.line.returned)
    on_hand = fields.Function(lambda r: r.line.on_hand)
    days_left = fields.Integer()
    alert_days = fields.Integer(allow_none=True)


class NoCodeInSchema(Schema):
    product_id = fields.Integer(required=True)
    batch_no = fields.String(required=True, validate=validate.Length(min=1, max=40))
    expiry_date = fields.Date(required=True)
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=MAX_REASON))


class NoCodeSchema(Schema):
    id = fields.Integer()
    product_id = fields.Integer()
    batch_no = fields.String()
    expiry_date = fields.Date()
    quantity = fields.Integer()
    reason = fields.String()
    declared_at = fields.DateTime()


class LedgerSchema(Schema):
    org_id = fields.Integer()
    today = fields.Date()
    rows = fields.List(fields.Nested(StockRowSchema))
    no_code = fields.Function(lambda x: [NoCodeSchema().dump(s) for s, _ in x.no_code])
    no_code_total = fields.Integer()


class StockArgs(Schema):
    org_id = fields.Integer(load_default=None)


class AlertArgs(Schema):
    kind = fields.Enum(AlertKind, by_value=True, load_default=None)


class TraceAlertSchema(Schema):
    id = fields.Function(lambda r: r.alert.id)
    kind = fields.Function(lambda r: r.alert.kind.value)
    code = fields.Function(lambda r: r.alert.code)
    place = fields.String()
    seen_at = fields.Function(lambda r: r.alert.seen_at.isoformat())
    first_place = fields.String(allow_none=True)
    first_at = fields.Function(lambda r: r.alert.first_at.isoformat() if r.alert.first_at else None)
