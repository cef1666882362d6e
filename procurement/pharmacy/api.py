"""API: a pharmacy's sign-up, prices, sales and stock; the regulator's watch; the public
medicine finder (no login)."""

from __future__ import annotations

import json

from flask import Response, current_app
from flask.views import MethodView

from procurement.auth.regions import region_name
from procurement.pharmacy import schemas as s
from procurement.pharmacy import services
from procurement.web.api import Blueprint
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now

blp = Blueprint("pharmacy", __name__, description="Pharmacies in VBP and the medicine finder")


@blp.route("/pharmacy/tenders/<int:tender_id>/offer")
class Offer(MethodView):
    @blp.response(200, s.PharmacyOfferSchema)
    @blp.alt_response(404, response="NOT_FOUND", success=False)
    def get(self, tender_id):
        """A tender's winning products a pharmacy may sign up for, and the rules' minimums."""
        return services.offer(get_session(), tender_id=tender_id, now=now(), actor=api_actor())


@blp.route("/pharmacy/enrollments")
class Enrollments(MethodView):
    @blp.arguments(s.PharmacySignUpSchema)
    @blp.response(201, s.PharmacyEnrollmentSchema)
    @blp.alt_response(404, response="NOT_FOUND", success=False)
    @blp.alt_response(409, response="CONFLICT", success=False)
    def post(self, data):
        """Sign up for the winning products of the chosen generic names (store or chain)."""
        return services.sign_up(get_session(), **data, now=now(), actor=api_actor())


@blp.route("/pharmacy/prices")
class Prices(MethodView):
    @blp.arguments(s.PharmacyPriceInSchema)
    @blp.response(200, s.PharmacyProductSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND", success=False)
    def put(self, data):
        """Set a selling price per package, at most the winning price x (1 + markup)."""
        return services.set_price(get_session(), **data, now=now(), actor=api_actor())


@blp.route("/pharmacy/sales")
class Sales(MethodView):
    @blp.arguments(s.PharmacySaleInSchema)
    @blp.response(201, s.PharmacySaleResultSchema)
    @blp.alt_response(404, response="NOT_FOUND", success=False)
    def post(self, data):
        """Report packages of no-code stock sold."""
        return services.sell_by_quantity(get_session(), **data, now=now(), actor=api_actor())


@blp.route("/pharmacy/sales/codes")
class CodeSales(MethodView):
    @blp.arguments(s.PharmacyCodeSaleInSchema)
    @blp.response(201, s.PharmacySaleResultSchema)
    def post(self, data):
        """Report coded packages sold (a store's own users): dispensed by code."""
        return services.sell_by_codes(
            get_session(), codes=data["codes"], now=now(), actor=api_actor()
        )


@blp.route("/pharmacy/stock")
class Stock(MethodView):
    @blp.arguments(s.StockArgs, location="query")
    @blp.response(200, s.PharmacyStockSchema(many=True))
    def get(self, args):
        """Stock on hand per store and signed-up product (a chain: every store, or
        ``store_id``), by generic name (``q``: containing it)."""
        return services.stock(
            get_session(), actor=api_actor(), store_id=args.get("store_id"), name=args.get("q")
        )


@blp.route("/pharmacy/oversight")
class Oversight(MethodView):
    @blp.response(200, s.PharmacyStoreViewSchema(many=True))
    def get(self):
        """Enrolled stores: coverage, stock-outs, prices charged above the cap (regulator, fund)."""
        return services.overview(get_session(), now=now(), actor=api_actor())


@blp.route("/finder/search")
class FinderSearch(MethodView):
    @blp.arguments(s.FinderArgs, location="query")
    @blp.response(200, s.FinderResultSchema)
    @blp.doc(security=[])
    def get(self, args):
        """VBP products of a generic name and the district's pharmacies and primary care
        clinics selling them (public). An answer may be up to FINDER_CACHE_SECONDS old."""
        found = services.search(
            get_session(),
            q=args["q"],
            district=args.get("district"),
            cache_seconds=float(current_app.config.get("FINDER_CACHE_SECONDS", 0)),
        )
        return finder_response(found)


def finder_response(found: services.Found) -> Response:
    """The public hot path's JSON, written directly (what FinderResultSchema documents, as
    its dump would write it: amounts as strings to the fen), without marshmallow's walk."""
    body = {
        "query": found.query,
        "district": found.district,
        "generic_names": found.generic_names,
        "products": [
            {
                "product_id": p.product_id,
                "generic_name": p.generic_name,
                "manufacturer": p.manufacturer,
                "specification": p.specification,
                "vbp_pack_price": f"{p.vbp_pack_price:.2f}",
            }
            for p in found.products
        ],
        "places": [
            {
                "kind": str(p.kind),
                "store_name": p.store_name,
                "address": p.address,
                "district": p.district,
                "product_id": p.product_id,
                "price": f"{p.price:.2f}",
                "status": str(p.status),
            }
            for p in found.places
        ],
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, mimetype="application/json")


@blp.route("/finder/districts")
class FinderDistricts(MethodView):
    @blp.response(200, s.FinderDistrictSchema(many=True))
    @blp.doc(security=[])
    def get(self):
        """The districts with a pharmacy in the finder (public)."""
        return [{"code": c, "name": region_name(c)} for c in services.districts(get_session())]
