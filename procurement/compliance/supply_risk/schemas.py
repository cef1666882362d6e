"""Supply risk on the wire: ratios (shares, headroom, late rates) as decimal strings with 4
places, quantities as integers in the lot's smallest units, HHI as an integer 0-10,000, the
reasons as sentences."""

from __future__ import annotations

from marshmallow import fields

from procurement.web.api import Schema


def _ratio(**kwargs) -> fields.Decimal:
    return fields.Decimal(as_string=True, places=4, **kwargs)


class MonthLateSchema(Schema):
    month = fields.String(metadata={"description": "business month YYYY-MM (due date)"})
    lines = fields.Integer()
    late = fields.Integer()
    rate = _ratio(allow_none=True)
    complete = fields.Boolean(metadata={"description": "false: the month in progress"})


class WinnerRiskSchema(Schema):
    manufacturer_id = fields.Integer(attribute="id")
    name = fields.String()
    agreed = fields.Integer()
    share = _ratio()
    capacity = fields.Integer(allow_none=True)
    headroom = fields.Integer(allow_none=True)
    headroom_share = _ratio(allow_none=True)
    low_headroom = fields.Boolean()
    rising_late = fields.Boolean()
    months = fields.List(fields.Nested(MonthLateSchema))


class RegionShareSchema(Schema):
    manufacturer_id = fields.Function(lambda s: s.winner.id)
    name = fields.Function(lambda s: s.winner.name)
    agreed = fields.Integer()
    share = _ratio()


class BackupSchema(Schema):
    manufacturer_id = fields.Function(lambda b: b.winner.id)
    name = fields.Function(lambda b: b.winner.name)
    capacity = fields.Function(lambda b: b.winner.capacity, allow_none=True)
    spare = fields.Integer()


class RegionRiskSchema(Schema):
    region_code = fields.String(attribute="region")
    agreed = fields.Integer()
    hhi = fields.Integer()
    single_winner = fields.Boolean()
    backup = fields.Nested(BackupSchema, allow_none=True)
    backup_known = fields.Boolean(
        metadata={"description": "false: the award recorded no backups for the lot"}
    )
    backup_ready = fields.Boolean()
    score = fields.Integer()
    reasons = fields.List(fields.String())
    shares = fields.List(fields.Nested(RegionShareSchema))


class LotRiskSchema(Schema):
    lot_id = fields.Integer()
    code = fields.String()
    generic_name = fields.String(attribute="name")
    agreed = fields.Integer()
    hhi = fields.Integer()
    score = fields.Integer()
    level = fields.String()
    reasons = fields.List(fields.String())
    regions_without_backup = fields.Function(lambda lot: [r.region for r in lot.without_backup])
    single_winner_regions = fields.Function(
        lambda lot: [r.region for r in lot.single_winner_regions]
    )
    winners = fields.List(fields.Nested(WinnerRiskSchema))
    regions = fields.List(fields.Nested(RegionRiskSchema))


class TenderSupplyRiskSchema(Schema):
    tender_id = fields.Function(lambda r: r.tender.id)
    tender_code = fields.Function(lambda r: r.tender.code)
    contract_year = fields.Function(lambda r: r.year.number)
    lots = fields.List(fields.Nested(LotRiskSchema))


class LotSupplyRiskSchema(Schema):
    tender_id = fields.Function(lambda r: r.tender.id)
    tender_code = fields.Function(lambda r: r.tender.code)
    contract_year = fields.Function(lambda r: r.year.number)
    lot = fields.Nested(LotRiskSchema, attribute="risk")
