"""The problems the compliance area refuses requests with: one class per problem type, raised
and caught by type (codes, titles and detail templates; see ``core/errors.py``)."""

from __future__ import annotations

from procurement.catalog.errors import TenderNotFound
from procurement.core.errors import N_, Conflict, NotFound, ValidationFailed


class AlertResolved(Conflict):
    code = "alert-resolved"
    title = N_("Alert resolved")
    when = N_("A resolved alert is answered or resolved again.")
    template = N_("The alert is already resolved.")


class PublishedTenderNotFound(TenderNotFound):
    when = N_("No published tender has that id.")
    template = N_("No published tender with id {tender_id}.")


class NotWholeNumber(ValidationFailed):
    when = N_("A filter that takes a whole number gets something else.")
    template = N_("{name} must be a whole number.")


class UnknownFilterValue(ValidationFailed):
    when = N_("An alert filter names a value that does not exist.")
    template = N_("Unknown value '{value}'.")


class AlertNotFound(NotFound):
    code = "alert-not-found"
    title = N_("Alert not found")
    when = N_("No alert has that id, or the user may not see it.")
    template = N_("No alert with id {alert_id}.")


class ResolvedAlertNotEscalated(AlertResolved):
    when = N_("A resolved alert is escalated.")
    template = N_("The alert is resolved; only open alerts are escalated.")


class AlertAtLastStep(Conflict):
    code = "alert-at-last-step"
    title = N_("Alert at last step")
    when = N_("An alert at its last step (summons) is escalated.")
    template = N_("The alert is already at the last step (summons).")


class ResponseLength(ValidationFailed):
    when = N_("A hospital's response to an alert is empty or too long.")
    template = N_("Write a response of 1 to 2000 characters.")


class ClosingNoteLength(ValidationFailed):
    code = "closing-note-length"
    title = N_("A closing note is needed")
    when = N_("Closing an alert case by hand without a note, or with one that is too long.")
    template = N_("Write why the case is closed (1 to 2000 characters).")


class TextLength(ValidationFailed):
    when = N_("An appeal's text or decision note is empty or too long.")
    template = N_("Write the {field} (1 to {limit} characters).")


class CreditEventNotFound(NotFound):
    code = "credit-event-not-found"
    title = N_("Credit event not found")
    when = N_("No credit event has that id.")
    template = N_("No credit event with id {event_id}.")


class CreditEventNotAppealable(Conflict):
    code = "credit-event-not-appealable"
    title = N_("Credit event not appealable")
    when = N_("An event that is not active is appealed.")
    template = N_("The event is {event_status}; only an active event can be appealed.")


class AppealNotFound(NotFound):
    code = "appeal-not-found"
    title = N_("Appeal not found")
    when = N_("No appeal has that id.")
    template = N_("No appeal with id {appeal_id}.")


class UnknownDecision(ValidationFailed):
    when = N_("An appeal is decided other than upheld or overturned.")
    template = N_("Decide 'upheld' or 'overturned'.")


class AppealDecided(Conflict):
    code = "appeal-decided"
    title = N_("Appeal decided")
    when = N_("A decided appeal is decided again.")
    template = N_("The appeal was already decided ({decision}).")


class ManufacturerNotFound(NotFound):
    code = "manufacturer-not-found"
    title = N_("Manufacturer not found")
    when = N_("No manufacturer has that id.")
    template = N_("No manufacturer with id {manufacturer_id}.")


class NothingToRepair(Conflict):
    code = "nothing-to-repair"
    title = N_("Nothing to repair")
    when = N_("Credit is repaired for a manufacturer with no credit level.")
    template = N_("{org_name} has no credit level to repair.")


class ComplianceRulesNotValid(ValidationFailed):
    when = N_("A tender's compliance rules are not valid.")
    template = N_("The compliance rules of tender {tender_code} are not valid: {error}")


class CreditEventNotValid(ValidationFailed):
    when = N_("A credit event is recorded with fields that are not valid.")
    template = N_("The credit event cannot be recorded as sent.")


class UnknownGrouping(ValidationFailed):
    when = N_("Progress is grouped by something it cannot be grouped by.")
    template = N_("group_by must be one of {groups}.")


class ContractYearNotFound(NotFound):
    code = "contract-year-not-found"
    title = N_("Contract year not found")
    when = N_("A year-end check names a tender and year with no contracts.")
    template = N_("No active or ended contracts for that tender and contract year.")


