"""The problems the settlement area refuses requests with: one class per problem type, raised
and caught by type (codes, titles and detail templates; see ``core/errors.py``)."""

from __future__ import annotations

from procurement.core.errors import (
    N_,
    Conflict,
    Forbidden,
    NotFound,
    RuleViolation,
    ValidationFailed,
)
from procurement.orders.errors import IdempotencyKeyReused


class UnbalancedTransaction(RuleViolation):
    code = "unbalanced-transaction"
    title = N_("Unbalanced transaction")
    when = N_("A ledger transaction would not balance (a fault: nothing is posted).")
    template = N_("Transaction {key} does not balance (debits - credits = {total}).")


class NotADate(ValidationFailed):
    when = N_("A settlement form field that takes a date gets something else.")
    template = N_("Give '{name}' as a date YYYY-MM-DD.")


class NotANumber(ValidationFailed):
    when = N_("A settlement form field that takes a number gets something else.")
    template = N_("'{name}' must be a number.")


class CutOffMissing(ValidationFailed):
    when = N_("A settlement run is started without a cut-off date.")
    template = N_("Choose a cut-off date.")


class NoSuchTender(NotFound):
    when = N_("Advances are asked for a tender that does not exist.")
    template = N_("No tender {tender_id}.")


class ContractYearOutOfRange(ValidationFailed):
    when = N_("Advances are asked for a contract year the tender does not have.")
    template = N_("Contract year must be 1 to {contract_years}.")


class UnbalancedPayment(UnbalancedTransaction):
    when = N_("A payment transaction of a run would not balance (a fault: nothing is posted).")
    template = N_("Payment transaction {key} does not balance ({total}).")


class TransactionNotFound(NotFound):
    when = N_("No ledger transaction has that id.")
    template = N_("No ledger transaction {transaction_id}.")


class ReversalOfReversal(Conflict):
    code = "reversal-of-reversal"
    title = N_("Reversal of reversal")
    when = N_("A reversing transaction is reversed.")
    template = N_("A reversal cannot be reversed; post a new correcting transaction.")


class AlreadyReversed(Conflict):
    code = "already-reversed"
    title = N_("Already reversed")
    when = N_("A reversed transaction is reversed again.")
    template = N_("Transaction {transaction_id} is already reversed.")


class IdempotencyKeyRequired(ValidationFailed):
    code = "idempotency-key-required"
    title = N_("Idempotency-Key required")
    when = N_("A settlement run is started without an Idempotency-Key.")
    template = N_(
        "Send an Idempotency-Key header of 1 to 200 characters with a run, so a "
        "retry pays nothing twice."
    )


class BatchSizeNotValid(ValidationFailed):
    when = N_("A settlement run is started with a batch size below 1.")
    template = N_("batch_size must be at least 1.")


class NothingDue(Conflict):
    code = "nothing-due"
    title = N_("Nothing is due")
    when = N_("A settlement run finds nothing due up to its cut-off (and records nothing).")
    template = N_(
        "Nothing is due up to {cut_off}: every accepted delivery accepted by "
        "then is paid. No run was recorded."
    )


class RunKeyReused(IdempotencyKeyReused):
    when = N_("A settlement run's Idempotency-Key is used again for another cut-off.")
    template = N_(
        "Idempotency-Key {key!r} was used for the run with cut-off {cut_off}; "
        "use a new key for another cut-off."
    )


class RunNotFound(NotFound):
    when = N_("No settlement run has that id.")
    template = N_("No settlement run {run_id}.")


class RunNotCompleted(Conflict):
    code = "run-not-completed"
    title = N_("Run not completed")
    when = N_("The payment file of a run that has not completed is asked for.")
    template = N_(
        "Run {reference} is {run_status}; its payment file exists once it has "
        "completed (start it again with the same Idempotency-Key to finish it)."
    )


class PeriodReversed(ValidationFailed):
    when = N_("A statement period ends before it starts.")
    template = N_("The period ends before it starts.")


