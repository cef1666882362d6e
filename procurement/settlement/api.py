"""API: advances, payables, settlement runs and their payment files, overdue payables,
statements (JSON, CSV, XLSX), reconciliation and reversing transactions."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView

from procurement.jobs.api import ACCEPTED, accepted, outcome_link, queued
from procurement.jobs.schemas import JobSchema
from procurement.settlement import export, services
from procurement.settlement import schemas as s
from procurement.settlement.services.run_jobs import ask_run
from procurement.web.api import (
    CSV,
    IDEMPOTENCY_KEY_REQUIRED,
    LOCATION_HEADER,
    Blueprint,
    download_doc,
)
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now

blp = Blueprint("settlement", __name__, description="Advances, payables, runs and statements")
outcome_link("settlement_run", lambda job: f"/api/v1/settlement/runs/{job.outcome_id}")


def _download(content: bytes, filename: str, mimetype: str) -> Response:
    return Response(
        content,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.route("/settlement/advances")
class Advances(MethodView):
    @blp.arguments(s.SettlementAdvancesInSchema)
    @blp.response(201, s.SettlementAdvanceResultSchema)
    def post(self, data):
        """Pay a tender year's advances (fund office); hospitals already paid are skipped."""
        return services.run_advances(get_session(), now=now(), actor=api_actor(), **data)

    @blp.arguments(s.SettlementAdvanceArgs, location="query")
    @blp.response(200, s.SettlementAdvanceSchema(many=True))
    def get(self, args):
        """Advances paid (fund office and regulator: all; a hospital: its own)."""
        return services.list_advances(get_session(), actor=api_actor(), **args)


@blp.route("/settlement/payables")
class Payables(MethodView):
    @blp.arguments(s.PayableArgs, location="query")
    @blp.response(200, s.PayableSchema(many=True))
    def get(self, args):
        """Payables you may see, by status (unpaid, paid, overdue), party and acceptance date."""
        return services.list_payables(get_session(), actor=api_actor(), now=now(), **args)


@blp.route("/settlement/payables/accrue")
class PayablesAccrue(MethodView):
    @blp.response(200, s.AccrualSchema)
    def post(self):
        """Accrue the payables of accepted receipt lines that have none (fund office)."""
        return services.accrue_payables(get_session(), now=now(), actor=api_actor())


RUN_AGAIN = "The same Idempotency-Key again: the run it started (resumed if it was interrupted)."


@blp.route("/settlement/runs")
class Runs(MethodView):
    @blp.arguments(s.SettlementRunInSchema)
    @blp.response(201, s.SettlementRunDetailSchema, headers=LOCATION_HEADER)
    @blp.alt_response(200, schema=s.SettlementRunDetailSchema, description=RUN_AGAIN)
    @blp.alt_response(202, schema=JobSchema, headers=LOCATION_HEADER, description=ACCEPTED)
    @blp.doc(parameters=[IDEMPOTENCY_KEY_REQUIRED])
    def post(self, data):
        """Start a settlement run for a cut-off date (fund office). The Idempotency-Key header is
        required: the same key resumes an interrupted run or returns the finished one (200).
        With a job queue configured it is a job: 202, the job (progress: batches paid)."""
        key = request.headers.get("Idempotency-Key", "")
        if queued():
            return accepted(
                ask_run(get_session(), idempotency_key=key, now=now(), actor=api_actor(), **data)
            )
        run = services.start_run(
            get_session(),
            idempotency_key=key,
            now=now(),
            actor=api_actor(),
            **data,
        )
        return run, 200 if run.replayed else 201, {"Location": f"/api/v1/settlement/runs/{run.id}"}

    @blp.response(200, s.SettlementRunSchema(many=True))
    def get(self):
        """Settlement runs, newest first (fund office, regulator)."""
        return services.list_runs(get_session(), actor=api_actor())


@blp.route("/settlement/runs/<int(max=9223372036854775807):run_id>")
class RunById(MethodView):
    @blp.response(200, s.SettlementRunDetailSchema)
    def get(self, run_id):
        """A run's status and progress (batches done of total, payables, amount, payments)."""
        return services.get_run(get_session(), run_id=run_id, actor=api_actor())


@blp.route("/settlement/runs/<int(max=9223372036854775807):run_id>/payment-file")
class RunPaymentFile(MethodView):
    @blp.doc(**download_doc(CSV))
    def get(self, run_id):
        """The bank's payment file of a completed run (CSV, fund office)."""
        name, content = services.payment_file(get_session(), run_id=run_id, actor=api_actor())
        return _download(content, name, "text/csv")


@blp.route("/settlement/overdue")
class Overdue(MethodView):
    @blp.response(200, s.OverdueSchema(many=True))
    def get(self):
        """Unpaid payables past due with their days overdue (fund, regulator: all; a
        manufacturer or hospital: its own)."""
        return services.overdue_payables(get_session(), now=now(), actor=api_actor())


@blp.route("/settlement/statements")
class Statements(MethodView):
    @blp.arguments(s.StatementArgs, location="query")
    @blp.response(200, s.StatementSchema)
    @blp.doc(**download_doc(CSV, export.XLSX_MIMETYPE))
    def get(self, args):
        """A manufacturer's or hospital's statement for a period, as JSON, CSV or XLSX."""
        fmt = args.pop("format")
        result = services.statement(get_session(), now=now(), actor=api_actor(), **args)
        name = f"statement-{result.party_code}-{result.period_from}-{result.period_to}"
        if fmt == "csv":
            return _download(export.statement_csv(result), f"{name}.csv", "text/csv")
        if fmt == "xlsx":
            return _download(export.statement_xlsx(result), f"{name}.xlsx", export.XLSX_MIMETYPE)
        return result


@blp.route("/settlement/reconciliation")
class Reconciliation(MethodView):
    @blp.response(200, s.ReconciliationSchema)
    def get(self):
        """Reconciliation: balanced transactions, payments = paid payables, and every payable
        backed by an accepted receipt line of the same amount (fund office, regulator)."""
        return services.reconcile(get_session(), actor=api_actor())


@blp.route("/settlement/transactions/<int(max=9223372036854775807):transaction_id>/reverse")
class TransactionReverse(MethodView):
    @blp.arguments(s.ReverseInSchema)
    @blp.response(201, s.LedgerTransactionSchema)
    def post(self, data, transaction_id):
        """Correct a ledger transaction by a reversing one (fund office); a reversed payment's
        payables are paid again by the next run."""
        return services.reverse_transaction(
            get_session(),
            transaction_id=transaction_id,
            reason=data["reason"],
            now=now(),
            actor=api_actor(),
        )


# The monthly reconciliation and invoices add their routes to this blueprint.
from procurement.settlement import monthly_api  # noqa: E402,F401
