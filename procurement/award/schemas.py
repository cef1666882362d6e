"""Award runs, per-lot results, comparisons, public results and bid outcomes on the wire."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.award.models import LotStatus, RunStatus
from procurement.award.services.inputs import FALLBACKS, GRANULARITIES, SOLVERS
from procurement.catalog.lifecycle import TenderStatus
from procurement.web.api import Schema


class RunStartSchema(Schema):
    granularity = fields.String(validate=validate.OneOf(GRANULARITIES), load_default=None)
    fallback = fields.String(validate=validate.OneOf(FALLBACKS), load_default="none")
    solver = fields.String(validate=validate.OneOf(SOLVERS), load_default=None)
    time_limit_s = fields.Integer(validate=validate.Range(1, 3600), load_default=None)


class OutcomeSchema(Schema):
    bid_id = fields.Integer()
    manufacturer_id = fields.Integer()
    manufacturer = fields.Function(lambda o: o.manufacturer.name)
    lot_id = fields.Function(lambda o: o.lot_result.lot_id)
    lot_code = fields.Function(lambda o: o.lot_result.lot_code)
    outcome = fields.String()
    reason = fields.String()
    rank = fields.Integer(allow_none=True)
    comparable_price = fields.Decimal(as_string=True, allow_none=True)
    award_unit_price = fields.Decimal(as_string=True, allow_none=True)
    reserve = fields.Boolean()
    allocated = fields.Integer()
    share = fields.Decimal(as_string=True, allow_none=True)
    award_comparable_price = fields.Decimal(as_string=True, allow_none=True)
    volume_limit = fields.Dict(
        allow_none=True,
        metadata={"description": "What the winner received and what limited it (see results)"},
    )


class AllocationSchema(Schema):
    hospital_id = fields.Integer()
    hospital = fields.Function(lambda a: a.hospital.name)
    region_code = fields.String()
    bid_id = fields.Integer()
    manufacturer_id = fields.Integer()
    manufacturer = fields.Function(lambda a: a.manufacturer.name)
    quantity = fields.Integer()
    unit_price = fields.Decimal(as_string=True)
    amount = fields.Decimal(as_string=True)
    reason = fields.String()
    brand_quantity = fields.Integer(
        metadata={"description": "Of quantity, the units fixed by the hospital's brand reports"}
    )


class LotResultSchema(Schema):
    lot_id = fields.Integer()
    lot_code = fields.String()
    status = fields.Enum(LotStatus, by_value=True, dump_only=True)
    selection_reason = fields.String()
    declared_count = fields.Integer()
    valid_count = fields.Integer()
    winner_count = fields.Integer()
    volume_ratio = fields.Decimal(as_string=True, allow_none=True)
    contract_years = fields.Integer()
    total_demand = fields.Integer()
    total_agreed = fields.Integer()
    granularity = fields.String()
    solver_status = fields.String()
    proven_optimal = fields.Boolean()
    objective = fields.Decimal(as_string=True, allow_none=True)
    lp_bound = fields.Decimal(as_string=True, allow_none=True)
    gap = fields.Decimal(as_string=True, allow_none=True)
    diagnosis = fields.String()
    diagnosis_items = fields.List(fields.Dict())
    suggestions = fields.List(fields.String())
    fallback_used = fields.String(allow_none=True)
    backups = fields.Dict(keys=fields.String(), values=fields.Integer())
    timings = fields.Function(
        lambda r: {"build_s": r.build_s, "solve_s": r.solve_s, "total_s": r.total_s}
    )
    brand_report = fields.Dict(
        allow_none=True,
        metadata={
            "description": "Brand reports (RULES.md 10): requests, met_full, met_part, not_met, "
            "requested_volume, met_volume, cuts [{hospital, bid_id, requested, fixed}]"
        },
    )
    outcomes = fields.List(fields.Nested(OutcomeSchema))
    allocations = fields.List(fields.Nested(AllocationSchema))


class RunSchema(Schema):
    id = fields.Integer()
    tender_id = fields.Integer()
    number = fields.Integer()
    status = fields.Enum(RunStatus, by_value=True, dump_only=True)
    inputs_digest = fields.String()
    options = fields.Dict()
    solver = fields.String()
    objective = fields.Decimal(as_string=True, allow_none=True)
    gap = fields.Decimal(as_string=True, allow_none=True)
    timings = fields.Function(
        lambda r: {"build_s": r.build_s, "solve_s": r.solve_s, "total_s": r.total_s}
    )
    message = fields.String()
    started_at = fields.DateTime()
    finished_at = fields.DateTime()
    started_by_org_id = fields.Integer()
    confirmed_at = fields.DateTime(allow_none=True)
    confirmable = fields.Boolean()


class RunDetailSchema(RunSchema):
    rules_snapshot = fields.Dict()
    lots = fields.List(fields.Nested(LotResultSchema))


class LotComparisonSchema(Schema):
    lot_code = fields.String()
    status = fields.List(fields.String(allow_none=True))
    winners = fields.List(fields.List(fields.String()))
    objective = fields.List(fields.Decimal(as_string=True, allow_none=True))
    objective_difference = fields.Decimal(as_string=True, allow_none=True)
    allocation_differences = fields.List(fields.Dict())


class ComparisonSchema(Schema):
    run_id = fields.Function(lambda c: c.run.id)
    other_id = fields.Function(lambda c: c.other.id)
    same_inputs = fields.Boolean()
    lots = fields.List(fields.Nested(LotComparisonSchema))


class PublicWinnerSchema(Schema):
    manufacturer = fields.String()
    product = fields.String()
    approval_number = fields.String()
    pack_size = fields.Integer()
    unit_price = fields.Decimal(as_string=True)
    pack_price = fields.Decimal(as_string=True)
    price_cut = fields.Decimal(as_string=True)
    agreed_volume = fields.Integer()
    savings = fields.Decimal(as_string=True)
    revived = fields.Boolean()
    reserve = fields.Boolean()
    share = fields.Decimal(as_string=True, allow_none=True)
    volume_limit = fields.Dict(
        allow_none=True,
        metadata={
            "description": "What the winner received and what limited it: limit = capacity | "
            "max_share | regions | min_share | one_region_each | granularity | brand_reports "
            "| none, with the numbers; received, brand (units fixed by brand reports), "
            "brand_cut (brand-report units its capacity cut) (award/volume_limits.py)"
        },
    )


class PublicRegionSchema(Schema):
    region_code = fields.String()
    suppliers = fields.List(fields.String())
    backup = fields.String(allow_none=True)


class PublicCostBreakdownSchema(Schema):
    manufacturer = fields.String()
    status = fields.String(
        metadata={"description": "filed | not_filed (the rules kept the win) | void (win void)"}
    )
    unit_price = fields.Decimal(as_string=True, allow_none=True)
    manufacturing_cost = fields.Decimal(as_string=True, allow_none=True)
    period_expenses = fields.Decimal(as_string=True, allow_none=True)
    profit = fields.Decimal(as_string=True, allow_none=True)
    note = fields.String(allow_none=True)


class PublicLotSchema(Schema):
    lot_id = fields.Integer()
    lot_code = fields.String()
    generic_name = fields.String()
    dosage_form = fields.String()
    smallest_unit = fields.String()
    status = fields.String()
    ceiling_unit_price = fields.Decimal(as_string=True)
    reference_unit_price = fields.Decimal(as_string=True)
    agreed_volume = fields.Integer()
    savings = fields.Decimal(as_string=True)
    winners = fields.List(fields.Nested(PublicWinnerSchema))
    regions = fields.List(fields.Nested(PublicRegionSchema))
    cost_breakdowns = fields.List(
        fields.Nested(PublicCostBreakdownSchema),
        metadata={"description": "winners' cost breakdowns per smallest unit (batch 11 rules)"},
    )


class PublicResultsSchema(Schema):
    tender_id = fields.Function(lambda r: r.tender.id)
    tender_code = fields.Function(lambda r: r.tender.code)
    tender_name = fields.Function(lambda r: r.tender.name)
    status = fields.Enum(TenderStatus, by_value=True, dump_only=True, attribute="tender.status")
    savings = fields.Decimal(as_string=True)
    lots = fields.List(fields.Nested(PublicLotSchema))


class OutcomeArgs(Schema):
    run_id = fields.Integer(load_default=None)
