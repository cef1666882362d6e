"""Pages of the compliance area: the regulator's dashboard (its portal home) with drill-down
tables and exports, alerts and escalation, credit and year-end; the hospital's and the
manufacturer's own pages. Each subpackage's ``pages`` adds its views to one blueprint."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from procurement.auth.models import OrgKind
from procurement.compliance.alerts import pages as _alerts  # noqa: F401
from procurement.compliance.common_pages import bp
from procurement.compliance.credit import pages as _credit  # noqa: F401
from procurement.compliance.dashboard import pages as _dashboard  # noqa: F401
from procurement.compliance.online_rate import pages as _online_rate  # noqa: F401
from procurement.compliance.prices import pages as _prices  # noqa: F401
from procurement.compliance.progress import pages as _progress  # noqa: F401
from procurement.compliance.redflags import pages as _redflags  # noqa: F401
from procurement.compliance.shortage import pages as _shortage  # noqa: F401
from procurement.compliance.supply_risk import pages as _supply_risk  # noqa: F401
from procurement.compliance.yearend import pages as _yearend  # noqa: F401
from procurement.web.pages import add_nav, set_portal_home

__all__ = ["bp"]

add_nav(OrgKind.REGULATOR, _l("Compliance"), "compliance_pages.dashboard", order=5)
add_nav(OrgKind.REGULATOR, _l("Alerts"), "compliance_pages.alerts", order=80)
add_nav(OrgKind.REGULATOR, _l("Credit"), "compliance_pages.credit", order=85)
add_nav(OrgKind.REGULATOR, _l("Year end"), "compliance_pages.year_end", order=90)
add_nav(OrgKind.REGULATOR, _l("Online rate"), "compliance_pages.online_rate", order=92)
add_nav(OrgKind.HOSPITAL, _l("Progress"), "compliance_pages.hospital_own", order=60)
add_nav(
    OrgKind.MANUFACTURER, _l("Progress and credit"), "compliance_pages.manufacturer_own", order=60
)
set_portal_home(OrgKind.REGULATOR, "compliance_pages.dashboard")
