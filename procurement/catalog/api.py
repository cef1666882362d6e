"""API: tenders and their lots, lifecycle moves, products, demand reports and their totals."""

from __future__ import annotations

import re

from flask import request
from flask.views import MethodView
from flask_smorest import abort

from procurement.catalog import services
from procurement.catalog.schemas import (
    DemandConfirmSchema,
    DemandListSchema,
    DemandReportDetailSchema,
    DemandReportSchema,
    DemandSubmitSchema,
    DemandTotalsSchema,
    ImportResultSchema,
    LotImportFormSchema,
    LotPatchSchema,
    LotSchema,
    LotWriteSchema,
    ProductSchema,
    ProductWriteSchema,
    TenderPatchSchema,
    TenderQueryArgs,
    TenderSchema,
    TenderWriteSchema,
    TransitionSchema,
    UploadSchema,
)
from procurement.catalog.services.lot_import_jobs import ask_lot_import
from procurement.core.limits import INLINE_UPLOAD_BYTES
from procurement.jobs.api import ACCEPTED, accepted, queued
from procurement.jobs.schemas import JobSchema
from procurement.web.api import ETAG_HEADER, IF_MATCH, LOCATION_HEADER, Blueprint
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now

blp = Blueprint("catalog", __name__, description="Tenders, lots, products and demand reports")

ETAG = re.compile(r'^(?:W/)?"(\d+)"$')


def _etag(tender) -> dict[str, str]:
    return {"ETag": f'"{tender.version}"'}


def _if_match() -> int:
    header = request.headers.get("If-Match")
    if not header:
        abort(428)
    match = ETAG.match(header.strip())
    if match is None:
        abort(412, message=f"If-Match must be the ETag you read, e.g. '\"3\"', not {header!r}.")
    return int(match.group(1))


def _upload(files) -> tuple[str, bytes]:
    upload = files["file"]
    return upload.filename or "upload", upload.read()


@blp.route("/tenders")
class Tenders(MethodView):
    @blp.arguments(TenderQueryArgs, location="query")
    @blp.response(200, TenderSchema(many=True))
    def get(self, args):
        """List tenders (drafts only for their regulator)."""
        return services.list_tenders(get_session(), actor=api_actor(), status=args.get("status"))

    @blp.arguments(TenderWriteSchema)
    @blp.response(201, TenderSchema, headers=ETAG_HEADER)
    def post(self, data):
        """Create a draft tender (regulator)."""
        tender = services.create_tender(get_session(), data=data, now=now(), actor=api_actor())
        return tender, _etag(tender)


@blp.route("/tenders/<int:tender_id>")
class TenderById(MethodView):
    @blp.response(200, TenderSchema, headers=ETAG_HEADER)
    def get(self, tender_id):
        """One tender; its ETag is its version."""
        tender = services.get_tender(get_session(), tender_id=tender_id, actor=api_actor())
        return tender, _etag(tender)

    @blp.arguments(TenderPatchSchema(partial=True))
    @blp.response(200, TenderSchema, headers=ETAG_HEADER)
    @blp.doc(parameters=[IF_MATCH])
    def patch(self, data, tender_id):
        """Edit a draft tender; send If-Match with its ETag."""
        tender = services.update_tender(
            get_session(),
            tender_id=tender_id,
            changes=data,
            expected_version=_if_match(),
            now=now(),
            actor=api_actor(),
        )
        return tender, _etag(tender)


@blp.route("/tenders/<int:tender_id>/transitions")
class TenderTransitions(MethodView):
    @blp.arguments(TransitionSchema)
    @blp.response(200, TenderSchema, headers=ETAG_HEADER)
    def post(self, data, tender_id):
        """Move a tender on: demand_open, bidding_open or bidding_closed (regulator)."""
        tender = services.change_tender_status(
            get_session(), tender_id=tender_id, to=data["to"], now=now(), actor=api_actor()
        )
        return tender, _etag(tender)


@blp.route("/tenders/<int:tender_id>/lots")
class TenderLots(MethodView):
    @blp.response(200, LotSchema(many=True))
    def get(self, tender_id):
        """The lots of a tender."""
        return services.list_lots(get_session(), tender_id=tender_id, actor=api_actor())

    @blp.arguments(LotWriteSchema)
    @blp.response(201, LotSchema)
    def post(self, data, tender_id):
        """Add a lot to a draft tender."""
        return services.add_lot(
            get_session(), tender_id=tender_id, data=data, now=now(), actor=api_actor()
        )


