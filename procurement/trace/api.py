"""API: traceability codes on shipment lines, product code formats, the public lookup and a
package's history."""

from __future__ import annotations

from flask.views import MethodView

from procurement.catalog.tabular import TableError
from procurement.core.limits import INLINE_UPLOAD_BYTES
from procurement.jobs.api import ACCEPTED, accepted, queued
from procurement.jobs.schemas import JobSchema
from procurement.trace import schemas as s
from procurement.trace import services
from procurement.trace.errors import CodesUnreadable
from procurement.trace.files import CodeRow, read_codes
from procurement.trace.services.code_jobs import ask_codes_import
from procurement.web.api import LOCATION_HEADER, Blueprint
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now

blp = Blueprint("trace", __name__, description="Traceability codes (药品追溯码)")


def _attach(shipment_line_id: int, rows: list[CodeRow]):
    return services.attach_codes(
        get_session(), shipment_line_id=shipment_line_id, rows=rows, now=now(), actor=api_actor()
    )


@blp.route("/shipment-lines/<int:shipment_line_id>/codes")
class LineCodes(MethodView):
    @blp.arguments(s.CodesInSchema)
    @blp.response(201, s.CodesAttachedSchema)
    def post(self, data, shipment_line_id):
        """Attach the codes of a shipment line's packages (its shipper): all or none."""
        rows = [CodeRow(i, c["code"], c["case"]) for i, c in enumerate(data["codes"], start=1)]
        return _attach(shipment_line_id, rows)


@blp.route("/shipment-lines/<int:shipment_line_id>/codes/file")
class LineCodeFile(MethodView):
    @blp.arguments(s.CodeFileSchema, location="files")
    @blp.response(201, s.CodesAttachedSchema)
    @blp.alt_response(202, schema=JobSchema, headers=LOCATION_HEADER, description=ACCEPTED)
    def post(self, files, shipment_line_id):
        """Attach a shipment line's codes from a file (CSV, XLSX or text): all or none. With a
        job queue configured a file over INLINE_UPLOAD_BYTES is attached by a job: 202."""
        upload = files["file"]
        content = upload.read()
        if queued() and len(content) > INLINE_UPLOAD_BYTES:
            return accepted(
                ask_codes_import(
                    get_session(),
                    shipment_line_id=shipment_line_id,
                    filename=upload.filename or "",
                    content=content,
                    actor=api_actor(),
                )
            )
        try:
            rows = read_codes(upload.filename or "", content)
        except TableError as error:
            raise CodesUnreadable(errors={e.key: [e.message] for e in error.errors}) from None
        return _attach(shipment_line_id, rows)


@blp.route("/products/<int:product_id>/code-formats")
class ProductCodeFormats(MethodView):
    @blp.arguments(s.FormatsInSchema)
    @blp.response(200, s.FormatsSchema)
    def put(self, data, product_id):
        """Register a product's 码上放心 prefix, GTIN and own code format (its manufacturer)."""
        return services.register_formats(
            get_session(), product_id=product_id, now=now(), actor=api_actor(), **data
        )


@blp.route("/trace/lookup")
class PublicLookup(MethodView):
    @blp.arguments(s.LookupArgs, location="query")
    @blp.response(200, s.PublicPackageSchema)
    @blp.doc(security=[])
    def get(self, args):
        """What a code's package is and whether it was dispensed (anyone, no login)."""
        return services.public_lookup(get_session(), code=args["code"])


@blp.route("/trace/packages/history")
class PackageHistory(MethodView):
    @blp.arguments(s.LookupArgs, location="query")
    @blp.response(200, s.HistorySchema)
    @blp.alt_response(404, response="NOT_FOUND", success=False)  # a code not shipped, or not yours
    def get(self, args):
        """A package and its events in order (regulator, fund; the holder: its own)."""
        return services.package_history(get_session(), code=args["code"], actor=api_actor())


from procurement.trace import scan_api  # noqa: E402, F401  (receiving by scan, stock)
