"""API: supply risk of an awarded tender and of one lot (regulator and fund). Its routes join
the compliance blueprint (``compliance/api.py`` imports this module)."""

from __future__ import annotations

from flask.views import MethodView

from procurement.compliance.api import blp
from procurement.compliance.supply_risk import schemas as s
from procurement.compliance.supply_risk import services
from procurement.web.auth import api_actor
from procurement.web.problems import ProblemSchema
from procurement.web.session import get_session, now

REFUSALS = (
    (401, "Not logged in."),
    (403, "Not the regulator or the fund."),
    (404, "No such tender or lot."),
    (409, "The award has no contracts yet."),
)


def _refusals(view):
    for status, text in REFUSALS:
        view = blp.alt_response(
            status, schema=ProblemSchema, description=text, content_type="application/problem+json"
        )(view)
    return view


@blp.route("/tenders/<int:tender_id>/supply-risk")
class TenderSupplyRisk(MethodView):
    @blp.response(200, s.TenderSupplyRiskSchema)
    @_refusals
    def get(self, tender_id):
        """Supply risk per lot and region: concentration (HHI 0-10,000), backups, headroom,
        late-delivery trends and a score with its reasons, riskiest lot first."""
        return services.tender_supply_risk(
            get_session(), tender_id=tender_id, actor=api_actor(), now=now()
        )


@blp.route("/lots/<int:lot_id>/supply-risk")
class LotSupplyRisk(MethodView):
    @blp.response(200, s.LotSupplyRiskSchema)
    @_refusals
    def get(self, lot_id):
        """One lot's supply risk: regions x winners with shares, backup and spare capacity,
        each winner's headroom and monthly late-delivery rate."""
        return services.lot_supply_risk(get_session(), lot_id=lot_id, actor=api_actor(), now=now())
