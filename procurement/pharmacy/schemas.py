"""Pharmacies and the public finder on the wire. Amounts are strings (StrictDecimal)."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.core.limits import AMOUNT_PLACES
from procurement.pharmacy.keys import MAX_QUERY
from procurement.pharmacy.services.enrolling import MAX_CHOSEN
from procurement.pharmacy.services.selling import MAX_NAME_FILTER, MAX_SALE_PACKS
from procurement.trace.codes import MAX_CODE_LENGTH
from procurement.trace.services.dispensing import MAX_DISPENSE_CODES
from procurement.web.api import Schema, StrictDecimal

NAME = validate.Length(min=1, max=200)
PRICE = {"places": 2, "max_places": AMOUNT_PLACES}


class PharmacyOfferProductSchema(Schema):
    generic_name = fields.String()
    product_id = fields.Function(lambda p: p.product.id)
    manufacturer = fields.String()
    specification = fields.Function(
        lambda p: (
            f"{p.product.strength.normalize():f} {p.product.strength_unit} "
            f"× {p.product.pack_size} ({p.product.dosage_form})"
        )
    )
    vbp_pack_price = StrictDecimal(**PRICE)


class PharmacyOfferSchema(Schema):
    tender_id = fields.Function(lambda o: o.tender.id)
    generic_names = fields.List(fields.String())
    min_generic_names_store = fields.Function(lambda o: o.rules.min_generic_names_store)
    min_generic_names_chain = fields.Function(lambda o: o.rules.min_generic_names_chain)
    pharmacy_markup = fields.Function(lambda o: str(o.rules.pharmacy_markup))
    products = fields.List(fields.Nested(PharmacyOfferProductSchema))


class PharmacySignUpSchema(Schema):
    tender_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    generic_names = fields.List(
        fields.String(validate=NAME), required=True, validate=validate.Length(max=MAX_CHOSEN)
    )


class PharmacyEnrollmentSchema(Schema):
    id = fields.Integer()
    org_id = fields.Integer()
    tender_id = fields.Integer()
    generic_names = fields.List(fields.String())
    enrolled_at = fields.DateTime()


class PharmacyPriceInSchema(Schema):
    product_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    price = StrictDecimal(required=True, **PRICE)
    store_id = fields.Integer(
        strict=True,
        validate=validate.Range(min=1),
        metadata={"description": "A chain: one of its stores (none: every store)"},
    )


class PharmacyProductSchema(Schema):
    store_id = fields.Integer()
    product_id = fields.Integer()
    generic_name = fields.String()
    vbp_pack_price = StrictDecimal(**PRICE)
    price_cap = StrictDecimal(**PRICE)
    price = StrictDecimal(allow_none=True, **PRICE)


class PharmacySaleInSchema(Schema):
    product_id = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    quantity = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=1, max=MAX_SALE_PACKS)
    )
    unit_price = StrictDecimal(
        **PRICE, metadata={"description": "Charged a package (default: the store's price)"}
    )
    store_id = fields.Integer(strict=True, validate=validate.Range(min=1))


class PharmacyCodeSaleInSchema(Schema):
    codes = fields.List(
        fields.String(validate=validate.Length(min=1, max=MAX_CODE_LENGTH)),
        required=True,
        validate=validate.Length(min=1, max=MAX_DISPENSE_CODES),
    )


class PharmacySaleSchema(Schema):
    id = fields.Integer()
    store_id = fields.Integer()
    product_id = fields.Integer()
    quantity = fields.Integer()
    unit_price = StrictDecimal(**PRICE)
    code = fields.String(allow_none=True)
    sold_at = fields.DateTime()


class PharmacySaleResultSchema(Schema):
    recorded = fields.Integer()
    sales = fields.List(fields.Nested(PharmacySaleSchema))
    refused = fields.Function(lambda r: [{"code": c, "reason": str(m)} for c, m in r.refused])
    alerts = fields.Function(lambda r: [{"code": c, "kind": k} for c, k in r.alerts])


class PharmacyStockSchema(Schema):
    store_id = fields.Function(lambda r: r.store.id)
    store_name = fields.Function(lambda r: r.store.name)
    product_id = fields.Function(lambda r: r.product.id)
    generic_name = fields.Function(lambda r: r.signed_up.generic_name)
    vbp_pack_price = fields.Function(lambda r: str(r.signed_up.vbp_pack_price))
    price_cap = fields.Function(lambda r: str(r.signed_up.price_cap))
    price = fields.Function(lambda r: None if r.signed_up.price is None else str(r.signed_up.price))
    on_hand = fields.Integer()


class PharmacyStoreViewSchema(Schema):
    store_id = fields.Function(lambda v: v.store.id)
    store_name = fields.Function(lambda v: v.store.name)
    region_code = fields.Function(lambda v: v.store.region_code)
    tender_id = fields.Function(lambda v: v.tender.id)
    signed_up = fields.Function(lambda v: len(v.signed_up))
    stocked = fields.Function(lambda v: len(v.stocked))
    minimum = fields.Integer()
    out_of_stock = fields.Function(lambda v: [p.id for p in v.out_of_stock])
    price_breaches = fields.Function(
        lambda v: [
            {"product_id": pp.product_id, "charged": str(s.unit_price), "cap": str(pp.price_cap)}
            for s, pp in v.breaches
        ]
    )


class StockArgs(Schema):
    store_id = fields.Integer(
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "One of the chain's stores (default: every store)"},
    )
    q = fields.String(
        validate=validate.Length(max=MAX_NAME_FILTER),
        metadata={"description": "Generic names containing this text"},
    )


class FinderArgs(Schema):
    q = fields.String(
        required=True,
        validate=validate.Length(max=MAX_QUERY * 4),
        metadata={"description": "A generic name: characters, full pinyin or initials"},
    )
    district = fields.String(
        validate=validate.Length(max=6), metadata={"description": "A district's six-digit code"}
    )


class FinderProductSchema(Schema):
    product_id = fields.Integer()
    generic_name = fields.String()
    manufacturer = fields.String()
    specification = fields.String()
    vbp_pack_price = StrictDecimal(**PRICE)


class FinderPlaceSchema(Schema):
    kind = fields.String(
        metadata={"description": "pharmacy, or clinic (primary care: at the winning price)"}
    )
    store_name = fields.String()
    address = fields.String(allow_none=True)
    district = fields.String()
    product_id = fields.Integer()
    price = StrictDecimal(**PRICE)
    status = fields.String(metadata={"description": "in_stock, low or out"})


class FinderResultSchema(Schema):
    query = fields.String()
    district = fields.String(allow_none=True)
    generic_names = fields.List(fields.String())
    products = fields.List(fields.Nested(FinderProductSchema))
    places = fields.List(fields.Nested(FinderPlaceSchema))


class FinderDistrictSchema(Schema):
    code = fields.String()
    name = fields.String(allow_none=True)
