"""Compliance on the wire: progress rows, alerts, year-end results, credit."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.auth.roles import InstitutionType
from procurement.compliance.alerts.models import (
    NOTE_LIMIT,
    AlertKind,
    AlertStatus,
    EscalationStep,
    Severity,
)
from procurement.compliance.credit.models import CreditEventKind, CreditEventStatus
from procurement.compliance.progress.queries import GROUPS
from procurement.web.api import Schema

Dec = fields.Decimal


class ProgressArgs(Schema):
    tender = fields.Integer(load_default=None)
    year = fields.Integer(load_default=None, validate=validate.Range(min=1))
    lot = fields.Integer(load_default=None)
    region = fields.String(load_default=None, validate=validate.Regexp(r"^\d{6}$"))
    hospital = fields.Integer(load_default=None)
    manufacturer = fields.Integer(load_default=None)
    institution_type = fields.String(
        load_default=None,
        validate=validate.OneOf([t.value for t in InstitutionType]),
        metadata={"description": "Only buyers of this institution type (RULES.md 12)."},
    )
    group_by = fields.String(load_default="lot", validate=validate.OneOf(GROUPS))
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))


class ProgressRowSchema(Schema):
    group = fields.String()
    key = fields.Raw()
    label = fields.String()
    agreed = fields.Integer()
    accepted = fields.Integer()
    completion = Dec(as_string=True, allow_none=True)
    time_progress = Dec(as_string=True)
    status = fields.String()
    contracts = fields.Integer()
    behind = fields.Integer()
    at_risk = fields.Integer()
    zero = fields.Integer()
    figures = fields.Function(
        lambda row: {
            k: (str(v) if v is not None and not isinstance(v, int) else v)
            for k, v in row.extra.items()
        }
    )


class ProgressWindowSchema(Schema):
    start = fields.Date()
    end = fields.Date()
    as_of = fields.Date()
    time_progress = Dec(as_string=True)
    months = fields.Integer()


class ProgressSchema(Schema):
    group_by = fields.String()
    window = fields.Nested(ProgressWindowSchema)
    rows = fields.List(fields.Nested(ProgressRowSchema))


class AlertArgs(Schema):
    status = fields.String(load_default=None)
    kind = fields.String(load_default=None)
    step = fields.String(load_default=None)


class AlertNoteSchema(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=NOTE_LIMIT))


class AlertReplySchema(Schema):
    """The subject's reply to its alert."""

    note = fields.String(required=True, validate=validate.Length(min=1, max=NOTE_LIMIT))


class AlertCloseSchema(Schema):
    """Closing a case by hand: the note says why."""

    note = fields.String(required=True, validate=validate.Length(min=1, max=NOTE_LIMIT))


class AlertEscalationSchema(Schema):
    step = fields.Enum(EscalationStep, by_value=True, dump_only=True)
    by_org_id = fields.Integer()
    by_user_id = fields.Integer(allow_none=True)
    note = fields.String()
    at = fields.DateTime()


class AlertResponseSchema(Schema):
    id = fields.Integer()
    alert_id = fields.Integer()
    by_org_id = fields.Integer()
    by_user_id = fields.Integer(allow_none=True)
    note = fields.String()
    at = fields.DateTime()


class AlertSchema(Schema):
    id = fields.Integer()
    kind = fields.Enum(AlertKind, by_value=True, dump_only=True)
    severity = fields.Enum(Severity, by_value=True, dump_only=True)
    status = fields.Enum(AlertStatus, by_value=True, dump_only=True)
    step = fields.Enum(EscalationStep, by_value=True, dump_only=True)
    subject_org_id = fields.Integer(allow_none=True)
    region_code = fields.String(allow_none=True)
    tender_id = fields.Integer(allow_none=True)
    lot_id = fields.Integer(allow_none=True)
    order_id = fields.Integer(allow_none=True)
    contract_year = fields.Integer(allow_none=True)
    detail = fields.String()
    facts = fields.Dict()
    raised_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolution = fields.String(allow_none=True)
    escalations = fields.List(fields.Nested(AlertEscalationSchema))
    responses = fields.List(fields.Nested(AlertResponseSchema))


class EvaluationSchema(Schema):
    raised = fields.Integer()
    updated = fields.Integer()
    resolved = fields.Integer()
    open = fields.Integer()


class YearEndRunArgs(Schema):
    tender_id = fields.Integer(required=True)
    contract_year = fields.Integer(required=True, validate=validate.Range(min=1))


