"""API: what-if rules simulations (regulator only): run on a tender or an uploaded file, list,
read, re-run, export."""

from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView

from procurement.simulation import services
from procurement.simulation.schemas import (
    ExportArgs,
    SimulationSchema,
    SimulationStartSchema,
    SimulationSummarySchema,
    UploadFileSchema,
    UploadFormSchema,
)
from procurement.web.api import Blueprint
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now

blp = Blueprint("simulation", __name__, description="What-if rules simulations (政策仿真)")


def workers() -> int:
    return int(current_app.config.get("AWARD_WORKERS", 1))


@blp.route("/tenders/<int:tender_id>/simulations")
class TenderSimulations(MethodView):
    @blp.response(200, SimulationSummarySchema(many=True))
    def get(self, tender_id):
        """A tender's kept simulations, newest first (its regulator)."""
        return services.list_simulations(get_session(), actor=api_actor(), tender_id=tender_id)

    @blp.arguments(SimulationStartSchema)
    @blp.response(201, SimulationSchema)
    def post(self, data, tender_id):
        """Simulate rule variants on an opened tender beside its own rules; nothing changes."""
        simulation = services.simulate_tender(
            get_session(),
            tender_id=tender_id,
            now=now(),
            actor=api_actor(),
            workers=workers(),
            **data,
        )
        return services.view(get_session(), simulation)


@blp.route("/simulations")
class UploadSimulations(MethodView):
    @blp.response(200, SimulationSummarySchema(many=True))
    def get(self):
        """The organization's kept simulations of uploaded files, newest first."""
        return services.list_simulations(get_session(), actor=api_actor())

    @blp.arguments(UploadFileSchema, location="files")
    @blp.arguments(UploadFormSchema, location="form")
    @blp.response(201, SimulationSchema)
    def post(self, files, form):
        """Simulate rule variants on a CSV/XLSX file of historical bids (bids export columns)."""
        upload = files["file"]
        simulation = services.simulate_upload(
            get_session(),
            filename=upload.filename or "upload",
            content=upload.read(),
            variants=form["variants"],
            now=now(),
            actor=api_actor(),
            workers=workers(),
        )
        return services.view(get_session(), simulation)


@blp.route("/simulations/<int:simulation_id>")
class SimulationById(MethodView):
    @blp.response(200, SimulationSchema)
    def get(self, simulation_id):
        """A kept simulation: per lot x variant and totals; whether its inputs changed since."""
        session = get_session()
        simulation = services.get_simulation(
            session, simulation_id=simulation_id, actor=api_actor()
        )
        return services.view(session, simulation)


@blp.route("/simulations/<int:simulation_id>/rerun")
class SimulationRerun(MethodView):
    @blp.response(201, SimulationSchema)
    def post(self, simulation_id):
        """Run a kept simulation's variants again on today's inputs (a new simulation)."""
        session = get_session()
        simulation = services.rerun_simulation(
            session, simulation_id=simulation_id, now=now(), actor=api_actor(), workers=workers()
        )
        return services.view(session, simulation)


@blp.route("/simulations/<int:simulation_id>/export")
class SimulationExport(MethodView):
    @blp.arguments(ExportArgs, location="query")
    def get(self, args, simulation_id):
        """The comparison as CSV or XLSX: a row per lot and variant, then each variant's totals."""
        body, mimetype, name = services.export(
            get_session(), simulation_id=simulation_id, fmt=args["format"], actor=api_actor()
        )
        response = Response(body, mimetype=mimetype)
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
