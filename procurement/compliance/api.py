"""API: progress, alerts and escalation, year-end, supplier credit, OCDS export, red flags."""

from __future__ import annotations

from flask import Response, current_app
from flask.views import MethodView

from procurement.auth.models import OrgKind
from procurement.compliance import export, services
from procurement.compliance import ocds_export as ocds
from procurement.compliance import ocds_feed_queries as feed
from procurement.compliance import ocds_records_queries as records
from procurement.compliance import schemas as s
from procurement.compliance.export_job_services import ask_progress_export
from procurement.compliance.job_services import ask_compliance_check, ask_year_end
from procurement.compliance.ocds_feed import Publisher
from procurement.compliance.ocds_schemas import (
    FeedArgs,
    RecordPackageSchema,
    ReleasePackageSchema,
)
from procurement.compliance.online_rate import schemas as rate_schemas
from procurement.compliance.online_rate.services import filters_of as rate_filters_of
from procurement.compliance.progress.queries import Filters
from procurement.compliance.redflags import schemas as rfs
from procurement.compliance.redflags import services as redflags
from procurement.compliance.yearend.report_services import with_arithmetic
from procurement.core import limits
from procurement.jobs.api import ACCEPTED, accepted, outcome_link, queued
from procurement.jobs.schemas import JobSchema
from procurement.web.api import CSV, LOCATION_HEADER, Blueprint, download_doc, exact_json
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now
from procurement.web.tabular_export import XLSX_MIMETYPE

blp = Blueprint(
    "compliance", __name__, description="Compliance: progress, alerts, year-end, credit"
)
YEAR_END_REPORT = "/api/v1/compliance/year-end?tender_id={tender_id}&contract_year={contract_year}"
outcome_link("year_end_run", lambda job: YEAR_END_REPORT.format(**job.args))


def filters_of(args: dict) -> Filters:
    return Filters(
        tender_id=args["tender"],
        contract_year=args["year"],
        lot_id=args["lot"],
        region_code=args["region"],
        hospital_id=args["hospital"],
        manufacturer_id=args["manufacturer"],
        institution_type=args.get("institution_type"),
    )


@blp.route("/compliance/progress")
class Progress(MethodView):
    @blp.arguments(s.ProgressArgs, location="query")
    @blp.response(200, s.ProgressSchema)
    @blp.doc(**download_doc(CSV, XLSX_MIMETYPE))
    @blp.alt_response(202, schema=JobSchema, headers=LOCATION_HEADER, description=ACCEPTED)
    def get(self, args):
        """Progress per group: agreed, accepted, completion, time progress, status, shares.
        A CSV/XLSX of more than INLINE_EXPORT_LINES rows with a job queue configured is made
        by a job: 202, the job (its file: ``links.file``)."""
        filters = filters_of(args)
        report = services.progress_report(
            get_session(), filters=filters, group_by=args["group_by"], now=now(), actor=api_actor()
        )
        fmt = args["format"]
        if fmt != "json" and len(report.rows) > limits.INLINE_EXPORT_LINES and queued():
            job = ask_progress_export(
                get_session(),
                filters=filters,
                group_by=args["group_by"],
                fmt=fmt,
                actor=api_actor(),
            )
            return accepted(job)
        if args["format"] != "json":
            return export.table_response(
                "progress",
                export.PROGRESS_HEADER,
                export.progress_rows(report.rows),
                args["format"],
            )
        return report


@blp.route("/compliance/alerts")
class Alerts(MethodView):
    @blp.arguments(s.AlertArgs, location="query")
    @blp.response(200, s.AlertSchema(many=True))
    def get(self, args):
        """Alerts (regulator and fund: all; others: their own)."""
        return services.list_alerts(get_session(), actor=api_actor(), **args)


@blp.route("/compliance/alerts/check")
class AlertCheck(MethodView):
    @blp.response(200, s.EvaluationSchema)
    @blp.alt_response(202, schema=JobSchema, headers=LOCATION_HEADER, description=ACCEPTED)
    def post(self):
        """Raise new alerts and resolve cleared ones as of now (regulator). With a job queue
        configured the whole compliance check (credit events, alerts, the dashboard rollup) is
        a job: 202, the job."""
        if queued():
            actor = api_actor()
            actor.require(OrgKind.REGULATOR, action="run the compliance check")
            return accepted(ask_compliance_check(get_session(), actor=actor))
        return services.evaluate_alerts(get_session(), now=now(), actor=api_actor())


