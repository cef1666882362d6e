"""The hospital's and the supplier's home: a to-do list, each item a count linking to the
filtered list. Also gives the order pages the settlement area's payables (orders may not
import settlement)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from procurement.auth.models import OrgKind
from procurement.core.clock import business_date
from procurement.orders.pages import payables_from
from procurement.portal import queries as todos
from procurement.settlement.models import Payable
from procurement.web.auth import page_actor, portal_required
from procurement.web.pages import add_nav, set_portal_home
from procurement.web.session import get_session, now

bp = Blueprint("portal_pages", __name__, template_folder="templates")

add_nav(OrgKind.HOSPITAL, _l("To do"), "portal_pages.hospital_home", order=1)
for _kind in (OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR):
    add_nav(_kind, _l("To do"), "portal_pages.supplier_home", order=1)
set_portal_home(OrgKind.HOSPITAL, "portal_pages.hospital_home")
set_portal_home(OrgKind.MANUFACTURER, "portal_pages.supplier_home")
set_portal_home(OrgKind.DISTRIBUTOR, "portal_pages.supplier_home")


def _payables(session, receipt_line_ids: list[int]):
    if not receipt_line_ids:
        return {}
    rows = session.scalars(select(Payable).where(Payable.id.in_(receipt_line_ids)))
    return {row.id: row for row in rows}


payables_from(_payables)


@bp.get("/hospital")
@portal_required(OrgKind.HOSPITAL)
def hospital_home():
    """What waits for the hospital: deliveries to receive, pending orders, demand reports
    due, alerts to answer, contracts behind their expected progress."""
    moment = now()
    items = todos.hospital(get_session(), page_actor(), moment, business_date(moment))
    return render_template("portal/home.html", items=items, side="hospital")


@bp.get("/supplier")
@portal_required(OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR)
def supplier_home():
    """What waits for the supplier: orders to confirm and to ship (most urgent first), lines
    rejected at receipt, payments received."""
    moment = now()
    items = todos.supplier(get_session(), page_actor(), moment, business_date(moment))
    return render_template("portal/home.html", items=items, side="supplier", now=moment)