class PartyNotFound(NotFound):
    when = N_(
        "A statement is asked for an organization that is neither a manufacturer nor a hospital."
    )
    template = N_("No manufacturer or hospital {party_id}.")


class NotYourStatement(Forbidden):
    code = "not-your-statement"
    title = N_("Not your statement")
    when = N_("An organization reads another's statement.")
    template = N_("You may read only your own organization's statement.")


class PayableNotFound(NotFound):
    code = "payable-not-found"
    title = N_("Payable not found")
    when = N_("No payable has that id, or the user may not see it.")
    template = N_("No payable with id {payable_id}.")


class PaymentNotFound(NotFound):
    code = "payment-not-found"
    title = N_("Payment not found")
    when = N_("No payment has that id, or the user may not see it.")
    template = N_("No payment with id {payment_id}.")


class MonthNotOver(Conflict):
    code = "month-not-over"
    title = N_("Month not over")
    when = N_("A month's reconciliation is issued before the month has ended.")
    template = N_("{month} has not ended yet; its reconciliation is issued from {first_day}.")


class ReconciliationNotFound(NotFound):
    when = N_("No reconciliation you may see has that id.")
    template = N_("No reconciliation {reconciliation_id}.")


class ReconciliationLineNotFound(NotFound):
    when = N_("A reconciliation has no line with that id.")
    template = N_("Reconciliation {reconciliation_id} has no line {line_id}.")


class ReconciliationClosed(Conflict):
    code = "reconciliation-closed"
    title = N_("Reconciliation closed")
    when = N_("A reconciliation is confirmed or disputed after its deadline or once confirmed.")
    template = N_(
        "Reconciliation {reconciliation_id} can no longer be confirmed or disputed "
        "(deadline {deadline}, status {reconciliation_status})."
    )


class AlreadyConfirmed(Conflict):
    code = "already-confirmed"
    title = N_("Already confirmed")
    when = N_("A side confirms or disputes a reconciliation it has already confirmed.")
    template = N_("You have already confirmed reconciliation {reconciliation_id}.")


class DisputeReasonRequired(ValidationFailed):
    when = N_("A reconciliation line is disputed without a reason (or with a too long one).")
    template = N_("Give the reason for the dispute, 1 to {limit} characters.")


class LineNotDisputed(Conflict):
    code = "line-not-disputed"
    title = N_("Line not disputed")
    when = N_("A reconciliation line that is not disputed is resolved, or disputed twice.")
    template = N_("Line {line_id} is {line_status}; only a disputed line is resolved.")


class ResolutionNotAllowed(Conflict):
    code = "resolution-not-allowed"
    title = N_("Resolution not allowed")
    when = N_(
        "A dispute is corrected by someone other than the manufacturer, or withdrawn by "
        "someone other than the side that raised it."
    )
    template = N_("Only the manufacturer corrects, and only the disputing side withdraws.")


class InvoiceNotValid(ValidationFailed):
    when = N_("An invoice is recorded with a field that is missing or wrong.")
    template = N_("The invoice is not valid; see the errors beside each field.")


class InvoiceNumberTaken(Conflict):
    code = "invoice-number-taken"
    title = N_("Invoice number taken")
    when = N_("An issuer records a second invoice with the same number.")
    template = N_("You have already recorded invoice {number}.")


class TwoInvoiceRule(RuleViolation):
    code = "two-invoice-rule"
    title = N_("Two-invoice rule (两票制)")
    when = N_(
        "A third invoice would cover a delivery, or a second one to the hospital, or an "
        "invoice skips the manufacturer-distributor-hospital chain."
    )
    template = N_(
        "Receipt line {receipt_line_id} would have more than {limit} invoices or a second "
        "invoice to the hospital (两票制: manufacturer to distributor, distributor to hospital)."
    )


class InvoiceNotFound(NotFound):
    when = N_("No invoice of yours has that id.")
    template = N_("You have no invoice {invoice_id}.")


class InvoiceVoided(Conflict):
    code = "invoice-voided"
    title = N_("Invoice voided")
    when = N_("An invoice already voided is voided again.")
    template = N_("Invoice {number} is already voided.")
