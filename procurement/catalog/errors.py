"""The problems the catalog area refuses requests with: one class per problem type, raised
and caught by type (codes, titles and detail templates; see ``core/errors.py``)."""

from __future__ import annotations

from procurement.core.errors import (
    N_,
    Conflict,
    Forbidden,
    NotFound,
    RuleViolation,
    StaleVersion,
    ValidationFailed,
)


class TenderNotFound(NotFound):
    code = "tender-not-found"
    title = N_("Tender not found")
    when = N_("No tender has that id, or the user may not see it.")
    template = N_("No tender with id {tender_id}.")


class NotTenderOwner(Forbidden):
    code = "not-tender-owner"
    title = N_("Not the tender's regulator")
    when = N_("Someone other than the regulator that created a tender manages it.")
    template = N_("Tender {tender_code} is managed by another regulator; only it may {action}.")


class FileMissing(ValidationFailed):
    when = N_("An upload form is sent without a file.")
    template = N_("Choose a CSV or XLSX file to upload.")


class TenderFieldsNotValid(ValidationFailed):
    when = N_("A tender form has fields that are not valid.")
    template = N_("Some fields are not valid.")


class LotFieldsNotValid(ValidationFailed):
    when = N_("A lot form has fields that are not valid.")
    template = N_("Some lot fields are not valid.")


class QuantitiesNotWhole(ValidationFailed):
    when = N_("A demand form holds quantities that are not whole numbers.")
    template = N_("Quantities must be whole numbers.")


class ProductFieldsNotValid(ValidationFailed):
    when = N_("A product form has fields that are not valid.")
    template = N_("Some product fields are not valid.")


class LotNotFound(NotFound):
    code = "lot-not-found"
    title = N_("Lot not found")
    when = N_("No lot has that id, or the user may not see it.")
    template = N_("No lot with id {lot_id}.")


class TenderNotDraft(Conflict):
    code = "tender-not-draft"
    title = N_("Tender not draft")
    when = N_("A tender's catalog (lots, rules) is changed after it left draft.")
    template = N_(
        "Tender {tender_code} is '{current_status}', not 'draft': its catalog is "
        "frozen, so you cannot {action}."
    )


class ImportFailed(ValidationFailed):
    code = "import-failed"
    title = N_("The file was not imported")
    when = N_("An uploaded file (lots, demand, shipments) has errors; nothing of it is imported.")
    template = N_(
        "The {what} file was not imported (nothing was changed): row {row}, "
        "column '{column}': {message}{more}. Fix the file and upload it again."
    )


class DemandAdjustmentsNotValid(ValidationFailed):
    when = N_("The regulator's demand adjustments are not valid.")
    template = N_("The demand was not confirmed; fix the adjustments named.")


class UnknownLots(ValidationFailed):
    when = N_("Demand is confirmed for lots the tender does not have.")
    template = N_("Tender {tender_code} has no lot(s) {lots}.")


class DemandNotConfirmed(Conflict):
    code = "demand-not-confirmed"
    title = N_("Demand not confirmed")
    when = N_("A step needs a lot's confirmed demand before the regulator confirmed it.")
    template = N_("The demand of lot {lot_id} is not confirmed; the regulator confirms it first.")


class OutsideRegionScope(Forbidden):
    code = "outside-region-scope"
    title = N_("Outside region scope")
    when = N_("A hospital outside a tender's region scope reports demand.")
    template = N_(
        "Your hospital (region {region_code}) is outside tender {tender_code}'s "
        "region scope ({scope})."
    )


class DemandClosed(Conflict):
    code = "demand-closed"
    title = N_("Demand closed")
    when = N_("Demand is reported after demand reporting closed.")
    template = N_(
        "Demand reporting for tender {tender_code} is closed (status "
        "'{current_status}', deadline {deadline}); reports are read-only now."
    )


class DemandReportNotValid(ValidationFailed):
    when = N_("A demand report has rows that are not valid.")
    template = N_("The demand report was not saved; fix the rows named.")