@blp.route("/compliance/alerts/<int:alert_id>")
class AlertById(MethodView):
    @blp.response(200, s.AlertSchema)
    def get(self, alert_id):
        """One alert with its escalations and responses."""
        return services.get_alert(get_session(), alert_id=alert_id, actor=api_actor())


@blp.route("/compliance/alerts/<int:alert_id>/escalate")
class AlertEscalate(MethodView):
    @blp.arguments(s.AlertNoteSchema)
    @blp.response(200, s.AlertSchema)
    def post(self, data, alert_id):
        """Escalate one step: reminder -> public notice -> summons (regulator)."""
        return services.escalate_alert(
            get_session(), alert_id=alert_id, note=data["note"], now=now(), actor=api_actor()
        )


@blp.route("/compliance/alerts/<int:alert_id>/respond")
class AlertRespond(MethodView):
    @blp.arguments(s.AlertNoteSchema)
    @blp.response(201, s.AlertResponseSchema)
    def post(self, data, alert_id):
        """Answer an alert (its subject organization)."""
        return services.respond_to_alert(
            get_session(), alert_id=alert_id, note=data["note"], now=now(), actor=api_actor()
        )


@blp.route("/compliance/alerts/<int:alert_id>/resolve")
class AlertResolve(MethodView):
    @blp.arguments(s.AlertCloseSchema)
    @blp.response(200, s.AlertSchema)
    def post(self, data, alert_id):
        """Close an alert case by hand with a note saying why (regulator)."""
        return services.resolve_alert(
            get_session(), alert_id=alert_id, note=data["note"], now=now(), actor=api_actor()
        )


@blp.route("/compliance/year-end")
class YearEnd(MethodView):
    @blp.arguments(s.YearEndQueryArgs, location="query")
    @blp.response(200, s.YearEndSchema)
    @blp.doc(**download_doc(CSV, XLSX_MIMETYPE))
    def get(self, args):
        """The year-end report (a hospital: its own result), JSON, CSV or XLSX."""
        fmt = args.pop("format")
        run, results = services.get_year_end(get_session(), actor=api_actor(), **args)
        if fmt != "json":
            return export.table_response(
                "year-end", export.YEAR_END_HEADER, export.year_end_rows(results), fmt
            )
        return {
            **{k: getattr(run, k) for k in s.YearEndSchema().fields if k != "results"},
            "results": with_arithmetic(run, results),
        }

    @blp.arguments(s.YearEndRunArgs)
    @blp.response(200, s.YearEndSchema)
    @blp.alt_response(202, schema=JobSchema, headers=LOCATION_HEADER, description=ACCEPTED)
    def post(self, args):
        """Run the year-end check of a contract year (regulator; a re-run posts nothing).
        With a job queue configured it is a job: 202, the job (progress: hospitals checked)."""
        if queued():
            return accepted(ask_year_end(get_session(), now=now(), actor=api_actor(), **args))
        run = services.run_year_end(get_session(), now=now(), actor=api_actor(), **args)
        return {
            **{k: getattr(run, k) for k in s.YearEndSchema().fields if k != "results"},
            "results": with_arithmetic(run, list(run.results)),
        }


@blp.route("/credit")
class Credit(MethodView):
    @blp.response(200, s.CreditSchema)
    def get(self):
        """Credit events and levels (a manufacturer: its own)."""
        session, actor = get_session(), api_actor()
        return {
            "events": services.list_credit_events(session, actor=actor),
            "levels": services.credit_levels(session, now=now(), actor=actor),
        }


@blp.route("/credit/events")
class CreditEvents(MethodView):
    @blp.arguments(s.CreditEventInSchema)
    @blp.response(201, s.CreditEventSchema)
    def post(self, data):
        """Record a failure orders cannot see: region unsupplied, win given up (regulator)."""
        return services.record_credit_event(get_session(), now=now(), actor=api_actor(), **data)


@blp.route("/credit/events/<int:event_id>/appeal")
class CreditAppeal(MethodView):
    @blp.arguments(s.CreditAppealInSchema)
    @blp.response(201, s.CreditAppealSchema)
    def post(self, data, event_id):
        """Appeal one of your credit events (manufacturer)."""
        return services.appeal_credit_event(
            get_session(), event_id=event_id, reason=data["reason"], now=now(), actor=api_actor()
        )


