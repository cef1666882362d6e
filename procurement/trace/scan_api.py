"""API: receiving by scan (a receipt draft of scanned codes, then accept), dispensing and
returns by code, the stock ledger, no-code stock and traceability alerts. Routes on the trace
blueprint (``trace/api.py`` imports this module)."""

from __future__ import annotations

from flask.views import MethodView

from procurement.catalog.tabular import TableError
from procurement.trace import scan_schemas as s
from procurement.trace.api import blp
from procurement.trace.errors import CodesUnreadable
from procurement.trace.files import read_codes
from procurement.trace.services import accepting, alerts, dispensing, scanning, stock_ledger
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now


@blp.route("/shipments/<int:shipment_id>/scan")
class ReceiptDraft(MethodView):
    @blp.response(200, s.DraftSchema)
    def get(self, shipment_id):
        """The receipt draft: per line the boxes shipped and scanned, the codes scanned."""
        return scanning.draft(get_session(), shipment_id=shipment_id, now=now(), actor=api_actor())

    @blp.arguments(s.ScanInSchema)
    @blp.response(201, s.DraftSchema)
    def post(self, data, shipment_id):
        """Scan one code into the draft (the ordering hospital); a case counts its boxes."""
        return scanning.scan_code(
            get_session(), shipment_id=shipment_id, code=data["code"], now=now(), actor=api_actor()
        )

    @blp.arguments(s.ScanInSchema, location="query")
    @blp.response(200, s.DraftSchema)
    def delete(self, args, shipment_id):
        """Take a wrongly scanned code off the draft."""
        return scanning.unscan_code(
            get_session(), shipment_id=shipment_id, code=args["code"], now=now(), actor=api_actor()
        )


@blp.route("/shipments/<int:shipment_id>/scan/accept")
class AcceptScanned(MethodView):
    @blp.arguments(s.AcceptInSchema)
    @blp.response(201, s.AcceptedSchema)
    def post(self, data, shipment_id):
        """Accept what was scanned; reject the rest with a reason (or, where the rules allow
        it, accept boxes without a code with a reason)."""
        decisions = [accepting.LineDecision(**line) for line in data["lines"]]
        result = accepting.accept_scanned(
            get_session(),
            shipment_id=shipment_id,
            decisions=decisions,
            now=now(),
            actor=api_actor(),
        )
        return {"receipt_id": result.receipt_id}


def _movements(codes, movement):
    return dispensing.record_movements(
        get_session(), codes=codes, movement=movement, now=now(), actor=api_actor()
    )


@blp.route("/trace/dispensing")
class Dispensing(MethodView):
    @blp.arguments(s.MovementInSchema)
    @blp.response(201, s.MovementResultSchema)
    def post(self, data):
        """Record boxes dispensed (or returned) by code; the rest raise alerts or are refused."""
        return _movements(data["codes"], data["movement"])


@blp.route("/trace/dispensing/file")
class DispensingFile(MethodView):
    @blp.arguments(s.MovementArgs, location="query")
    @blp.arguments(s.MovementFileSchema, location="files")
    @blp.response(201, s.MovementResultSchema)
    def post(self, args, files):
        """The same from a file of the hospital information system (CSV, XLSX or text)."""
        upload = files["file"]
        try:
            rows = read_codes(upload.filename or "", upload.read())
        except TableError as error:
            raise CodesUnreadable(errors={e.key: [e.message] for e in error.errors}) from None
        return _movements([row.code for row in rows], args["movement"])


@blp.route("/trace/stock")
class Stock(MethodView):
    @blp.arguments(s.StockArgs, location="query")
    @blp.response(200, s.LedgerSchema)
    def get(self, args):
        """The stock ledger per product and batch, expiry alerts, and no-code stock apart."""
        return stock_ledger.ledger(
            get_session(), now=now(), actor=api_actor(), org_id=args["org_id"]
        )


@blp.route("/trace/stock/no-code")
class NoCodeStock(MethodView):
    @blp.arguments(s.NoCodeInSchema)
    @blp.response(201, s.NoCodeSchema)
    def post(self, data):
        """Declare legacy stock without codes (counted apart)."""
        return stock_ledger.declare_no_code(get_session(), now=now(), actor=api_actor(), **data)


@blp.route("/trace/alerts")
class Alerts(MethodView):
    @blp.arguments(s.AlertArgs, location="query")
    @blp.response(200, s.TraceAlertSchema(many=True))
    def get(self, args):
        """Traceability alerts, newest first (regulator and fund: all; a hospital: its own)."""
        return alerts.list_alerts(get_session(), actor=api_actor(), kind=args["kind"])
