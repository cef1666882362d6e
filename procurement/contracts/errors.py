"""The problems the contracts area refuses requests with: one class per problem type, raised
and caught by type (codes, titles and detail templates; see ``core/errors.py``)."""

from __future__ import annotations

from procurement.award.errors import TenderNotOpened
from procurement.core.errors import N_, Conflict, NotFound


class AwardRunAlreadyConfirmed(Conflict):
    code = "award-run-already-confirmed"
    title = N_("Award run already confirmed")
    when = N_("A confirmed award run is confirmed again.")
    template = N_(
        "Award run {run_number} of tender {tender_code} is already confirmed; "
        "its contracts exist. Nothing was changed."
    )


class TenderNotConfirmable(TenderNotOpened):
    when = N_(
        "An award run is confirmed on a tender that is not opened, or whose other run is confirmed."
    )
    template = N_(
        "Tender {tender_code} is '{current_status}'{confirmed_run}; only one run "
        "of an opened tender can be confirmed."
    )


class AwardRunNotConfirmable(Conflict):
    code = "award-run-not-confirmable"
    title = N_("Award run not confirmable")
    when = N_("An award run with lots that have no allocation is confirmed.")
    template = N_(
        "Award run {run_number} is '{run_status}': lot(s) {lots_shown} have no "
        "allocation. Start a new run with a fallback, then confirm that one."
    )


class AwardInputsChanged(Conflict):
    code = "award-inputs-changed"
    title = N_("Award inputs changed")
    when = N_("An award run is confirmed after bids or demand changed since it ran.")
    template = N_(
        "The inputs of tender {tender_code} (bids or confirmed demand) changed "
        "after award run {run_number}; start a new run and confirm that one."
    )


class ContractNotFound(NotFound):
    code = "contract-not-found"
    title = N_("Contract not found")
    when = N_("No contract has that id, or the user may not see it.")
    template = N_("No contract with id {contract_id}.")
