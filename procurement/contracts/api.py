"""API: confirm an award run into contracts, put them in force, read and explain them."""

from __future__ import annotations

from flask.views import MethodView

from procurement.contracts import services
from procurement.contracts.schemas import (
    ConfirmationSchema,
    ContractArgs,
    ContractSchema,
    ExplanationSchema,
    InForceSchema,
)
from procurement.web.api import Blueprint
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now

blp = Blueprint("contracts", __name__, description="Contracts: confirmation, in force, reading")


@blp.route("/award-runs/<int:run_id>/confirm")
class AwardRunConfirm(MethodView):
    @blp.response(200, ConfirmationSchema)
    def post(self, run_id):
        """Confirm an award run: writes the draft contracts and awards the tender (409 twice)."""
        return services.confirm_award_run(
            get_session(), run_id=run_id, now=now(), actor=api_actor()
        )


@blp.route("/tenders/<int:tender_id>/in-force")
class TenderInForce(MethodView):
    @blp.response(200, InForceSchema)
    def post(self, tender_id):
        """Put an awarded tender in force: its draft contracts become active."""
        contracts = services.put_in_force(
            get_session(), tender_id=tender_id, now=now(), actor=api_actor()
        )
        return {"tender_id": tender_id, "status": "in_force", "activated": len(contracts)}


@blp.route("/contracts")
class Contracts(MethodView):
    @blp.arguments(ContractArgs, location="query")
    @blp.response(200, ContractSchema(many=True))
    def get(self, args):
        """Contracts you may see (hospital, manufacturer: own; regulator, fund: all)."""
        return services.list_contracts(get_session(), actor=api_actor(), **args)


@blp.route("/contracts/<int:contract_id>")
class ContractById(MethodView):
    @blp.response(200, ContractSchema)
    def get(self, contract_id):
        """One contract (404 when it is not yours to see)."""
        contract = services.get_contract(get_session(), contract_id=contract_id, actor=api_actor())
        return contract, 200, {"ETag": f'"{contract.version}"'}


@blp.route("/contracts/<int:contract_id>/explanation")
class ContractExplanation(MethodView):
    @blp.response(200, ExplanationSchema)
    def get(self, contract_id):
        """Why this supplier: the allocation reason, binding constraint, winners' prices."""
        return services.contract_explanation(
            get_session(), contract_id=contract_id, actor=api_actor()
        )
