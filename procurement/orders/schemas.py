"""Orders, shipments, receipts, volumes and traces on the wire."""

from __future__ import annotations

from marshmallow import fields, validate

from procurement.core.limits import AMOUNT_PLACES
from procurement.orders.models import OrderStatus
from procurement.web.api import Month, Schema, StrictDecimal


class LineInSchema(Schema):
    contract_id = fields.Integer(load_default=None)
    product_id = fields.Integer(load_default=None)
    packs = fields.Integer(required=True, strict=True)
    unit_price = StrictDecimal(load_default=None)


class OrderInSchema(Schema):
    lines = fields.List(fields.Nested(LineInSchema), required=True)
    wanted_by = fields.Date(load_default=None)
    delivery_address = fields.String(load_default="", validate=validate.Length(max=500))
    emergency = fields.Boolean(load_default=False)
    buyer_id = fields.Integer(
        load_default=None,
        strict=True,
        metadata={
            "description": "A county medical community orders for this member (default: itself)."
        },
    )


class PlacedOrderLineSchema(Schema):
    line_no = fields.Integer()
    contract_id = fields.Integer(allow_none=True)
    lot_id = fields.Integer()
    product_id = fields.Integer()
    packs = fields.Integer()
    pack_size = fields.Integer()
    quantity = fields.Integer()
    unit_price = fields.Decimal(as_string=True)
    amount = fields.Decimal(as_string=True)
    within_agreed_quantity = fields.Integer()
    beyond_agreed_quantity = fields.Integer()
    off_contract = fields.Boolean()


class PlacedOrderSchema(Schema):
    """An order as placed: what ``POST /orders`` returns and an Idempotency-Key replays."""

    id = fields.Integer()
    number = fields.String()
    status = fields.Enum(OrderStatus, by_value=True)
    hospital_id = fields.Integer()
    placed_by_org_id = fields.Integer(
        allow_none=True,
        metadata={"description": "The medical community that placed it for its member."},
    )
    manufacturer_id = fields.Integer()
    region_code = fields.String()
    region_class = fields.String()
    emergency = fields.Boolean()
    delivery_address = fields.String()
    wanted_by = fields.Date(allow_none=True)
    placed_at = fields.DateTime()
    confirm_due_at = fields.DateTime()
    deliver_due_at = fields.DateTime()
    total_amount = fields.Decimal(as_string=True)
    currency = fields.String()
    lines = fields.List(fields.Nested(PlacedOrderLineSchema))


class OrderLineSchema(PlacedOrderLineSchema):
    id = fields.Integer()
    shipped_quantity = fields.Integer()
    accepted_quantity = fields.Integer()
    rejected_quantity = fields.Integer()


class OrderSchema(PlacedOrderSchema):
    confirmed_at = fields.DateTime(allow_none=True)
    shipped_at = fields.DateTime(allow_none=True)
    received_at = fields.DateTime(allow_none=True)
    rejection_reason = fields.String(allow_none=True)
    version = fields.Integer()
    lines = fields.List(fields.Nested(OrderLineSchema))


class OrderArgs(Schema):
    status = fields.String(load_default=None)
    region_code = fields.String(load_default=None)


class ReasonSchema(Schema):
    reason = fields.String(load_default="")


class ShipLineInSchema(Schema):
    order_line_id = fields.Integer(required=True)
    quantity = fields.Integer(required=True, strict=True)
    batch_no = fields.String(required=True, validate=validate.Length(max=40))
    production_date = fields.Date(required=True)
    expiry_date = fields.Date(required=True)


class ShipmentInSchema(Schema):
    lines = fields.List(fields.Nested(ShipLineInSchema), required=True)


class ShipmentLineSchema(Schema):
    id = fields.Integer()
    order_line_id = fields.Integer()
    quantity = fields.Integer()
    batch_no = fields.String()
    production_date = fields.Date()
    expiry_date = fields.Date()


class ShipmentSchema(Schema):
    id = fields.Integer()
    number = fields.String()
    order_id = fields.Integer()
    shipper_id = fields.Integer()
    shipped_at = fields.DateTime()
    received_at = fields.DateTime(allow_none=True)
    delivery_address = fields.Function(
        lambda shipment: shipment.order.delivery_address,
        metadata={"type": "string", "description": "Where it goes: the buyer's address."},
    )
    lines = fields.List(fields.Nested(ShipmentLineSchema))