@blp.route("/credit/appeals/<int:appeal_id>/decide")
class CreditDecide(MethodView):
    @blp.arguments(s.CreditDecisionInSchema)
    @blp.response(200, s.CreditAppealSchema)
    def post(self, data, appeal_id):
        """Uphold or overturn an appeal (regulator); an overturned event stops counting."""
        return services.decide_appeal(
            get_session(), appeal_id=appeal_id, now=now(), actor=api_actor(), **data
        )


@blp.route("/credit/repairs")
class CreditRepairs(MethodView):
    @blp.arguments(s.CreditRepairInSchema)
    @blp.response(201, s.CreditRepairSchema)
    def post(self, data):
        """Repair a manufacturer's credit after remediation (regulator), with a record."""
        return services.repair_credit(get_session(), now=now(), actor=api_actor(), **data)


OCDS_PACKAGE = {
    "type": "object",
    "description": "An OCDS release package (its schema: standard.open-contracting.org)",
    "required": ["uri", "publishedDate", "releases"],
}


@blp.route("/tenders/<int:tender_id>/ocds")
class TenderOcds(MethodView):
    @blp.response(200, OCDS_PACKAGE)
    @blp.doc(security=[{}, {"bearerAuth": []}])
    def get(self, tender_id):
        """The tender as an OCDS 1.1.5 release package (public once awarded)."""
        return exact_json(
            ocds.release_package(
                get_session(),
                tender_id=tender_id,
                actor=api_actor(optional=True),
                now=now(),
                publisher=Publisher.from_config(current_app.config),
            )
        )


NO_RELEASE_YET = "No release (yet): an OCDS package holds one at least. Ask again later."


def ocds_response(package):
    """An OCDS package with its exact numbers, or 204 when there is none."""
    return Response(status=204) if package is None else exact_json(package)


@blp.route("/tenders/<int:tender_id>/ocds/records")
class TenderOcdsRecords(MethodView):
    @blp.doc(security=[])
    @blp.response(200, RecordPackageSchema)
    @blp.alt_response(204, description=NO_RELEASE_YET)
    def get(self, tender_id):
        """A published tender as an OCDS record package: a record per lot with its releases."""
        return ocds_response(
            records.record_package(
                get_session(),
                tender_id=tender_id,
                now=now(),
                publisher=Publisher.from_config(current_app.config),
            )
        )


@blp.route("/ocds/releases")
class OcdsReleases(MethodView):
    @blp.doc(security=[])
    @blp.arguments(FeedArgs, location="query")
    @blp.response(200, ReleasePackageSchema)
    @blp.alt_response(204, description=NO_RELEASE_YET)
    def get(self, args):
        """The OCDS change feed: every published change as a release, oldest first (public).

        ``since`` starts at a time; ``links.next`` continues after the page's last release.
        No release (yet) after it: 204, poll the same link again later."""
        return ocds_response(
            feed.feed_package(
                get_session(),
                since=args.get("since"),
                cursor=args.get("cursor"),
                limit=args["limit"],
                now=now(),
                publisher=Publisher.from_config(current_app.config),
            )
        )


@blp.route("/tenders/<int:tender_id>/red-flags")
class TenderRedFlags(MethodView):
    @blp.response(200, rfs.RedFlagReportSchema)
    def get(self, tender_id):
        """An opened tender's red flags (OCDS Cardinal's and VBP's), per lot and bidder, with
        the reason of each (regulator and fund)."""
        return redflags.red_flags(get_session(), tender_id=tender_id, actor=api_actor(), now=now())


from procurement.compliance.prices import api as _prices  # noqa: E402, F401  (its routes)
from procurement.compliance.shortage import api as _shortage  # noqa: E402, F401  (its routes)
from procurement.compliance.supply_risk import api as _supply_risk  # noqa: E402, F401  (its routes)


@blp.route("/compliance/online-rate")
class OnlineRate(MethodView):
    @blp.arguments(rate_schemas.OnlineRateArgs, location="query")
    @blp.response(200, rate_schemas.OnlineRateSchema)
    def get(self, args):
        """The online procurement rate (网采率): value bought through the platform (accepted at
        receipt) against value reported off-platform, and their rate, per ``level``
        (institution, county, city, province); months default to this year's up to this one.
        Regulator and fund office: every buyer; a buyer: its own (a medical community: its
        members')."""
        filters = rate_filters_of(args, now())
        return services.online_rate(get_session(), filters=filters, actor=api_actor())
