"""The problems the orders area refuses requests with: one class per problem type, raised
and caught by type (codes, titles and detail templates; see ``core/errors.py``)."""

from __future__ import annotations

from procurement.core.errors import (
    N_,
    Conflict,
    Forbidden,
    LimitExceeded,
    NotFound,
    RuleViolation,
    ValidationFailed,
)


class UploadMissing(ValidationFailed):
    when = N_("A shipment upload is sent without its file.")
    template = N_("Upload the file as form field 'file'.")


class UploadUnreadable(ValidationFailed):
    when = N_("A shipment upload cannot be read as CSV or XLSX.")
    template = N_("The file cannot be read; nothing was imported.")


class OrderNotFound(NotFound):
    code = "order-not-found"
    title = N_("Order not found")
    when = N_("No order has that id, or the user may not see it.")
    template = N_("No order with id {order_id}.")


class NotTheSupplier(Forbidden):
    code = "not-the-supplier"
    title = N_("Not the supplier")
    when = N_("Someone other than the order's supplier confirms or ships it.")
    template = N_("Only the order's supplier may {action}.")


class NotYourOrder(Forbidden):
    code = "not-your-order"
    title = N_("Not your order")
    when = N_("Someone other than the ordering hospital cancels or receives it.")
    template = N_("Only the ordering hospital may {action}.")


class OrderState(Conflict):
    code = "order-state"
    title = N_("Not possible in the order's state")
    when = N_("An order is moved in a way its state does not allow.")
    template = N_(
        "Order {order_number} is '{state}'; it cannot {action} now. Allowed "
        "moves from '{state}': {moves_shown}."
    )


class IdempotencyKeyReused(Conflict):
    code = "idempotency-key-reused"
    title = N_("Idempotency-Key reused")
    when = N_("An Idempotency-Key is sent again with a different request.")
    template = N_(
        "Idempotency-Key '{key}' was already used for a different request; send "
        "a new key for a new request, or repeat the first request exactly."
    )


class DistributorOutsideRegion(Forbidden):
    code = "distributor-outside-region"
    title = N_("Distributor outside region")
    when = N_("A distributor handles an order outside the regions it is appointed for.")
    template = N_(
        "You are appointed for {regions_shown} only; order {order_number} is for {province_code}."
    )


class RejectionReasonMissing(ValidationFailed):
    when = N_("An order is rejected without a reason.")
    template = N_("Say why the order is rejected; the hospital and the regulator see the reason.")


class BatchNotFound(NotFound):
    code = "batch-not-found"
    title = N_("Batch not found")
    when = N_("A batch to trace was never shipped, or not to the user.")
    template = N_("No shipped batch '{batch_no}' that you may trace.")


class TooManyLines(LimitExceeded):
    when = N_("An order has more lines than MAX_ORDER_LINES.")
    template = N_(
        "An order has at most {maximum} lines (MAX_ORDER_LINES); this one has "
        "{lines}: split it into several orders."
    )


class OrderNotValid(ValidationFailed):
    when = N_("An order has fields that are not valid.")
    template = N_("The order cannot be placed as sent; fix the fields named.")


class SeveralSuppliers(ValidationFailed):
    when = N_("An order's lines go to more than one supplier.")
    template = N_(
        "An order goes to one supplier: split these lines into one order per manufacturer."
    )


class NoSuchContract(ValidationFailed):
    when = N_("An order line names a contract that does not exist.")
    template = N_("Contract {contract_id} does not exist; pick one of your active contracts.")


class NotYourContract(Forbidden):
    code = "not-your-contract"
    title = N_("Not your contract")
    when = N_("An order line names another hospital's contract.")
    template = N_(
        "Contract {contract_id} belongs to another hospital; order against your own contracts."
    )


class ContractNotActive(RuleViolation):
    code = "contract-not-active"
    title = N_("Contract not active")
    when = N_("An order line names a contract that is not in force today.")
    template = N_(
        "Contract {contract_id} is {contract_status} for {period_start}..{period_end}; "
        "order against a contract that is active today."
    )


