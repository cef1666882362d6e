"""API: award runs (start, list, read, compare), public results and bid outcomes."""

from __future__ import annotations

from flask import current_app
from flask.views import MethodView

from procurement.award import services
from procurement.award.schemas import (
    ComparisonSchema,
    OutcomeArgs,
    OutcomeSchema,
    PublicResultsSchema,
    RunDetailSchema,
    RunSchema,
    RunStartSchema,
)
from procurement.jobs.api import ACCEPTED, accepted, outcome_link, queued
from procurement.jobs.schemas import JobSchema
from procurement.web.api import LOCATION_HEADER, Blueprint
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now

blp = Blueprint("award", __name__, description="Award runs, public results, bid outcomes")
outcome_link("award_run", lambda job: f"/api/v1/award-runs/{job.outcome_id}")


def workers() -> int:
    return int(current_app.config.get("AWARD_WORKERS", 1))


@blp.route("/tenders/<int:tender_id>/award-runs")
class AwardRuns(MethodView):
    @blp.response(200, RunSchema(many=True))
    def get(self, tender_id):
        """A tender's award runs, newest first (its regulator)."""
        return services.list_award_runs(get_session(), tender_id=tender_id, actor=api_actor())

    @blp.arguments(RunStartSchema)
    @blp.response(201, RunDetailSchema)
    @blp.alt_response(202, schema=JobSchema, headers=LOCATION_HEADER, description=ACCEPTED)
    def post(self, data, tender_id):
        """Start an award run (selection, volumes, allocation); infeasible lots are results.
        With a job queue configured it is a job: 202, the job (progress: lots solved)."""
        if queued():
            return accepted(
                services.ask_award_run(
                    get_session(),
                    tender_id=tender_id,
                    options=services.RunOptions(**data),
                    actor=api_actor(),
                )
            )
        return services.start_award_run(
            get_session(),
            tender_id=tender_id,
            options=services.RunOptions(**data),
            workers=workers(),
            now=now(),
            actor=api_actor(),
        )


@blp.route("/award-runs/<int:run_id>")
class AwardRunById(MethodView):
    @blp.response(200, RunDetailSchema)
    def get(self, run_id):
        """One award run with its per-lot results, outcomes and allocations (its regulator)."""
        return services.get_award_run(get_session(), run_id=run_id, actor=api_actor())


@blp.route("/award-runs/<int:run_id>/compare/<int:other_id>")
class AwardRunCompare(MethodView):
    @blp.response(200, ComparisonSchema)
    def get(self, run_id, other_id):
        """Compare two runs of a tender: per lot status, winners, objective, allocations."""
        return services.compare_award_runs(
            get_session(), run_id=run_id, other_id=other_id, actor=api_actor()
        )


@blp.route("/tenders/<int:tender_id>/results")
class TenderResults(MethodView):
    @blp.response(200, PublicResultsSchema)
    def get(self, tender_id):
        """Published results (no login needed, once awarded): winners, prices, savings."""
        return services.public_results(get_session(), tender_id=tender_id)


@blp.route("/tenders/<int:tender_id>/outcomes")
class TenderOutcomes(MethodView):
    @blp.arguments(OutcomeArgs, location="query")
    @blp.response(200, OutcomeSchema(many=True))
    def get(self, args, tender_id):
        """Bid outcomes with reasons: your own (manufacturer), every bid's (its regulator)."""
        return services.tender_outcomes(
            get_session(), tender_id=tender_id, actor=api_actor(), run_id=args["run_id"]
        )
