"""Order use cases (one function each); see the modules for the details."""

from procurement.orders.services.lifecycle import (
    cancel_order,
    close_order,
    confirm_order,
    get_order,
    list_orders,
    reject_order,
)
from procurement.orders.services.oversight import (
    Trace,
    Volume,
    contract_volume,
    detect_sla_breaches,
    list_alerts,
    trace_batch,
    volumes_of,
)
from procurement.orders.services.placing import LineRequest, OrderRequest, Placement, place_order
from procurement.orders.services.receiving import (
    ReceiptResult,
    ReceiveLine,
    get_receipt,
    record_receipt,
)
from procurement.orders.services.reports import (
    AppointmentRequest,
    appoint_distributor,
    list_appointments,
    list_off_platform,
    report_off_platform,
    revoke_appointment,
)
from procurement.orders.services.shipping import (
    ShipLine,
    create_shipment,
    get_shipment,
    import_shipments,
    list_shipments,
)

__all__ = [
    "AppointmentRequest",
    "LineRequest",
    "OrderRequest",
    "Placement",
    "ReceiptResult",
    "ReceiveLine",
    "ShipLine",
    "Trace",
    "Volume",
    "appoint_distributor",
    "cancel_order",
    "close_order",
    "confirm_order",
    "contract_volume",
    "create_shipment",
    "detect_sla_breaches",
    "get_order",
    "get_receipt",
    "get_shipment",
    "import_shipments",
    "list_alerts",
    "list_appointments",
    "list_off_platform",
    "list_orders",
    "list_shipments",
    "place_order",
    "record_receipt",
    "reject_order",
    "report_off_platform",
    "revoke_appointment",
    "trace_batch",
    "volumes_of",
]
