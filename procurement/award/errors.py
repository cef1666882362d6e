"""The problems the award area refuses requests with: one class per problem type, raised
and caught by type (codes, titles and detail templates; see ``core/errors.py``)."""

from __future__ import annotations

from procurement.catalog.errors import DemandNotConfirmed
from procurement.core.errors import N_, Conflict, NotFound, ValidationFailed


class AwardRunNotValid(ValidationFailed):
    when = N_("An award run is started with options that are not valid.")
    template = N_("The award run was not started: {shown}.")


class LotsDemandNotConfirmed(DemandNotConfirmed):
    when = N_("An award run starts while the demand of some lots is not confirmed.")
    template = N_(
        "The demand of lot(s) {lots_shown} of tender {tender_code} is not "
        "confirmed; confirm the demand before running the award."
    )


class ResultsNotPublished(Conflict):
    code = "results-not-published"
    title = N_("Results not published")
    when = N_("The results of a tender are asked for before its award is confirmed.")
    template = N_(
        "The results of tender {tender_code} are published once its award is "
        "confirmed; it is '{current_status}'."
    )


class OutcomesNotPublished(ResultsNotPublished):
    when = N_("The per-bid outcomes of a tender are asked for before its award is confirmed.")
    template = N_("The outcomes of tender {tender_code} are published when its award is confirmed.")


class AwardRunNotFound(NotFound):
    code = "award-run-not-found"
    title = N_("Award run not found")
    when = N_("No award run has that id (for that tender).")
    template = N_("No award run with id {run_id}.")


class TenderNotOpened(Conflict):
    code = "tender-not-opened"
    title = N_("Tender not opened")
    when = N_("An award run starts on a tender whose bids are not opened (or already awarded).")
    template = N_(
        "Tender {tender_code} is '{current_status}'; the award runs once the bids are opened."
    )


class TenderAlreadyAwarded(TenderNotOpened):
    when = N_("An award run starts on a tender whose award is confirmed already.")
    template = N_(
        "Tender {tender_code} is already '{current_status}': an award run was confirmed, so no "
        "new run can be started."
    )


class RunsOfDifferentTenders(Conflict):
    code = "runs-of-different-tenders"
    title = N_("Runs of different tenders")
    when = N_("Two award runs of different tenders are compared.")
    template = N_(
        "Runs {run_id} and {other_id} belong to different tenders; compare runs of one tender."
    )


class CostBreakdownDue(Conflict):
    code = "cost-breakdown-due"
    title = N_("Cost breakdowns still due")
    when = N_("An award run is confirmed while a winning bid's cost breakdown is still due.")
    template = N_(
        "Award run {run_number} of tender {tender_code} cannot be confirmed yet: the cost "
        "breakdown of winning bid(s) {bids_shown} is due by {due}; confirm after it is filed or "
        "after the deadline (then start a new run)."
    )


class CostDisclosureRunOutdated(Conflict):
    code = "cost-disclosure-run-outdated"
    title = N_("Award run predates a cost breakdown deadline")
    when = N_(
        "An award run is confirmed after a cost breakdown deadline passed with the breakdown "
        "missing, but the run still counts that win."
    )
    template = N_(
        "The cost breakdown of winning bid(s) {bids_shown} was not filed by {due}, which voids "
        "the win; award run {run_number} was computed before that: start a new run and confirm "
        "that one."
    )