class NoSuchProduct(ValidationFailed):
    when = N_("An off-contract order line names a product that does not exist.")
    template = N_("Product {product_id} does not exist.")


class NoContractedGeneric(RuleViolation):
    code = "no-contracted-generic"
    title = N_("No contracted generic")
    when = N_("An off-contract line names a drug the hospital holds no contract for.")
    template = N_(
        "You hold no active contract for {generic_name}; off-contract purchases "
        "are recorded only for generic names you have contracts for."
    )


class ProductIsContracted(RuleViolation):
    code = "product-is-contracted"
    title = N_("Product is contracted")
    when = N_("An off-contract line names a product the hospital holds a contract for.")
    template = N_("This product is under your contract: order it with its contract_id.")


class AmountsBeyondLimit(ValidationFailed):
    when = N_("An order's amounts exceed the platform's money limit.")
    template = N_("The order's amounts are beyond the platform's limit.")


class ShipmentAlreadyReceived(Conflict):
    code = "shipment-already-received"
    title = N_("Shipment already received")
    when = N_("A received shipment is received again.")
    template = N_("Shipment {shipment_number} was already received.")


class ReceiptNotValid(ValidationFailed):
    when = N_("A receipt has lines that are not valid.")
    template = N_("The receipt cannot be recorded as sent; fix the lines named.")


class ReceiptNotFound(NotFound):
    code = "receipt-not-found"
    title = N_("Receipt not found")
    when = N_("The receipt of a shipment not received yet is asked for.")
    template = N_("Shipment {shipment_number} has not been received yet.")


class NotADistributor(ValidationFailed):
    when = N_("A distributor is appointed that is not a distributor organization.")
    template = N_("'{distributor_code}' is not a distributor organization.")


class ValidityReversed(ValidationFailed):
    when = N_("An appointment ends before it starts.")
    template = N_("valid_until comes before valid_from.")


class ContractNotYours(ValidationFailed):
    when = N_("An appointment names another manufacturer's contract.")
    template = N_("Contract {contract_id} is not one of yours.")


class ContractOrLotMissing(ValidationFailed):
    when = N_("An appointment names neither a contract nor a lot.")
    template = N_("Name a contract, or a lot you hold contracts for.")


class DistributorAlreadyAppointed(Conflict):
    code = "distributor-already-appointed"
    title = N_("Distributor already appointed")
    when = N_("A second distributor is appointed for the same lot and region.")
    template = N_(
        "Appointment {appointment_id} already covers this lot in {region} from "
        "{valid_from}; one distributor per manufacturer, lot and region: revoke "
        "it first."
    )


class AppointmentNotFound(NotFound):
    code = "appointment-not-found"
    title = N_("Appointment not found")
    when = N_("No appointment has that id.")
    template = N_("No appointment with id {appointment_id}.")


class AppointmentRevoked(Conflict):
    code = "appointment-revoked"
    title = N_("Appointment revoked")
    when = N_("A revoked appointment is revoked again.")
    template = N_("This appointment is already revoked.")


class ReportNotValid(ValidationFailed):
    when = N_("A report (e.g. a drug shortage) has fields that are not valid.")
    template = N_("The report cannot be recorded; fix the fields named.")


class ShipmentNotValid(ValidationFailed):
    when = N_("A shipment has lines that are not valid.")
    template = N_("The shipment cannot be recorded as sent; fix the lines named.")


class ShipmentUploadNotValid(ValidationFailed):
    when = N_("A shipment upload has rows that are not valid.")
    template = N_("The upload has errors; nothing was imported.")


class UploadOrderNotFound(ValidationFailed):
    when = N_("A shipment upload names an order that does not exist.")
    template = N_("Order {number} does not exist; nothing was imported.")


class UploadLineNotFound(ValidationFailed):
    when = N_("A shipment upload names an order line that does not exist.")
    template = N_("Order {number} has no line {line_no}.")


class ShipmentNotFound(NotFound):
    code = "shipment-not-found"
    title = N_("Shipment not found")
    when = N_("No shipment has that id, or the user may not see it.")
    template = N_("No shipment with id {shipment_id}.")
