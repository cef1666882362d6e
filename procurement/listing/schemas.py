"""Listing requests, their checks and active listings on the wire (prices as decimal strings,
per smallest unit; the pack price beside them)."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.core.money import plain
from procurement.listing.models import RequestStatus
from procurement.listing.presenting import region_text, summary
from procurement.listing.rules import CHECKS, FAIL, FLAG, PASS, STATUSES, outcome
from procurement.listing.services.listings import MAX_SEARCH_CHARS
from procurement.listing.services.requests import MAX_EVIDENCE_CHARS, MAX_REASON_CHARS
from procurement.web.api import DECIMAL_PATTERN, Schema, StrictDecimal

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
DECIMAL = {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN}
PROVINCE = validate.Regexp(r"^[1-8]\d0000$", error="A province-level code such as 320000.")


class ListingRequestInSchema(Schema):
    product_id = fields.Integer(required=True, validate=validate.Range(min=1))
    region_code = fields.String(
        load_default=None,
        allow_none=True,
        validate=PROVINCE,
        metadata={"description": "A province-level GB/T 2260 code; null: every region."},
    )
    unit_price = StrictDecimal(
        required=True,
        metadata={"description": "Yuan per smallest unit (tablet, vial ...), 4 places at most."},
    )
    evidence = fields.String(required=True, validate=validate.Length(min=1, max=MAX_EVIDENCE_CHARS))


class ListingDecisionSchema(Schema):
    reason = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=MAX_REASON_CHARS)
    )


class ListingCheckSchema(Schema):
    code = fields.String(metadata={"enum": list(CHECKS)})
    status = fields.String(metadata={"enum": list(STATUSES)})
    summary = fields.Function(summary, metadata=STRING)
    params = fields.Dict(keys=fields.String(), values=fields.String())


class _PricedSchema(Schema):
    """A product at a price in a region (a request or a listing)."""

    product_id = fields.Integer()
    approval_number = fields.Function(lambda x: x.product.approval_number, metadata=STRING)
    generic_name = fields.Function(lambda x: x.product.generic_name, metadata=STRING)
    trade_name = fields.Function(lambda x: x.product.trade_name, allow_none=True, metadata=STRING)
    manufacturer_id = fields.Integer()
    manufacturer = fields.Function(lambda x: x.manufacturer.name, metadata=STRING)
    dosage_form = fields.Function(lambda x: x.product.dosage_form, metadata=STRING)
    strength = fields.Function(lambda x: plain(x.product.strength), metadata=DECIMAL)
    strength_unit = fields.Function(lambda x: x.product.strength_unit, metadata=STRING)
    smallest_unit = fields.Function(lambda x: x.product.smallest_unit.value, metadata=STRING)
    pack_size = fields.Function(lambda x: x.product.pack_size, metadata=INTEGER)
    region_code = fields.String(allow_none=True)
    region_name = fields.Function(lambda x: region_text(x.region_code), metadata=STRING)
    unit_price = fields.Decimal(as_string=True)
    pack_price = fields.Function(
        lambda x: str(x.unit_price * x.product.pack_size), metadata=DECIMAL
    )
    currency = fields.String()


class ListingRequestSchema(_PricedSchema):
    id = fields.Integer()
    evidence = fields.String()
    status = fields.Enum(RequestStatus, by_value=True, dump_only=True)
    outcome = fields.Function(
        lambda r: outcome(r.checks), metadata={"type": "string", "enum": [PASS, FLAG, FAIL]}
    )
    checks = fields.List(fields.Nested(ListingCheckSchema))
    decision_checks = fields.List(fields.Nested(ListingCheckSchema), allow_none=True)
    decision_reason = fields.String(allow_none=True)
    filed_at = fields.DateTime()
    decided_at = fields.DateTime(allow_none=True)
    listing_id = fields.Function(
        lambda r: r.listing.id if r.listing else None, allow_none=True, metadata=INTEGER
    )
    version = fields.Integer()


class ListingSchema(_PricedSchema):
    id = fields.Integer()
    listed_at = fields.DateTime()


class ListingRequestArgs(Schema):
    status = fields.Enum(RequestStatus, by_value=True, load_default=None)


class ListingArgs(Schema):
    q = fields.String(
        load_default=None,
        validate=validate.Length(max=MAX_SEARCH_CHARS),
        metadata={"description": "Part of a generic or trade name."},
    )
    region_code = fields.String(load_default=None, validate=PROVINCE)