@blp.route("/tenders/<int:tender_id>/lots/import")
class TenderLotsImport(MethodView):
    @blp.arguments(UploadSchema, location="files")
    @blp.arguments(LotImportFormSchema, location="form")
    @blp.response(201, ImportResultSchema)
    @blp.alt_response(202, schema=JobSchema, headers=LOCATION_HEADER, description=ACCEPTED)
    def post(self, files, form, tender_id):
        """Import lots from CSV or XLSX: all rows or none. With a job queue configured a file
        over INLINE_UPLOAD_BYTES is imported by a job: 202."""
        filename, content = _upload(files)
        if queued() and len(content) > INLINE_UPLOAD_BYTES:
            return accepted(
                ask_lot_import(
                    get_session(),
                    tender_id=tender_id,
                    filename=filename,
                    content=content,
                    replace=form["replace"],
                    actor=api_actor(),
                )
            )
        lots = services.import_lots(
            get_session(),
            tender_id=tender_id,
            filename=filename,
            content=content,
            replace=form["replace"],
            now=now(),
            actor=api_actor(),
        )
        return {"imported": len(lots)}


@blp.route("/lots/<int:lot_id>")
class LotById(MethodView):
    @blp.response(200, LotSchema)
    def get(self, lot_id):
        """One lot."""
        return services.get_lot(get_session(), lot_id=lot_id, actor=api_actor())

    @blp.arguments(LotPatchSchema(partial=True))
    @blp.response(200, LotSchema)
    def patch(self, data, lot_id):
        """Edit a lot of a draft tender."""
        return services.update_lot(
            get_session(), lot_id=lot_id, changes=data, now=now(), actor=api_actor()
        )

    @blp.response(204)
    def delete(self, lot_id):
        """Delete a lot of a draft tender."""
        services.delete_lot(get_session(), lot_id=lot_id, now=now(), actor=api_actor())


@blp.route("/tenders/<int:tender_id>/demand")
class TenderDemand(MethodView):
    @blp.response(200, DemandListSchema)
    def get(self, tender_id):
        """Demand reports: a hospital's own; all of them with totals for the regulator."""
        return services.demand_view(get_session(), tender_id=tender_id, actor=api_actor())

    @blp.arguments(DemandSubmitSchema)
    @blp.response(200, DemandReportSchema(many=True))
    def put(self, data, tender_id):
        """Submit or revise your hospital's quantities (before the demand deadline); a county
        medical community reports for a member with ``buyer_id``."""
        return services.submit_demand(
            get_session(),
            tender_id=tender_id,
            lines=data["rows"],
            now=now(),
            actor=api_actor(),
            buyer_id=data["buyer_id"],
        )


@blp.route("/tenders/<int:tender_id>/demand/import")
class TenderDemandImport(MethodView):
    @blp.arguments(UploadSchema, location="files")
    @blp.response(201, ImportResultSchema)
    def post(self, files, tender_id):
        """Upload your hospital's demand: lot_code, quantity, last_year_usage, and optionally
        brand_approval_number, brand_quantity (one more row per product) and floor_reason."""
        filename, content = _upload(files)
        reports = services.import_demand(
            get_session(),
            tender_id=tender_id,
            filename=filename,
            content=content,
            now=now(),
            actor=api_actor(),
        )
        return {"imported": len(reports)}


@blp.route("/tenders/<int:tender_id>/demand/totals")
class TenderDemandTotals(MethodView):
    @blp.response(200, DemandTotalsSchema)
    def get(self, tender_id):
        """Reported and confirmed totals per lot and per province (regulator)."""
        return services.demand_totals(get_session(), tender_id=tender_id, actor=api_actor())


@blp.route("/tenders/<int:tender_id>/demand/confirm")
class TenderDemandConfirm(MethodView):
    @blp.arguments(DemandConfirmSchema)
    @blp.response(200, DemandTotalsSchema)
    def post(self, data, tender_id):
        """Confirm demand after the deadline, optionally adjusting some reports (regulator)."""
        return services.confirm_demand(
            get_session(),
            tender_id=tender_id,
            lot_codes=data.get("lots"),
            adjustments=data["adjustments"],
            now=now(),
            actor=api_actor(),
        )


@blp.route("/demand-reports/<int:report_id>")
class DemandReportById(MethodView):
    @blp.response(200, DemandReportDetailSchema)
    def get(self, report_id):
        """One demand report with every revision."""
        return services.get_demand_report(get_session(), report_id=report_id, actor=api_actor())


@blp.route("/demand-reports/<int:report_id>/floor-confirmation")
class DemandReportFloorConfirmation(MethodView):
    @blp.response(200, DemandReportSchema)
    def post(self, report_id):
        """Accept the reason of a report below its demand floor (the tender's regulator)."""
        return services.confirm_low_report(
            get_session(), report_id=report_id, now=now(), actor=api_actor()
        )


@blp.route("/products")
class Products(MethodView):
    @blp.response(200, ProductSchema(many=True))
    def get(self):
        """Your manufacturer's products (all products for the regulator)."""
        return services.list_products(get_session(), actor=api_actor())

    @blp.arguments(ProductWriteSchema)
    @blp.response(201, ProductSchema)
    def post(self, data):
        """Register a product for your manufacturer."""
        return services.register_product(get_session(), data=data, now=now(), actor=api_actor())


@blp.route("/products/<int:product_id>")
class ProductById(MethodView):
    @blp.response(200, ProductSchema)
    def get(self, product_id):
        """One product."""
        return services.get_product(get_session(), product_id=product_id, actor=api_actor())