class DemandReportNotFound(NotFound):
    code = "demand-report-not-found"
    title = N_("Demand report not found")
    when = N_("No demand report has that id.")
    template = N_("No demand report with id {report_id}.")


class DemandNotConfirmable(Conflict):
    code = "demand-not-confirmable"
    title = N_("Demand not confirmable")
    when = N_("Demand is confirmed before the deadline or after the award.")
    template = N_(
        "Demand of tender {tender_code} can be confirmed after its deadline "
        "({deadline}) and before the award; the tender is '{current_status}'."
    )


class DuplicateLotCode(Conflict):
    code = "duplicate-lot-code"
    title = N_("Duplicate lot code")
    when = N_("A tender gets a second lot with the same code.")
    template = N_("Tender {tender_code} already has a lot '{lot_code}'; use another code.")


class DuplicateApprovalNumber(Conflict):
    code = "duplicate-approval-number"
    title = N_("Duplicate approval number")
    when = N_("A product is registered with an approval number registered already.")
    template = N_("Approval number {number} is already registered; each approval is one product.")


class ProductNotFound(NotFound):
    code = "product-not-found"
    title = N_("Product not found")
    when = N_("No product has that id.")
    template = N_("No product with id {product_id}.")


class NotProductOwner(Forbidden):
    code = "not-product-owner"
    title = N_("Not the product's manufacturer")
    when = N_("A manufacturer uses another manufacturer's product.")
    template = N_("Only the product's manufacturer may use it.")


class UnknownRulesPreset(ValidationFailed):
    when = N_("A tender names a rules preset that does not exist.")
    template = N_("Unknown rules preset '{preset}'; choose one of {known}.")


class RulesOverridesNotValid(ValidationFailed):
    code = "rules-overrides-not-valid"
    title = N_("Rules overrides not valid")
    when = N_("A tender's rule overrides are not valid.")
    template = N_("Some rules overrides are not valid; see 'errors' for what to fix in each.")


class DuplicateTenderCode(Conflict):
    code = "duplicate-tender-code"
    title = N_("Duplicate tender code")
    when = N_("A tender is created with a code in use.")
    template = N_("A tender with code '{tender_code}' already exists; choose another code.")


class TenderChanged(StaleVersion):
    when = N_("A tender is changed with an If-Match of an older version.")
    template = N_(
        "Tender {tender_code} changed since you read it (version "
        "{expected_version}, now {version}); reload it and apply your change "
        "again."
    )


class UnknownTenderState(ValidationFailed):
    when = N_("A tender is moved to a state that does not exist.")
    template = N_("'{value}' is not a tender state; use one of {names}.")


class IllegalTransition(Conflict):
    code = "illegal-transition"
    title = N_("Illegal transition")
    when = N_("A tender is moved to a state it cannot reach from its current one.")
    template = N_(
        "Tender {tender_code} is '{current_status}'; it cannot move to "
        "'{target}'. Allowed next: {shown}."
    )


class TooEarly(Conflict):
    code = "too-early"
    title = N_("Too early")
    when = N_("A tender step is taken before its time (deadline, opening time).")
    template = N_(
        "Tender {tender_code} cannot {action} before {time_name} ({not_before}); it is now {now}."
    )


class TenderWithoutLots(RuleViolation):
    code = "tender-without-lots"
    title = N_("Tender without lots")
    when = N_("Demand reporting opens on a tender with no lots.")
    template = N_("Tender {tender_code} has no lots; add or import lots before opening demand.")


class DeadlinePassed(RuleViolation):
    code = "deadline-passed"
    title = N_("The deadline has passed")
    when = N_("Demand reporting opens after its deadline.")
    template = N_(
        "The demand deadline of tender {tender_code} ({deadline}) has passed; "
        "move it later before opening demand."
    )


class TransitionNotManual(Conflict):
    code = "transition-not-manual"
    title = N_("Transition not manual")
    when = N_("A tender is moved by hand to a state that a step (opening, award, contracts) sets.")
    template = N_(
        "Moving tender {tender_code} to '{target}' happens as part of that step "
        "(opening the bids, running the award, putting contracts in force), not "
        "on its own."
    )


