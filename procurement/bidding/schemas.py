"""Marshmallow schemas of the bidding API. Sealed fields are null until the opening."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.bidding.costs import MAX_COST_NOTE
from procurement.web.api import Schema, StrictDecimal


class BidCreateSchema(Schema):
    product_id = fields.Integer(required=True, strict=True)
    price_per_pack = StrictDecimal(required=True, metadata={"example": "47.6000"})
    capacity = fields.Integer(required=True, strict=True, metadata={"description": "per year"})
    regions = fields.List(
        fields.String(),
        load_default=None,
        metadata={"description": "province codes; default: the whole tender scope"},
    )
    note = fields.String(load_default="", validate=validate.Length(max=500))
    revival_opt_in = fields.Boolean(load_default=False)
    cost_commitment = fields.Boolean(
        load_default=False,
        metadata={
            "description": "required true: the bidder commits not to quote below cost "
            "(batch 11); a bid without it is refused (cost-commitment-missing)"
        },
    )


class ReceiptSchema(Schema):
    reference = fields.String(
        metadata={"description": "the bid's random public reference, for verification"}
    )
    tender_id = fields.Integer()
    lot_id = fields.Integer()
    status = fields.String()
    version = fields.Integer()
    digest = fields.String(metadata={"description": "SHA-256 commitment, hex"})
    submitted_at = fields.DateTime()
    version_at = fields.DateTime()
    algorithm = fields.String()


class BidSchema(Schema):
    """A bid. Before opening the price, capacity, regions, note and results are null."""

    id = fields.Integer()
    reference = fields.String(metadata={"description": "random public reference"})
    tender_id = fields.Integer()
    lot_id = fields.Integer()
    manufacturer_id = fields.Integer()
    product_id = fields.Integer()
    status = fields.String()
    revival_opt_in = fields.Boolean()
    cost_commitment = fields.Boolean()
    submitted_at = fields.DateTime()
    updated_at = fields.DateTime()
    digest = fields.String()
    version = fields.Integer()
    opened_at = fields.DateTime(allow_none=True)
    price_per_pack = fields.Decimal(as_string=True, allow_none=True)
    unit_price = fields.Decimal(as_string=True, allow_none=True)
    comparable_price = fields.Decimal(as_string=True, allow_none=True)
    capacity = fields.Integer(allow_none=True)
    regions = fields.List(fields.String(), allow_none=True)
    note = fields.String(allow_none=True)
    validity = fields.String(allow_none=True)
    invalid_reason = fields.String(allow_none=True)
    eligible = fields.Boolean(
        allow_none=True,
        metadata={"description": "false: the product was found ineligible at opening (not in N)"},
    )
    rank = fields.Integer(allow_none=True)


class SubmittedContentSchema(Schema):
    price_per_pack = fields.String()
    capacity = fields.Integer()
    regions = fields.List(fields.String())
    note = fields.String()
    unit_price = fields.Decimal(as_string=True)
    comparable_price = fields.Decimal(as_string=True)


class SubmittedSchema(Schema):
    """The answer to a submission or amendment: the bid, its receipt, and the content the client
    just sent (echoed once; no later read shows it)."""

    bid = fields.Nested(BidSchema)
    receipt = fields.Nested(ReceiptSchema)
    submitted = fields.Nested(SubmittedContentSchema)
    warnings = fields.List(fields.String())


class VerificationSchema(Schema):
    reference = fields.String()
    recomputed_digest = fields.String()
    commitment_match = fields.Boolean()
    receipt_match = fields.Boolean(allow_none=True)
    match = fields.Boolean()


class VerifyArgs(Schema):
    digest = fields.String(load_default=None, metadata={"description": "digest from the receipt"})


class LotOpeningSchema(Schema):
    lot_id = fields.Integer()
    lot_code = fields.String()
    bids = fields.Integer()
    valid = fields.Integer()


class OpeningSchema(Schema):
    tender_id = fields.Integer()
    status = fields.String()
    opened_at = fields.DateTime()
    total_bids = fields.Integer()
    lots = fields.List(fields.Nested(LotOpeningSchema))


class LotSummarySchema(Schema):
    lot_id = fields.Integer()
    lot_code = fields.String()
    generic_name = fields.String()
    ceiling_unit_price = fields.Decimal(as_string=True)
    bids = fields.Integer()
    valid = fields.Integer()
    lowest_comparable = fields.Decimal(as_string=True, allow_none=True)


class BidSummarySchema(Schema):
    tender_id = fields.Integer()
    status = fields.String()
    opened = fields.Boolean()
    total_bids = fields.Integer()
    lots = fields.List(fields.Nested(LotSummarySchema), allow_none=True)


class ExportArgs(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "xlsx"]))


class CostBreakdownSchema(Schema):
    """A cost breakdown per smallest unit (yuan, 4 places); the three sum to the unit price."""

    manufacturing_cost = StrictDecimal(required=True, metadata={"example": "0.2100"})
    period_expenses = StrictDecimal(required=True, metadata={"example": "0.0600"})
    profit = StrictDecimal(required=True, metadata={"example": "0.0100"})
    note = fields.String(load_default="", validate=validate.Length(max=MAX_COST_NOTE))


class CostDisclosureSchema(Schema):
    """A bid's cost disclosure: asked by an award run; the figures are null until filed."""

    bid_id = fields.Integer()
    tender_id = fields.Integer()
    lot_id = fields.Function(lambda d: d.bid.lot_id)
    manufacturer_id = fields.Integer()
    unit_price = fields.Function(
        lambda d: None if d.bid.unit_price is None else str(d.bid.unit_price),
        metadata={"type": "string"},
    )
    comparable_price = fields.Decimal(as_string=True)
    threshold = fields.Decimal(as_string=True)
    found_at = fields.DateTime()
    due_at = fields.DateTime()
    filed = fields.Boolean()
    filed_at = fields.DateTime(allow_none=True)
    win_void = fields.Boolean()
    manufacturing_cost = fields.Decimal(as_string=True, allow_none=True)
    period_expenses = fields.Decimal(as_string=True, allow_none=True)
    profit = fields.Decimal(as_string=True, allow_none=True)
    note = fields.String(allow_none=True)


