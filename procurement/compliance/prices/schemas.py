"""Price monitoring on the wire: amounts (2 places), unit prices (4 places), ratios (4 places)
and the index (2 places) as decimal strings, quantities as integers in smallest units."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.compliance.prices.calc import spec
from procurement.web.api import Schema

MONTH = r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$"  # years 1900-2999
FORMATS = ("json", "csv", "xlsx")


def _dec(places: int, **kwargs) -> fields.Decimal:
    return fields.Decimal(as_string=True, places=places, **kwargs)


def _region() -> fields.String:
    return fields.String(
        load_default=None,
        validate=validate.Regexp(r"^[1-8]\d{5}$"),
        metadata={"description": "a GB/T 2260 region code: its province is looked at"},
    )


class PriceArgs(Schema):
    region = _region()
    first = fields.String(
        data_key="from",
        load_default=None,
        validate=validate.Regexp(MONTH),
        metadata={"description": "first business month YYYY-MM (default: 11 months before 'to')"},
    )
    last = fields.String(
        data_key="to",
        load_default=None,
        validate=validate.Regexp(MONTH),
        metadata={"description": "last business month YYYY-MM (default: this month)"},
    )
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class IndexArgs(PriceArgs):
    generic_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    dosage_form = fields.String(required=True, validate=validate.Length(min=1, max=80))
    base = fields.String(
        load_default=None,
        validate=validate.Regexp(MONTH),
        metadata={"description": "base month (= 100); default: the first with purchases"},
    )


class OutlierArgs(Schema):
    region = _region()
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class PricedProductSchema(Schema):
    product_id = fields.Integer(attribute="id")
    generic_name = fields.String()
    dosage_form = fields.String()
    specification = fields.Function(spec)
    strength = _dec(4)
    strength_unit = fields.String()
    pack_size = fields.Integer()
    manufacturer_id = fields.Integer()
    manufacturer = fields.Function(lambda p: p.manufacturer.name)


class PeriodFields(Schema):
    first_month = fields.Function(lambda r: r.period.first)
    last_month = fields.Function(lambda r: r.period.last)
    province = fields.String(allow_none=True)


class ProductRowSchema(Schema):
    product = fields.Nested(PricedProductSchema)
    institutions = fields.Integer()
    quantity = fields.Integer()
    amount = _dec(2)
    average_unit_price = _dec(4, attribute="average", allow_none=True)
    lowest_unit_price = _dec(4, attribute="lowest")
    highest_unit_price = _dec(4, attribute="highest")


class OverviewSchema(PeriodFields):
    products = fields.List(fields.Nested(ProductRowSchema))


class PaidSchema(Schema):
    institution_id = fields.Function(lambda r: r.institution.id)
    institution = fields.Function(lambda r: r.institution.name)
    institution_kind = fields.Function(lambda r: r.institution.kind.value)
    region_code = fields.Function(lambda r: r.paid.region)
    quantity = fields.Function(lambda r: r.paid.quantity)
    amount = _dec(2, attribute="paid.amount")
    average_unit_price = _dec(4, attribute="average")
    lowest_unit_price = _dec(4, attribute="paid.lowest")
    highest_unit_price = _dec(4, attribute="paid.highest")
    deliveries = fields.Function(lambda r: r.paid.lines)
    region_lowest_average = _dec(4, attribute="lowest_in_region")
    above_region_lowest = _dec(
        4, attribute="excess", metadata={"description": "average / region's lowest - 1"}
    )


class ProductPricesSchema(PeriodFields):
    product = fields.Nested(PricedProductSchema)
    quantity = fields.Integer()
    amount = _dec(2)
    average_unit_price = _dec(4, attribute="average", allow_none=True)
    institutions = fields.List(fields.Nested(PaidSchema), attribute="rows")


class IndexPointSchema(Schema):
    month = fields.String()
    quantity = fields.Integer()
    amount = _dec(2)
    average_unit_price = _dec(4, attribute="average", allow_none=True)
    index = _dec(2, allow_none=True, metadata={"description": "base month = 100"})
    products_compared = fields.Integer(attribute="products")


class PriceIndexSchema(PeriodFields):
    generic_name = fields.String()
    dosage_form = fields.String()
    base_month = fields.Function(lambda g: g.index.base, allow_none=True)
    formula = fields.Constant(
        "I(m) = 100 x sum_p q(p,b) x P(p,m) / sum_p q(p,b) x P(p,b), over the products bought "
        "in the base month b and in m; P = amount / quantity"
    )
    products = fields.List(fields.Nested(PricedProductSchema))
    months = fields.List(fields.Nested(IndexPointSchema), attribute="index.points")


class OutlierSchema(Schema):
    institution_id = fields.Function(lambda f: f.institution.id)
    institution = fields.Function(lambda f: f.institution.name)
    region_code = fields.Function(lambda f: f.outlier.region)
    lot_id = fields.Function(lambda f: f.outlier.lot_id)
    product = fields.Nested(PricedProductSchema)
    quantity = fields.Function(lambda f: f.outlier.quantity)
    amount = _dec(2, attribute="outlier.amount")
    paid = _dec(4, attribute="outlier.paid")
    region_lowest = _dec(4, attribute="outlier.lowest")
    lowest_institution_id = fields.Function(lambda f: f.lowest_institution.id)
    lowest_institution = fields.Function(lambda f: f.lowest_institution.name)
    excess = _dec(4, attribute="outlier.excess")
    margin = _dec(4, attribute="outlier.margin")
