"""API: purchase orders, shipments, receipts, volumes, batch tracing, distributors, reports."""

from __future__ import annotations

from flask import jsonify, request
from flask.views import MethodView
from flask_smorest import abort

from procurement.catalog.tabular import TableError, read_table
from procurement.core.messages import N_
from procurement.orders import schemas as s
from procurement.orders import services
from procurement.orders.errors import UploadMissing, UploadUnreadable
from procurement.web.api import (
    IDEMPOTENCY_KEY,
    LOCATION_HEADER,
    MAX_KEY_LENGTH,
    UPLOAD_BODY,
    Blueprint,
)
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now

blp = Blueprint("orders", __name__, description="Purchase orders, shipments and receipts")


PLACED_AGAIN = "A retry with the same Idempotency-Key and body: the order it placed first."


def _key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key.strip()) <= MAX_KEY_LENGTH:
        abort(400, message="Idempotency-Key must be 1 to 200 characters.")
    return key.strip() if key else None


@blp.route("/orders")
class Orders(MethodView):
    @blp.arguments(s.OrderInSchema)
    @blp.response(201, s.PlacedOrderSchema, headers=LOCATION_HEADER)
    @blp.alt_response(200, schema=s.PlacedOrderSchema, description=PLACED_AGAIN)
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, data):
        """Place an order (hospital); send an Idempotency-Key so a retry creates nothing twice."""
        lines = [services.LineRequest(**line) for line in data.pop("lines")]
        placed = services.place_order(
            get_session(),
            request=services.OrderRequest(lines=lines, **data),
            idempotency_key=_key(),
            raw_body=request.get_json(silent=True),
            now=now(),
            actor=api_actor(),
        )
        # The body is PlacedOrderSchema's dump, made once by the service (it is stored with the
        # Idempotency-Key for replays): sent as it is, not dumped a second time.
        status = 200 if placed.replayed else 201
        return jsonify(placed.body), status, {"Location": f"/api/v1/orders/{placed.order_id}"}

    @blp.arguments(s.OrderArgs, location="query")
    @blp.response(200, s.OrderSchema(many=True))
    def get(self, args):
        """Orders you may see (own, to you, your appointed regions; regulator and fund: all)."""
        return services.list_orders(get_session(), now=now(), actor=api_actor(), **args)


@blp.route("/orders/<int:order_id>")
class OrderById(MethodView):
    @blp.response(200, s.OrderSchema)
    def get(self, order_id):
        """One order (404 when it is not yours to see)."""
        return services.get_order(get_session(), order_id=order_id, now=now(), actor=api_actor())


@blp.route("/orders/<int:order_id>/confirm")
class OrderConfirm(MethodView):
    @blp.response(200, s.OrderSchema)
    def post(self, order_id):
        """Confirm an order (its manufacturer or appointed distributor)."""
        return services.confirm_order(
            get_session(), order_id=order_id, now=now(), actor=api_actor()
        )


@blp.route("/orders/<int:order_id>/reject")
class OrderReject(MethodView):
    @blp.arguments(s.ReasonSchema)
    @blp.response(200, s.OrderSchema)
    def post(self, data, order_id):
        """Reject an order with a reason (supplier); raises a supply alert."""
        return services.reject_order(
            get_session(), order_id=order_id, reason=data["reason"], now=now(), actor=api_actor()
        )


@blp.route("/orders/<int:order_id>/cancel")
class OrderCancel(MethodView):
    @blp.arguments(s.ReasonSchema)
    @blp.response(200, s.OrderSchema)
    def post(self, data, order_id):
        """Cancel an order before confirmation (the hospital)."""
        return services.cancel_order(
            get_session(), order_id=order_id, reason=data["reason"], now=now(), actor=api_actor()
        )


@blp.route("/orders/<int:order_id>/close")
class OrderClose(MethodView):
    @blp.response(200, s.OrderSchema)
    def post(self, order_id):
        """Close a received order (the hospital)."""
        return services.close_order(get_session(), order_id=order_id, now=now(), actor=api_actor())


@blp.route("/orders/<int:order_id>/shipments")
class OrderShipments(MethodView):
    @blp.arguments(s.ShipmentInSchema)
    @blp.response(201, s.ShipmentSchema)
    def post(self, data, order_id):
        """Ship lines of a confirmed order with batch numbers and dates (supplier)."""
        lines = [services.ShipLine(**line) for line in data["lines"]]
        return services.create_shipment(
            get_session(), order_id=order_id, lines=lines, now=now(), actor=api_actor()
        )

    @blp.response(200, s.ShipmentSchema(many=True))
    def get(self, order_id):
        """The shipments of an order."""
        return services.list_shipments(
            get_session(), order_id=order_id, now=now(), actor=api_actor()
        )


