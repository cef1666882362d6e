"""API: shortage monitoring (RULES.md 14). Manufacturers send monthly reports and read their
duties; the regulator and the fund read shortages by level with their history; the regulator
activates a shortage's backup supplier. Its routes join the compliance blueprint."""

from __future__ import annotations

from flask.views import MethodView

from procurement.compliance.api import blp
from procurement.compliance.shortage import backup_services, services
from procurement.compliance.shortage import schemas as s
from procurement.web.auth import api_actor
from procurement.web.problems import ProblemSchema
from procurement.web.session import get_session, now


def _refusals(*pairs):
    def wrap(view):
        for status, text in pairs:
            view = blp.alt_response(
                status,
                schema=ProblemSchema,
                description=text,
                content_type="application/problem+json",
            )(view)
        return view

    return wrap


DENIED = ((401, "Not logged in."), (403, "Not allowed for this organization or role."))


@blp.route("/compliance/shortage-reports")
class ShortageReports(MethodView):
    @blp.response(200, s.ShortageReportSchema(many=True))
    @_refusals(*DENIED)
    def get(self):
        """Monthly shortage reports: a manufacturer's own, all for the regulator and fund."""
        return services.list_reports(get_session(), actor=api_actor())

    @blp.arguments(s.ShortageReportCreateSchema)
    @blp.response(201, s.ShortageReportSchema)
    @_refusals(*DENIED, (422, "Not your product, a month not over, or figures out of range."))
    def post(self, data):
        """Send a product's monthly shortage report (manufacturer); again replaces it."""
        return services.submit_report(
            get_session(), data=services.ReportInput(**data), now=now(), actor=api_actor()
        )


@blp.route("/compliance/shortage-duties")
class ShortageDuties(MethodView):
    @blp.response(200, s.DutiesSchema)
    @_refusals(*DENIED)
    def get(self):
        """The manufacturer's reports owed: this month's and every missing one."""
        return services.reporting_duties(get_session(), now=now(), actor=api_actor())


@blp.route("/compliance/shortages")
class Shortages(MethodView):
    @blp.arguments(s.ShortageArgs, location="query")
    @blp.response(200, s.ShortageSchema(many=True))
    @_refusals(*DENIED)
    def get(self, args):
        """Shortages (missing reports and short counties), highest level first."""
        return services.list_shortages(get_session(), actor=api_actor(), **args)


@blp.route("/compliance/shortages/<int:alert_id>")
class ShortageById(MethodView):
    @blp.response(200, s.ShortageCaseSchema)
    @_refusals(*DENIED, (404, "No such shortage, or not yours to see."))
    def get(self, alert_id):
        """One shortage: its level history, backup activation and the backup's orders."""
        return services.get_shortage(get_session(), alert_id=alert_id, actor=api_actor())


@blp.route("/compliance/shortages/<int:alert_id>/backup")
class ShortageBackup(MethodView):
    @blp.response(201, s.BackupActivationSchema)
    @_refusals(
        *DENIED,
        (404, "No such shortage."),
        (409, "Not an open county shortage, already active, no backup named, no buyer."),
    )
    def post(self, alert_id):
        """Activate the award's backup supplier for the shortage's region (regulator)."""
        return backup_services.activate_backup(
            get_session(), alert_id=alert_id, now=now(), actor=api_actor()
        )


@blp.route("/compliance/shortages/<int:alert_id>/backup/end")
class ShortageBackupEnd(MethodView):
    @blp.arguments(s.BackupEndSchema)
    @blp.response(200, s.BackupActivationSchema)
    @_refusals(
        *DENIED,
        (404, "No such shortage."),
        (409, "No backup supply is active for the shortage."),
        (422, "No reason, or one over 500 characters."),
    )
    def post(self, data, alert_id):
        """End the shortage's backup supply, with the reason (regulator): its contracts end."""
        return backup_services.end_backup(
            get_session(), alert_id=alert_id, reason=data["reason"], now=now(), actor=api_actor()
        )


@blp.route("/compliance/shortage-list")
class ShortageList(MethodView):
    @blp.response(200, s.ShortageListEntrySchema(many=True))
    @_refusals((401, "Not logged in."))
    def get(self):
        """The shortage-risk products: their manufacturers report monthly."""
        return services.shortage_risk_products(get_session(), actor=api_actor())

    @blp.arguments(s.ShortageListEntrySchema)
    @blp.response(201, s.ShortageListEntrySchema)
    @_refusals(*DENIED, (422, "No such product."))
    def post(self, data):
        """Put a product on the shortage-risk list (regulator)."""
        return services.list_shortage_risk_product(
            get_session(), product_id=data["product_id"], now=now(), actor=api_actor()
        )
