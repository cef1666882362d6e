"""API of the monthly reconciliation (对账) and invoices (两票制); routes on the settlement
blueprint (``settlement/api.py`` imports this module)."""

from __future__ import annotations

from flask.views import MethodView

from procurement.settlement import monthly_schemas as s
from procurement.settlement.api import blp
from procurement.settlement.services import invoices
from procurement.settlement.services import monthly_reconciliation as recon
from procurement.web.auth import api_actor
from procurement.web.session import get_session, now

ID = "int(max=9223372036854775807)"


@blp.route("/settlement/reconciliations")
class Reconciliations(MethodView):
    @blp.arguments(s.ReconciliationArgs, location="query")
    @blp.response(200, s.ReconciliationSummarySchema(many=True))
    def get(self, args):
        """Monthly reconciliations you may see (a hospital or manufacturer: its own; fund
        office and regulator: all), newest month first."""
        return recon.list_reconciliations(get_session(), actor=api_actor(), **args)


@blp.route("/settlement/reconciliations/held")
class ReconciliationsHeld(MethodView):
    @blp.response(200, s.HeldLineSchema(many=True))
    def get(self):
        """Reconciled lines a settlement run may not pay yet and why (``held_reason``:
        unconfirmed, disputed, mismatch, no_invoice, unscanned); fund office and regulator: all,
        a side: its own."""
        return recon.held_lines(get_session(), actor=api_actor())


@blp.route("/settlement/reconciliations/issue")
class ReconciliationsIssue(MethodView):
    @blp.arguments(s.IssueMonthInSchema)
    @blp.response(200, s.IssueMonthResultSchema)
    def post(self, data):
        """Issue a finished month's reconciliations not issued yet (fund office; idempotent)."""
        issued = recon.issue_month(get_session(), month=data["month"], now=now(), actor=api_actor())
        return {"issued": issued}


@blp.route("/settlement/reconciliations/close-due")
class ReconciliationsCloseDue(MethodView):
    @blp.response(200, s.CloseDueResultSchema)
    def post(self):
        """Confirm, as of their deadline, the open reconciliations whose deadline has passed
        and whose rules let silence confirm (fund office; idempotent)."""
        return {"confirmed": recon.close_due(get_session(), now=now(), actor=api_actor())}


@blp.route(f"/settlement/reconciliations/<{ID}:reconciliation_id>")
class ReconciliationById(MethodView):
    @blp.response(200, s.ReconciliationDetailSchema)
    def get(self, reconciliation_id):
        """A reconciliation with its lines, their disputes and why each is held."""
        return recon.get_reconciliation(
            get_session(), reconciliation_id=reconciliation_id, actor=api_actor()
        )


@blp.route(f"/settlement/reconciliations/<{ID}:reconciliation_id>/confirm")
class ReconciliationConfirm(MethodView):
    @blp.response(200, s.ReconciliationDetailSchema)
    def post(self, reconciliation_id):
        """Confirm your side (hospital or manufacturer) before the deadline."""
        return recon.confirm(
            get_session(), reconciliation_id=reconciliation_id, now=now(), actor=api_actor()
        )


@blp.route(f"/settlement/reconciliations/<{ID}:reconciliation_id>/lines/<{ID}:line_id>/dispute")
class ReconciliationLineDispute(MethodView):
    @blp.arguments(s.DisputeInSchema)
    @blp.response(200, s.ReconciliationLineSchema)
    def post(self, data, reconciliation_id, line_id):
        """Dispute one line with a reason (a side, before it confirms and the deadline)."""
        return recon.dispute_line(
            get_session(),
            reconciliation_id=reconciliation_id,
            line_id=line_id,
            reason=data["reason"],
            now=now(),
            actor=api_actor(),
        )


@blp.route(f"/settlement/reconciliations/<{ID}:reconciliation_id>/lines/<{ID}:line_id>/resolve")
class ReconciliationLineResolve(MethodView):
    @blp.arguments(s.ResolveInSchema)
    @blp.response(200, s.ReconciliationLineSchema)
    def post(self, data, reconciliation_id, line_id):
        """Resolve a disputed line: ``corrected`` (the manufacturer) or ``withdrawn`` (the
        side that disputed it)."""
        return recon.resolve_line(
            get_session(),
            reconciliation_id=reconciliation_id,
            line_id=line_id,
            now=now(),
            actor=api_actor(),
            **data,
        )


@blp.route("/settlement/invoices")
class Invoices(MethodView):
    @blp.arguments(s.InvoiceInSchema)
    @blp.response(201, s.InvoiceSchema)
    def post(self, data):
        """Record an invoice of your organization (manufacturer or distributor; 两票制)."""
        return invoices.record_invoice(get_session(), now=now(), actor=api_actor(), **data)

    @blp.response(200, s.InvoiceSchema(many=True))
    def get(self):
        """Invoices you issued or received (fund office and regulator: all)."""
        return invoices.list_invoices(get_session(), actor=api_actor())


@blp.route(f"/settlement/invoices/<{ID}:invoice_id>/void")
class InvoiceVoid(MethodView):
    @blp.response(200, s.InvoiceSchema)
    def post(self, invoice_id):
        """Void (红冲) one of your invoices, so that a corrected one can replace it."""
        return invoices.void_invoice(
            get_session(), invoice_id=invoice_id, now=now(), actor=api_actor()
        )