@blp.route("/shipments/<int:shipment_id>")
class ShipmentById(MethodView):
    @blp.response(200, s.ShipmentSchema)
    def get(self, shipment_id):
        """One shipment."""
        return services.get_shipment(
            get_session(), shipment_id=shipment_id, now=now(), actor=api_actor()
        )


@blp.route("/shipments/<int:shipment_id>/receipt")
class ShipmentReceipt(MethodView):
    @blp.arguments(s.ReceiptInSchema)
    @blp.response(201, s.GoodsReceiptSchema)
    @blp.alt_response(200, schema=s.GoodsReceiptSchema, description="A retry: the first receipt.")
    @blp.doc(parameters=[IDEMPOTENCY_KEY])
    def post(self, data, shipment_id):
        """Record the receiving check (hospital): accepted + rejected = shipped per line."""
        lines = [services.ReceiveLine(**line) for line in data["lines"]]
        session = get_session()
        result = services.record_receipt(
            session,
            shipment_id=shipment_id,
            lines=lines,
            received_at=data["received_at"],
            idempotency_key=_key(),
            raw_body=request.get_json(silent=True),
            now=now(),
            actor=api_actor(),
        )
        receipt = services.get_receipt(
            session, shipment_id=shipment_id, now=now(), actor=api_actor()
        )
        return receipt, 200 if result.replayed else 201

    @blp.response(200, s.GoodsReceiptSchema)
    def get(self, shipment_id):
        """The receipt of a shipment."""
        return services.get_receipt(
            get_session(), shipment_id=shipment_id, now=now(), actor=api_actor()
        )


@blp.route("/shipments/import")
class ShipmentImport(MethodView):
    @blp.response(201, s.ShipmentImportResultSchema)
    @blp.doc(requestBody=UPLOAD_BODY)
    def post(self):
        """Upload shipment lines (CSV or XLSX, field 'file'): one shipment per order, all or
        nothing. Columns: order_number, line_no, quantity, batch_no, production_date,
        expiry_date."""
        actor = api_actor()
        upload = request.files.get("file")
        if upload is None:
            raise UploadMissing(errors={"file": [N_("missing")]})
        try:
            table = read_table(upload.filename or "", upload.read(), required=IMPORT_COLUMNS)
        except TableError as error:
            raise UploadUnreadable(errors={e.key: [e.message] for e in error.errors}) from None
        shipments = services.import_shipments(
            get_session(), rows=table.rows, now=now(), actor=actor
        )
        return {"shipments": shipments}


IMPORT_COLUMNS = (
    "order_number",
    "line_no",
    "quantity",
    "batch_no",
    "production_date",
    "expiry_date",
)


@blp.route("/contracts/<int:contract_id>/volume")
class ContractVolumeView(MethodView):
    @blp.response(200, s.VolumeSchema)
    def get(self, contract_id):
        """Agreed, ordered (within/beyond), shipped, accepted and remaining volume."""
        return services.contract_volume(get_session(), contract_id=contract_id, actor=api_actor())


@blp.route("/batches/<string:batch_no>/trace")
class BatchTrace(MethodView):
    @blp.response(200, s.TraceSchema)
    def get(self, batch_no):
        """Every hospital a batch went to (regulator; the manufacturer for its own batches)."""
        return services.trace_batch(get_session(), batch_no=batch_no, actor=api_actor())


@blp.route("/distributor-appointments")
class Appointments(MethodView):
    @blp.arguments(s.AppointmentInSchema)
    @blp.response(201, s.AppointmentSchema)
    def post(self, data):
        """Appoint a distributor for a province (manufacturer)."""
        return services.appoint_distributor(
            get_session(),
            request=services.AppointmentRequest(**data),
            now=now(),
            actor=api_actor(),
        )

    @blp.response(200, s.AppointmentSchema(many=True))
    def get(self):
        """Appointments (the manufacturer's, the distributor's own; regulator all)."""
        return services.list_appointments(get_session(), actor=api_actor())


@blp.route("/off-platform-purchases")
class OffPlatform(MethodView):
    @blp.arguments(s.OffPlatformInSchema)
    @blp.response(201, s.OffPlatformSchema)
    def post(self, data):
        """Report a month's off-platform purchases of a lot (hospital)."""
        month = data.pop("month")
        return services.report_off_platform(
            get_session(), month=month, now=now(), actor=api_actor(), **data
        )

    @blp.response(200, s.OffPlatformSchema(many=True))
    def get(self):
        """Off-platform reports (hospital: own; regulator and fund: all)."""
        return services.list_off_platform(get_session(), actor=api_actor())


@blp.route("/orders/sla-check")
class SlaCheck(MethodView):
    @blp.response(200, s.SlaReportSchema)
    def post(self):
        """Record service-level breaches as of now (regulator; also `procurement orders
        sla-check`)."""
        return services.detect_sla_breaches(get_session(), now=now(), actor=api_actor())