class ReceiveLineInSchema(Schema):
    shipment_line_id = fields.Integer(required=True)
    accepted_quantity = fields.Integer(required=True, strict=True)
    rejected_quantity = fields.Integer(load_default=0, strict=True)
    rejection_reason = fields.String(load_default=None, allow_none=True)


class ReceiptInSchema(Schema):
    lines = fields.List(fields.Nested(ReceiveLineInSchema), required=True)
    received_at = fields.AwareDateTime(load_default=None)


class GoodsReceiptLineSchema(Schema):
    id = fields.Integer()
    shipment_line_id = fields.Integer()
    contract_id = fields.Integer(allow_none=True)
    accepted_quantity = fields.Integer()
    rejected_quantity = fields.Integer()
    rejection_reason = fields.String(allow_none=True)
    unit_price = fields.Decimal(as_string=True)
    accepted_amount = fields.Decimal(as_string=True)


class GoodsReceiptSchema(Schema):
    id = fields.Integer()
    shipment_id = fields.Integer()
    received_at = fields.DateTime()
    accepted_at = fields.DateTime()
    lines = fields.List(fields.Nested(GoodsReceiptLineSchema))


class VolumeSchema(Schema):
    contract_id = fields.Integer()
    agreed = fields.Integer()
    ordered = fields.Integer()
    within_agreed = fields.Integer()
    beyond_agreed = fields.Integer()
    shipped = fields.Integer()
    accepted = fields.Integer()
    rejected = fields.Integer()
    remaining = fields.Integer()
    completion = fields.Decimal(as_string=True)


class TraceStopSchema(Schema):
    shipment_number = fields.String()
    shipped_at = fields.DateTime()
    shipper = fields.String()
    order_number = fields.String()
    hospital_id = fields.Integer()
    hospital = fields.String()
    product_id = fields.Integer()
    quantity = fields.Integer()
    production_date = fields.Date()
    expiry_date = fields.Date()
    accepted_quantity = fields.Integer(allow_none=True)
    rejected_quantity = fields.Integer(allow_none=True)
    received_at = fields.DateTime(allow_none=True)


class TraceSchema(Schema):
    batch_no = fields.String()
    manufacturer_ids = fields.List(fields.Integer())
    shipped = fields.Integer()
    accepted = fields.Integer()
    stops = fields.List(fields.Nested(TraceStopSchema))


class AppointmentInSchema(Schema):
    distributor_code = fields.String(required=True)
    region_code = fields.String(required=True)
    lot_id = fields.Integer(load_default=None)
    contract_id = fields.Integer(load_default=None)
    valid_from = fields.Date(load_default=None)
    valid_until = fields.Date(load_default=None)


class AppointmentSchema(Schema):
    id = fields.Integer()
    manufacturer_id = fields.Integer()
    distributor_id = fields.Integer()
    contract_id = fields.Integer(allow_none=True)
    lot_id = fields.Integer()
    region_code = fields.String()
    valid_from = fields.Date()
    valid_until = fields.Date(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)


class OffPlatformInSchema(Schema):
    lot_id = fields.Integer(required=True)
    month = Month(required=True, metadata={"example": "2026-03"})
    quantity = fields.Integer(required=True, strict=True)
    amount = StrictDecimal(required=True, max_places=AMOUNT_PLACES)


class OffPlatformSchema(Schema):
    id = fields.Integer()
    hospital_id = fields.Integer()
    lot_id = fields.Integer()
    month = fields.Function(lambda r: f"{r.month:%Y-%m}")
    quantity = fields.Integer()
    amount = fields.Decimal(as_string=True)
    reported_at = fields.DateTime()


class SlaReportSchema(Schema):
    new_breaches = fields.Integer()
    updated_breaches = fields.Integer()
    alerts = fields.Integer()


class ShipmentImportResultSchema(Schema):
    shipments = fields.List(fields.Nested(ShipmentSchema))