class ContractYearRunning(Conflict):
    code = "contract-year-running"
    title = N_("Contract year running")
    when = N_("The year-end check runs before the contract year ends.")
    template = N_(
        "Contract year {contract_year} of {tender_code} runs until {end}; run "
        "the year-end check after it ends."
    )


class YearEndNotFound(NotFound):
    code = "year-end-not-found"
    title = N_("Year-end check not found")
    when = N_("The year-end results of a year not checked yet are asked for.")
    template = N_("No year-end check for tender {tender_id} year {contract_year} yet.")


class RedFlagsBeforeOpening(Conflict):
    code = "red-flags-before-opening"
    title = N_("Bids not opened yet")
    when = N_("The red flags of a tender are asked for before its bids are opened.")
    template = N_(
        "Tender {tender_id} has not opened its bids yet: red flags are computed from opened "
        "bids only."
    )


class BidderWithoutBids(NotFound):
    code = "bidder-without-bids"
    title = N_("Bidder not found")
    when = N_("A bidder's red flags are asked for in a tender where it has no opened bid.")
    template = N_("Manufacturer {manufacturer_id} has no opened bid in tender {tender_id}.")


class FeedCursorInvalid(ValidationFailed):
    when = N_("The OCDS change feed is asked for a page after a cursor it never gave.")
    template = N_(
        "This is not a cursor of the feed: follow the links.next of a page, or start with since."
    )


class SupplyRiskBeforeContracts(Conflict):
    code = "supply-risk-before-contracts"
    title = N_("No contracts yet")
    when = N_("The supply risk of a tender or lot is asked for before its award has contracts.")
    template = N_(
        "Tender {tender_id} has no contracts yet: supply risk is computed from the agreed "
        "volumes of a confirmed award."
    )


class ShortageReportNotValid(ValidationFailed):
    code = "shortage-report-not-valid"
    title = N_("Shortage report not valid")
    when = N_(
        "A monthly shortage report names another manufacturer's product, a month not yet over, "
        "or figures out of range."
    )
    template = N_("The shortage report cannot be taken as sent.")


class ShortageNotFound(NotFound):
    code = "shortage-not-found"
    title = N_("Shortage not found")
    when = N_("No shortage alert has that id, or the user may not see it.")
    template = N_("No shortage with id {alert_id}.")


class ShortageNotOpen(Conflict):
    code = "shortage-not-open"
    title = N_("Shortage not open")
    when = N_("A backup supplier is activated for a shortage that is resolved or not a county's.")
    template = N_("Shortage {alert_id} is not an open shortage of a county's supply.")


class BackupAlreadyActive(Conflict):
    code = "backup-already-active"
    title = N_("Backup already active")
    when = N_("A backup supplier is activated twice for one shortage.")
    template = N_("The backup supplier is already active for shortage {alert_id}.")


class NoBackupNamed(Conflict):
    code = "no-backup-named"
    title = N_("No backup supplier named")
    when = N_("The award named no backup supplier for the shortage's province and lot.")
    template = N_("The award names no backup supplier for lot {lot_id} in {province}.")


class NothingToBackUp(Conflict):
    code = "nothing-to-back-up"
    title = N_("Nothing to back up")
    when = N_(
        "No buyer of the shortage's region holds a contract in force for the lot without "
        "already having one with the backup supplier."
    )
    template = N_("No buyer in region {region} needs a contract with the backup supplier.")


class BackupNotActive(Conflict):
    code = "backup-not-active"
    title = N_("No backup supply to end")
    when = N_("Ending a shortage's backup supply that was never activated or has ended.")
    template = N_("No backup supplier is active for shortage {alert_id}.")


class BackupEndReason(ValidationFailed):
    code = "backup-end-reason"
    title = N_("A reason is needed")
    when = N_("Ending a backup supply without a reason, or with one that is too long.")
    template = N_("Write why the backup supply ends (1 to {limit} characters).")


class PriceMonthsNotValid(ValidationFailed):
    when = N_(
        "A price monitoring period is not a month YYYY-MM, ends before it starts or is too long."
    )
    template = N_(
        "The period must be months YYYY-MM, from no later than to, at most {limit} months ({name})."
    )


class PriceGroupNotFound(NotFound):
    code = "price-group-not-found"
    title = N_("No such generic name and dosage form")
    when = N_("No product has the generic name and dosage form asked for.")
    template = N_("No product of {generic_name} ({dosage_form}).")


class OnlineRateNotValid(ValidationFailed):
    when = N_(
        "The online procurement rate is asked for an unknown level or institution type, or for "
        "months that end before they start or span more than MAX_RATE_MONTHS."
    )
    template = N_("The online procurement rate cannot be computed for these filters.")
