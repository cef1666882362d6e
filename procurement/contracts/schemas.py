"""Contracts and their explanations on the wire."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.catalog.lifecycle import TenderStatus
from procurement.contracts.models import ContractStatus
from procurement.web.api import Schema


class ContractSchema(Schema):
    id = fields.Integer()
    tender_id = fields.Integer()
    lot_id = fields.Integer()
    lot_code = fields.Function(lambda c: c.lot.code)
    generic_name = fields.Function(lambda c: c.lot.generic_name)
    hospital_id = fields.Integer()
    hospital = fields.Function(lambda c: c.hospital.name)
    manufacturer_id = fields.Integer()
    manufacturer = fields.Function(lambda c: c.manufacturer.name)
    product_id = fields.Integer()
    bid_id = fields.Integer()
    award_run_id = fields.Integer()
    contract_year = fields.Integer()
    period_start = fields.Date()
    period_end = fields.Date()
    unit_price = fields.Decimal(as_string=True)
    currency = fields.String()
    agreed_volume = fields.Integer()
    smallest_unit = fields.Function(lambda c: c.lot.smallest_unit.value)
    region_code = fields.String()
    status = fields.Enum(ContractStatus, by_value=True, dump_only=True)
    reason = fields.String()
    created_at = fields.DateTime()
    activated_at = fields.DateTime(allow_none=True)
    version = fields.Integer()


class ContractArgs(Schema):
    tender_id = fields.Integer(load_default=None)
    lot_id = fields.Integer(load_default=None)
    year = fields.Integer(load_default=None, validate=validate.Range(min=1))
    hospital_id = fields.Integer(load_default=None)
    status = fields.String(
        load_default=None, validate=validate.OneOf([s.value for s in ContractStatus])
    )


class AlternativeSchema(Schema):
    manufacturer = fields.String()
    unit_price = fields.Decimal(as_string=True)
    serves_region = fields.Boolean()
    chosen = fields.Boolean()


class ExplanationSchema(Schema):
    contract_id = fields.Function(lambda e: e.contract.id)
    supplier = fields.Function(lambda e: e.contract.manufacturer.name)
    unit_price = fields.Function(lambda e: str(e.contract.unit_price))
    reason = fields.String()
    binding_constraint = fields.String()
    summary = fields.String()
    alternatives = fields.List(fields.Nested(AlternativeSchema))


class ConfirmationSchema(Schema):
    run_id = fields.Function(lambda c: c.run.id)
    run_number = fields.Function(lambda c: c.run.number)
    tender_id = fields.Function(lambda c: c.run.tender_id)
    tender_status = fields.Enum(
        TenderStatus, by_value=True, dump_only=True, attribute="run.tender.status"
    )
    confirmed_at = fields.Function(lambda c: c.run.confirmed_at.isoformat())
    contracts = fields.Integer()


class InForceSchema(Schema):
    tender_id = fields.Integer()
    status = fields.String()
    activated = fields.Integer()
