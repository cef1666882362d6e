"""API: price monitoring (价格监测) for the regulator and the fund: the products bought, what
every institution paid for one, the monthly price index of a generic name and dosage form, and
today's outliers; each as JSON, CSV or XLSX (``format``). Its routes join the compliance
blueprint (``compliance/api.py`` imports this module)."""

from __future__ import annotations

from flask.views import MethodView

from procurement.compliance.api import blp
from procurement.compliance.export import table_response
from procurement.compliance.prices import export, services
from procurement.compliance.prices import schemas as s
from procurement.compliance.prices.export_job_services import ask_paid_export
from procurement.core import limits
from procurement.jobs.api import ACCEPTED, accepted, queued
from procurement.jobs.schemas import JobSchema
from procurement.web.api import CSV, LOCATION_HEADER, download_doc
from procurement.web.auth import api_actor
from procurement.web.problems import ProblemSchema
from procurement.web.session import get_session, now
from procurement.web.tabular_export import XLSX_MIMETYPE

REFUSALS = (
    (401, "Not logged in."),
    (403, "Not the regulator or the fund."),
    (422, "A region, month or period that is not valid."),
)


def _documented(*extra: tuple[int, str]):
    def wrap(view):
        for status, text in (*REFUSALS, *extra):
            view = blp.alt_response(
                status,
                schema=ProblemSchema,
                description=text,
                content_type="application/problem+json",
            )(view)
        return blp.doc(**download_doc(CSV, XLSX_MIMETYPE))(view)

    return wrap


def _filters(args: dict) -> services.Filters:
    return services.Filters(region=args["region"], first=args["first"], last=args["last"])


def _reply(fmt: str, name: str, header, rows, report):
    if fmt == "json":
        return report
    return table_response(name, header, rows(report), fmt)


@blp.route("/prices/products")
class PricedProducts(MethodView):
    @blp.arguments(s.PriceArgs, location="query")
    @blp.response(200, s.OverviewSchema)
    @_documented()
    def get(self, args):
        """Every product (specification) bought in the period, with the institutions that
        bought it, quantity, amount and the lowest and highest unit price of a delivery."""
        report = services.products_bought(
            get_session(), filters=_filters(args), actor=api_actor(), now=now()
        )
        return _reply(
            args["format"], "price-products", export.PRODUCTS_HEADER, export.product_rows, report
        )


@blp.route("/prices/products/<int:product_id>")
class ProductPrices(MethodView):
    @blp.arguments(s.PriceArgs, location="query")
    @blp.response(200, s.ProductPricesSchema)
    @_documented((404, "No such product."))
    @blp.alt_response(202, schema=JobSchema, headers=LOCATION_HEADER, description=ACCEPTED)
    def get(self, args, product_id):
        """What every institution paid for the product: quantity, amount, average, lowest and
        highest unit price, and how far above its province's lowest average. A CSV/XLSX of
        more than INLINE_EXPORT_LINES institutions with a job queue configured is made by a
        job: 202, the job (its file: ``links.file``)."""
        filters, fmt = _filters(args), args["format"]
        report = services.product_prices(
            get_session(), product_id=product_id, filters=filters, actor=api_actor(), now=now()
        )
        if fmt != "json" and len(report.rows) > limits.INLINE_EXPORT_LINES and queued():
            job = ask_paid_export(
                get_session(), product_id=product_id, filters=filters, fmt=fmt, actor=api_actor()
            )
            return accepted(job)
        return _reply(fmt, "price-paid", export.PAID_HEADER, export.paid_rows, report)


@blp.route("/prices/index")
class PriceIndex(MethodView):
    @blp.arguments(s.IndexArgs, location="query")
    @blp.response(200, s.PriceIndexSchema)
    @_documented((404, "No product of that generic name and dosage form."))
    def get(self, args):
        """The monthly price index of a generic name and dosage form: a fixed basket of the
        base month's quantities, the base month = 100 (the formula is in the reply)."""
        report = services.price_index(
            get_session(),
            generic_name=args["generic_name"],
            dosage_form=args["dosage_form"],
            base=args["base"],
            filters=_filters(args),
            actor=api_actor(),
            now=now(),
        )
        return _reply(args["format"], "price-index", export.INDEX_HEADER, export.index_rows, report)


@blp.route("/prices/outliers")
class PriceOutliers(MethodView):
    @blp.arguments(s.OutlierArgs, location="query")
    @blp.response(200, s.OutlierSchema(many=True))
    @_documented()
    def get(self, args):
        """Today's outliers: institutions paying more than their province's lowest average
        unit price for a product by more than the tender's ``price_outlier_margin``."""
        found = services.price_outliers(
            get_session(),
            filters=services.Filters(region=args["region"]),
            actor=api_actor(),
            now=now(),
        )
        return _reply(
            args["format"], "price-outliers", export.OUTLIERS_HEADER, export.outlier_rows, found
        )
