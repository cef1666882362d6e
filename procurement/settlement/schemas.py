"""Settlement on the wire: advances, payables, runs, overdue, statements, reconciliation.

Class names carry a settlement prefix where another area has the plain name (award has
``RunSchema``): the OpenAPI document names components after the classes."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.core.messages import N_
from procurement.settlement.models import RunStatus, TransactionKind
from procurement.settlement.rules import DEFAULT_RUN_BATCH_SIZE
from procurement.web.api import Schema

ID = validate.Range(min=1, max=2**63 - 1, error=N_("Not an id."))


def _id(**kwargs):
    """An id in a query or body: an integer the database can hold (a larger one is a 422)."""
    return fields.Integer(strict=True, validate=ID, **kwargs)


def _money(**kwargs):
    return fields.Decimal(as_string=True, places=2, **kwargs)


class SettlementAdvancesInSchema(Schema):
    tender_id = _id(required=True)
    contract_year = fields.Integer(
        load_default=1, strict=True, validate=validate.Range(min=1, max=10)
    )


class SettlementAdvanceSchema(Schema):
    id = fields.Integer()
    hospital_id = fields.Integer()
    tender_id = fields.Integer()
    contract_year = fields.Integer()
    region_code = fields.String()
    annual_value = _money()
    ratio = fields.Decimal(as_string=True)
    amount = _money()
    currency = fields.String()
    transaction_id = fields.Integer(allow_none=True)
    paid_at = fields.DateTime()


class SettlementAdvanceResultSchema(Schema):
    tender_id = fields.Integer()
    contract_year = fields.Integer()
    ratio = fields.Decimal(as_string=True)
    created = fields.List(fields.Nested(SettlementAdvanceSchema))
    already_paid = fields.Integer()
    total = _money()


class SettlementAdvanceArgs(Schema):
    tender_id = fields.Integer(load_default=None, validate=ID)
    hospital_id = fields.Integer(load_default=None, validate=ID)


class PayableArgs(Schema):
    status = fields.String(
        load_default=None, validate=validate.OneOf(["unpaid", "paid", "overdue"])
    )
    manufacturer_id = fields.Integer(load_default=None, validate=ID)
    hospital_id = fields.Integer(load_default=None, validate=ID)
    accepted_from = fields.Date(load_default=None)
    accepted_to = fields.Date(load_default=None)
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=5000))


class PayableSchema(Schema):
    id = fields.Integer()
    receipt_line_id = fields.Integer()
    contract_id = fields.Integer()
    hospital_id = fields.Integer()
    manufacturer_id = fields.Integer()
    region_code = fields.String()
    amount = _money()
    currency = fields.String()
    accepted_at = fields.DateTime()
    due_at = fields.DateTime()
    run_id = fields.Integer(allow_none=True)
    payment_txn_id = fields.Integer(allow_none=True)
    paid_at = fields.DateTime(allow_none=True)


class AccrualSchema(Schema):
    created = fields.Integer()
    amount = _money()


class SettlementRunInSchema(Schema):
    cut_off = fields.Date(required=True)
    batch_size = fields.Integer(
        load_default=DEFAULT_RUN_BATCH_SIZE, strict=True, validate=validate.Range(min=1, max=10_000)
    )


class SettlementPaymentSchema(Schema):
    manufacturer_id = fields.Integer()
    batch_no = fields.Integer()
    amount = _money()
    payables_count = fields.Integer()
    currency = fields.String()
    transaction_id = fields.Integer()
    paid_at = fields.DateTime()


class SettlementRunSchema(Schema):
    id = fields.Integer()
    reference = fields.String()
    fund_org_id = fields.Integer()
    cut_off = fields.Date()
    status = fields.Enum(RunStatus, by_value=True, dump_only=True)
    started_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    batch_size = fields.Integer()
    batches_total = fields.Integer()
    batches_done = fields.Integer()
    payables_count = fields.Integer()
    total_amount = _money()
    currency = fields.String()
    error = fields.String(allow_none=True)


class SettlementRunDetailSchema(SettlementRunSchema):
    progress = fields.Function(
        lambda r: round(r.batches_done / r.batches_total, 4) if r.batches_total else 1.0
    )
    payments = fields.List(fields.Nested(SettlementPaymentSchema))


class OverdueSchema(Schema):
    payable_id = fields.Integer()
    receipt_line_id = fields.Integer()
    contract_id = fields.Integer()
    hospital_id = fields.Integer()
    hospital_name = fields.String()
    manufacturer_id = fields.Integer()
    manufacturer_name = fields.String()
    amount = _money()
    currency = fields.String()
    accepted_at = fields.DateTime()
    due_at = fields.DateTime()
    days_overdue = fields.Integer()


class StatementArgs(Schema):
    party_id = fields.Integer(required=True, validate=ID)
    period_from = fields.Date(data_key="from", load_default=None)
    period_to = fields.Date(data_key="to", load_default=None)
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv", "xlsx"]))


class StatementSchema(Schema):
    party_id = fields.Integer()
    party_code = fields.String()
    party_name = fields.String()
    party_kind = fields.String()
    period_from = fields.Date(data_key="from")
    period_to = fields.Date(data_key="to")
    summary = fields.Dict(keys=fields.String(), values=fields.Raw())
    columns = fields.List(fields.String())
    lines = fields.List(fields.Dict(keys=fields.String(), values=fields.Raw()))
    members = fields.List(
        fields.Dict(keys=fields.String(), values=fields.Raw()),
        metadata={"description": "A county medical community's members, each's accepted value."},
    )
    settled_by = fields.String(
        allow_none=True, metadata={"description": "A member's: the community that pays for it."}
    )


class ReconciliationSchema(Schema):
    ok = fields.Boolean()
    transactions = fields.Integer()
    unbalanced = fields.List(fields.Dict())
    ledger_total = _money()
    payments_total = _money()
    paid_payables_total = _money()
    manufacturer_paid_balance = _money()
    payables_paid_twice = fields.Integer()
    payables_checked = fields.Integer()
    payables_without_receipt_line = fields.List(fields.Integer())
    payables_amount_mismatch = fields.List(fields.Integer())


class ReverseInSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class LedgerPostingSchema(Schema):
    account_id = fields.Integer()
    amount = _money()
    currency = fields.String()


class LedgerTransactionSchema(Schema):
    id = fields.Integer()
    key = fields.String()
    kind = fields.Enum(TransactionKind, by_value=True, dump_only=True)
    reference = fields.String()
    description = fields.String()
    occurred_at = fields.DateTime()
    reverses_id = fields.Integer(allow_none=True)
    postings = fields.List(fields.Nested(LedgerPostingSchema))
