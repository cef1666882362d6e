"""The order and shipment lists of both sides: what they filter and sort by (web/listing.py)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from procurement.core.clock import business_date
from procurement.orders import queries
from procurement.orders.models import OrderStatus, PurchaseOrder, Shipment
from procurement.web.auth import page_actor
from procurement.web.labels import label
from procurement.web.listing import Choice, DateFrom, DateTo, Listing, Sort, Text
from procurement.web.session import get_session, now

PENDING = "pending"  # the status filter's "still moving" choice (queries.PENDING)
TO_SHIP = "to_ship"  # confirmed or partly shipped (queries.TO_SHIP)
TO_RECEIVE, RECEIVED, WITH_REJECTIONS = "to_receive", "received", "rejections"


def _today():
    return business_date(now())


def region_text(code: str) -> str:
    """How a region is named on these pages (one place: the region-name filter replaces it)."""
    return code


def _statuses():
    return [
        (PENDING, _l("Pending (placed, confirmed, partly shipped)")),
        (TO_SHIP, _l("To ship (confirmed, partly shipped)")),
    ] + [(s.value, label(s)) for s in OrderStatus]


def _status(query: Select, value: str) -> Select:
    if value == PENDING:
        return query.where(PurchaseOrder.status.in_(queries.PENDING))
    if value == TO_SHIP:
        return query.where(PurchaseOrder.status.in_(queries.TO_SHIP))
    return query.where(PurchaseOrder.status == OrderStatus(value))


def _drugs():
    names = queries.order_drugs(get_session(), page_actor(), _today())
    return [(name, name) for name in names]


def _regions():
    codes = queries.order_regions(get_session(), page_actor(), _today())
    return [(code, region_text(code)) for code in codes]


STATUS = Choice("status", _l("Status"), _statuses, _status)
SEARCH = Text(
    "q", _l("Order number or drug"), lambda q, v: q.where(queries.order_number_or_drug(v))
)
DRUG = Choice("drug", _l("Drug"), _drugs, lambda q, v: q.where(queries.drug_is(v)))
PLACED_FROM = DateFrom("from", _l("Placed from"), PurchaseOrder.placed_at)
PLACED_TO = DateTo("to", _l("Placed until"), PurchaseOrder.placed_at)
ORDER_SORTS = (
    Sort("placed", _l("Placed"), PurchaseOrder.placed_at),
    Sort("number", _l("Number"), PurchaseOrder.number),
    Sort("status", _l("Status"), PurchaseOrder.status),
    Sort("amount", _l("Amount"), PurchaseOrder.total_amount),
    Sort("due", _l("Delivery due"), PurchaseOrder.deliver_due_at),
    Sort("confirm_due", _l("Confirm by"), PurchaseOrder.confirm_due_at),
)

HOSPITAL_ORDERS = Listing(
    filters=(STATUS, SEARCH, DRUG, PLACED_FROM, PLACED_TO),
    sorts=ORDER_SORTS,
    default_sort="-placed",
    tiebreak=PurchaseOrder.id,
)
SUPPLIER_ORDERS = Listing(
    filters=(
        STATUS,
        SEARCH,
        DRUG,
        Text("hospital", _l("Hospital"), lambda q, v: q.where(queries.hospital_named(v))),
        Choice(
            "region",
            _l("Region"),
            _regions,
            lambda q, v: q.where(PurchaseOrder.province_code == v),
        ),
        PLACED_FROM,
        PLACED_TO,
    ),
    sorts=ORDER_SORTS,
    default_sort="-placed",
    tiebreak=PurchaseOrder.id,
)


def _state(query: Select, value: str) -> Select:
    if value == TO_RECEIVE:
        return query.where(Shipment.received_at.is_(None))
    if value == RECEIVED:
        return query.where(Shipment.received_at.is_not(None))
    return query.where(queries.shipment_has_rejections())


SHIPMENT_STATE = Choice(
    "state",
    _l("Receipt"),
    lambda: [
        (TO_RECEIVE, _l("Not yet received")),
        (RECEIVED, _l("Received")),
        (WITH_REJECTIONS, _l("With rejected quantities")),
    ],
    _state,
)
SHIPMENT_FILTERS = (
    SHIPMENT_STATE,
    Text(
        "q",
        _l("Shipment, order, batch or drug"),
        lambda q, v: q.where(queries.shipment_search(v)),
    ),
    DateFrom("from", _l("Shipped from"), Shipment.shipped_at),
    DateTo("to", _l("Shipped until"), Shipment.shipped_at),
)
SHIPMENT_SORTS = (
    Sort("shipped", _l("Shipped"), Shipment.shipped_at),
    Sort("number", _l("Number"), Shipment.number),
    Sort("received", _l("Received"), Shipment.received_at),
)
HOSPITAL_SHIPMENTS = Listing(
    filters=SHIPMENT_FILTERS,
    sorts=SHIPMENT_SORTS,
    default_sort="-shipped",
    tiebreak=Shipment.id,
)
SUPPLIER_SHIPMENTS = Listing(
    filters=(
        *SHIPMENT_FILTERS,
        Text("hospital", _l("Hospital"), lambda q, v: q.where(queries.hospital_named(v))),
    ),
    sorts=SHIPMENT_SORTS,
    default_sort="-shipped",
    tiebreak=Shipment.id,
)