class BanSchema(Schema):
    id = fields.Integer(dump_only=True)
    manufacturer_id = fields.Integer(required=True, strict=True)
    product_id = fields.Integer(allow_none=True, strict=True)
    level = fields.String(required=True)
    starts_at = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(allow_none=True)
    reason = fields.String(required=True)
    source = fields.String(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class BanUpdateSchema(Schema):
    level = fields.String()
    starts_at = fields.AwareDateTime()
    until = fields.AwareDateTime(allow_none=True)
    reason = fields.String()


class GroupMemberSchema(Schema):
    manufacturer_id = fields.Integer(required=True, strict=True)
    name = fields.Function(lambda m: m.manufacturer.name, dump_only=True)
    since = fields.DateTime(dump_only=True)


class GroupDesignationSchema(Schema):
    """The member a group names to bid on a tender (no lot: every lot) or on one lot."""

    id = fields.Integer(dump_only=True)
    tender_id = fields.Integer(required=True, strict=True)
    lot_id = fields.Integer(load_default=None, allow_none=True, strict=True)
    manufacturer_id = fields.Integer(required=True, strict=True)
    created_at = fields.DateTime(dump_only=True)


class GroupSchema(Schema):
    """A group of manufacturers under common control (one bidder in N, RULES.md 10)."""

    id = fields.Integer()
    name = fields.String()
    members = fields.Nested(GroupMemberSchema, many=True)
    designations = fields.Nested(GroupDesignationSchema, many=True)
    created_at = fields.DateTime()


class GroupCreateSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    members = fields.List(
        fields.Integer(strict=True),
        load_default=list,
        metadata={"description": "manufacturer organization ids"},
    )


class GroupMemberFormSchema(GroupMemberSchema):
    """The page's member form: the select sends the id as text."""

    manufacturer_id = fields.Integer(required=True)


class GroupDesignationFormSchema(GroupDesignationSchema):
    """The page's bidding-member form: selects send ids as text; no lot = every lot."""

    tender_id = fields.Integer(required=True)
    lot_id = fields.Integer(load_default=None, allow_none=True)
    manufacturer_id = fields.Integer(required=True)
