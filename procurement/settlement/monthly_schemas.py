"""Monthly reconciliation and invoices on the wire (money as decimal strings)."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.core.messages import N_
from procurement.settlement import monthly
from procurement.web.api import Schema

ID = validate.Range(min=1, max=2**63 - 1, error=N_("Not an id."))


def _money(**kwargs):
    return fields.Decimal(as_string=True, places=2, **kwargs)


class ReconciliationLineSchema(Schema):
    id = fields.Integer()
    receipt_line_id = fields.Integer()
    contract_id = fields.Integer()
    quantity = fields.Integer()
    unit_price = fields.Decimal(as_string=True, places=4)
    amount = _money()
    accepted_at = fields.DateTime()
    status = fields.String()
    held_reason = fields.String(allow_none=True)
    released_at = fields.DateTime(allow_none=True)
    dispute_reason = fields.String(allow_none=True)
    disputed_at = fields.DateTime(allow_none=True)
    resolution = fields.String(allow_none=True)
    resolution_note = fields.String(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)


class HeldLineSchema(ReconciliationLineSchema):
    reconciliation_id = fields.Integer()


class ReconciliationSummarySchema(Schema):
    id = fields.Integer()
    hospital_id = fields.Integer()
    manufacturer_id = fields.Integer()
    month = fields.Date()
    status = fields.String()
    total_amount = _money()
    issued_at = fields.DateTime()
    deadline_at = fields.DateTime()
    auto_confirm = fields.Boolean()
    hospital_confirmed_at = fields.DateTime(allow_none=True)
    manufacturer_confirmed_at = fields.DateTime(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    auto_confirmed = fields.Boolean()


class ReconciliationDetailSchema(ReconciliationSummarySchema):
    lines = fields.List(fields.Nested(ReconciliationLineSchema))


class ReconciliationArgs(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(["open", "confirmed"]))


class IssueMonthInSchema(Schema):
    month = fields.Date(required=True, metadata={"description": "any day of the month"})


class IssueMonthResultSchema(Schema):
    issued = fields.List(fields.Nested(ReconciliationSummarySchema))


class CloseDueResultSchema(Schema):
    confirmed = fields.Integer()


class DisputeInSchema(Schema):
    reason = fields.String(
        required=True, validate=validate.Length(min=1, max=monthly.MAX_DISPUTE_REASON)
    )


class ResolveInSchema(Schema):
    resolution = fields.String(required=True, validate=validate.OneOf(["corrected", "withdrawn"]))
    note = fields.String(load_default="", validate=validate.Length(max=monthly.MAX_NOTE))


class InvoiceLineInSchema(Schema):
    receipt_line_id = fields.Integer(required=True, strict=True, validate=ID)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    amount = _money(required=True)  # above 0: the service says so beside the field


class InvoiceInSchema(Schema):
    number = fields.String(
        required=True, validate=validate.Length(min=1, max=monthly.MAX_INVOICE_NUMBER)
    )
    issued_on = fields.Date(required=True)
    amount = _money(required=True)  # above 0: the service says so beside the field
    recipient_id = fields.Integer(required=True, strict=True, validate=ID)
    lines = fields.List(
        fields.Nested(InvoiceLineInSchema),
        required=True,
        validate=validate.Length(min=1, max=monthly.MAX_INVOICE_LINES),
    )


class InvoiceLineSchema(Schema):
    receipt_line_id = fields.Integer()
    quantity = fields.Integer()
    amount = _money()


class InvoiceSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    issuer_id = fields.Integer()
    recipient_id = fields.Integer()
    issued_on = fields.Date()
    amount = _money()
    recorded_at = fields.DateTime()
    voided_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(InvoiceLineSchema))


class ConfirmInSchema(Schema):
    """A confirmation carries nothing but the form's guard."""


class InvoiceLineFormSchema(InvoiceLineInSchema):
    """The page's invoice line: numbers arrive as typed text."""

    receipt_line_id = fields.Integer(required=True, validate=ID)
    quantity = fields.Integer(required=True, validate=validate.Range(min=1))


class InvoiceFormSchema(InvoiceInSchema):
    """The page's invoice form (one delivery line; the API takes up to 200)."""

    recipient_id = fields.Integer(required=True, validate=ID)
    lines = fields.List(
        fields.Nested(InvoiceLineFormSchema), required=True, validate=validate.Length(min=1, max=1)
    )