class YearEndQueryArgs(YearEndRunArgs):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "xlsx")))


class YearEndLineSchema(Schema):
    lot_id = fields.Integer()
    lot_code = fields.Function(lambda x: x.lot.code)
    agreed = fields.Integer()
    accepted = fields.Integer()
    completion = Dec(as_string=True)
    shortfall = fields.Integer()
    reference_price = Dec(as_string=True)
    winning_price = Dec(as_string=True)
    non_winning_quantity = fields.Integer()
    non_winning_amount = Dec(as_string=True)
    budget = Dec(as_string=True)
    actual = Dec(as_string=True)
    deduction = Dec(as_string=True)


class YearEndResultSchema(Schema):
    hospital_id = fields.Integer()
    hospital = fields.Function(lambda x: x.hospital.name)
    region_code = fields.String()
    agreed = fields.Integer()
    accepted = fields.Integer()
    completion = Dec(as_string=True)
    budget = Dec(as_string=True)
    actual = Dec(as_string=True)
    balance = Dec(as_string=True)
    savings_rate = Dec(as_string=True)
    payment_rate = Dec(as_string=True)
    non_winning_share = Dec(as_string=True)
    score = Dec(as_string=True, allow_none=True)
    grade = fields.String(allow_none=True)
    retention_ratio = Dec(as_string=True, allow_none=True)
    tiers = fields.List(fields.Dict())
    deduction = Dec(as_string=True)
    retained = Dec(as_string=True)
    note = fields.String()
    deduction_txn_id = fields.Integer(allow_none=True)
    retained_txn_id = fields.Integer(allow_none=True)
    lines = fields.List(fields.Nested(YearEndLineSchema))
    arithmetic = fields.Function(lambda x: x.arithmetic)


class YearEndSchema(Schema):
    id = fields.Integer()
    tender_id = fields.Integer()
    contract_year = fields.Integer()
    period_start = fields.Date()
    period_end = fields.Date()
    scheme = fields.String()
    run_at = fields.DateTime()
    total_deduction = Dec(as_string=True)
    total_retained = Dec(as_string=True)
    results = fields.List(fields.Nested(YearEndResultSchema))


class CreditEventSchema(Schema):
    id = fields.Integer()
    manufacturer_id = fields.Integer()
    kind = fields.Enum(CreditEventKind, by_value=True, dump_only=True)
    points = fields.Integer()
    occurred_at = fields.DateTime()
    source_key = fields.String()
    order_id = fields.Integer(allow_none=True)
    product_id = fields.Integer(allow_none=True)
    lot_id = fields.Integer(allow_none=True)
    detail = fields.String()
    status = fields.Enum(CreditEventStatus, by_value=True, dump_only=True)


class CreditEventInSchema(Schema):
    manufacturer_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    occurred_at = fields.AwareDateTime(required=True)
    detail = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    lot_id = fields.Integer(load_default=None)
    product_id = fields.Integer(load_default=None)


class CreditBanSchema(Schema):
    id = fields.Integer()
    product_id = fields.Integer(allow_none=True)
    level = fields.String()
    starts_at = fields.DateTime()
    until = fields.DateTime(allow_none=True)


class CreditStandingSchema(Schema):
    manufacturer_id = fields.Integer()
    name = fields.String()
    points = fields.Integer()
    level = fields.String()
    counted = fields.Integer()
    window_start = fields.DateTime(allow_none=True)
    repaired_at = fields.DateTime(allow_none=True)
    bans = fields.List(fields.Nested(CreditBanSchema))


class CreditSchema(Schema):
    events = fields.List(fields.Nested(CreditEventSchema))
    levels = fields.List(fields.Nested(CreditStandingSchema))


class CreditAppealInSchema(Schema):
    reason = fields.String(required=True)


class CreditDecisionInSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(("upheld", "overturned")))
    note = fields.String(required=True)


class CreditAppealSchema(Schema):
    id = fields.Integer()
    event_id = fields.Integer()
    reason = fields.String()
    filed_at = fields.DateTime()
    decision = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)


class CreditRepairInSchema(Schema):
    manufacturer_id = fields.Integer(required=True)
    note = fields.String(required=True)


class CreditRepairSchema(Schema):
    id = fields.Integer()
    manufacturer_id = fields.Integer()
    level_before = fields.String()
    level_after = fields.String()
    note = fields.String()
    repaired_at = fields.DateTime()