class LotNotValid(ValidationFailed):
    when = N_("A lot is added with fields that are not valid.")
    template = N_("The lot cannot be added as given.")


class LotChangeNotValid(ValidationFailed):
    when = N_("A lot is changed with fields that are not valid.")
    template = N_("The lot cannot be changed as given.")


class UnknownProductFields(ValidationFailed):
    when = N_("A product is registered with fields that do not exist.")
    template = N_("Unknown product fields.")


class ProductNotValid(ValidationFailed):
    when = N_("A product is registered with fields that are not valid.")
    template = N_("The product cannot be registered as given.")


class UnknownRulesFields(ValidationFailed):
    when = N_("A tender's rule overrides name rules that do not exist.")
    template = N_("Some rules overrides name no rules field; fix or remove them.")


class UnknownTenderFields(ValidationFailed):
    when = N_("A tender is created or changed with fields that do not exist.")
    template = N_("Unknown tender fields.")


class TenderNotValid(ValidationFailed):
    when = N_("A tender is created with fields that are not valid.")
    template = N_("The tender cannot be created as given.")


class TenderChangeNotValid(ValidationFailed):
    when = N_("A tender is changed with fields that are not valid.")
    template = N_("The tender cannot be changed as given.")


# ---- demand by brand and the demand floor (RULES.md 10) ------------------------------------


class BrandReportingOff(RuleViolation):
    code = "brand-reporting-off"
    title = N_("Brand reporting is off")
    when = N_("A demand report names products on a tender whose rules do not allow it.")
    template = N_(
        "Tender {tender_code} takes demand by generic name only (brand reporting is off); "
        "remove the brand lines ({where})."
    )


class BrandProductUnknown(RuleViolation):
    code = "brand-product-unknown"
    title = N_("Unknown product")
    when = N_("A brand line of a demand report names no registered product.")
    template = N_("{where}: no registered product '{product}'.")


class BrandProductWrongGeneric(RuleViolation):
    code = "brand-product-wrong-generic"
    title = N_("Product of another drug")
    when = N_("A brand line names a product that is not of the lot's generic name and unit.")
    template = N_(
        "{where}: product {product} is {product_generic} ({product_unit}), not lot {lot_code}'s "
        "{generic_name} ({smallest_unit})."
    )


class BrandProductDuplicate(RuleViolation):
    code = "brand-product-duplicate"
    title = N_("Product named twice")
    when = N_("A demand report names the same product in two brand lines.")
    template = N_("{where}: product {product} is already named for lot {lot_code}.")


class BrandLinesAboveQuantity(RuleViolation):
    code = "brand-lines-above-quantity"
    title = N_("Brand lines above the quantity")
    when = N_("A demand report's brand lines add up to more than its whole quantity.")
    template = N_(
        "{where}: the brand lines of lot {lot_code} add up to {brand_total}, more than the "
        "reported quantity {quantity}."
    )


class DemandBelowFloor(RuleViolation):
    code = "demand-below-floor"
    title = N_("Demand below the floor")
    when = N_(
        "A hospital reports less than the demand floor (a share of its average annual usage) "
        "without a reason, or where the tender refuses such reports."
    )
    template = N_(
        "Lot {lot_code}: {quantity} is below the demand floor {floor} ({share} of the average "
        "annual usage {average}, from {source}). {what_to_do}"
    )


class DemandFloorNotConfirmed(Conflict):
    code = "demand-floor-not-confirmed"
    title = N_("Low reports not confirmed")
    when = N_("Demand is confirmed while reports below the demand floor await the regulator.")
    template = N_(
        "Lot(s) {lots} have reports below the demand floor whose reasons are not confirmed "
        "yet; confirm them first."
    )


class FloorConfirmationNotNeeded(Conflict):
    code = "floor-confirmation-not-needed"
    title = N_("Nothing to confirm")
    when = N_("The regulator confirms a report that is not below its demand floor.")
    template = N_("Demand report {report_id} is not below its demand floor; nothing to confirm.")
