"""The problems the trace area refuses requests with (see ``core/errors.py``)."""

from __future__ import annotations

from procurement.core.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed


class CodesMissing(ValidationFailed):
    code = "trace-codes-missing"
    title = N_("No codes sent")
    when = N_("A shipment line's codes are sent without a file or a list of codes.")
    template = N_("Send the codes as form field 'file' or as a JSON list 'codes'.")


class CodesUnreadable(ValidationFailed):
    code = "trace-codes-unreadable"
    title = N_("The code file cannot be read")
    when = N_("A code file is not CSV, XLSX or UTF-8 text, or breaks a file limit.")
    template = N_("The code file cannot be read; nothing was stored.")


class CodesRefused(ValidationFailed):
    code = "trace-codes-refused"
    title = N_("Codes refused")
    when = N_(
        "Codes sent for a shipment line are malformed, belong to another product, batch or "
        "expiry, repeat, were shipped before, or do not add up to the line's packs."
    )
    template = N_(
        "{refused} problem(s) with the codes for line {line_no} of shipment {shipment} (the "
        "first {shown} in 'errors', MAX_CODE_REFUSALS); nothing was stored."
    )


class LineAlreadyCoded(Conflict):
    code = "trace-line-already-coded"
    title = N_("The line already has its codes")
    when = N_("Codes are sent for a shipment line that already carries codes.")
    template = N_("Line {line_no} of shipment {shipment} already carries its {boxes} codes.")


class NotTheShipper(Forbidden):
    code = "trace-not-the-shipper"
    title = N_("Not the shipper")
    when = N_("Someone other than the shipment's manufacturer or distributor sends its codes.")
    template = N_("Only the manufacturer or distributor of shipment {shipment} may send codes.")


class ShipmentLineNotFound(NotFound):
    code = "trace-shipment-line-not-found"
    title = N_("Shipment line not found")
    when = N_("No shipment line has that id, or the user may not see it.")
    template = N_("No shipment line with id {shipment_line_id}.")


class PackageNotFound(NotFound):
    code = "trace-package-not-found"
    title = N_("Package not found")
    when = N_("No package has that code, or its history is not the user's to see.")
    template = N_("No package with code {package_code}.")


class FormatsNotValid(ValidationFailed):
    code = "trace-formats-not-valid"
    title = N_("Code formats not valid")
    when = N_("A product's 码上放心 prefix, GTIN or registered format is malformed or taken.")
    template = N_("Some code formats are not valid; see 'errors'.")


class NotYourProduct(Forbidden):
    code = "trace-not-your-product"
    title = N_("Not your product")
    when = N_("A manufacturer registers code formats for another manufacturer's product.")
    template = N_("Only the manufacturer of product {product_id} may register its code formats.")


# Receiving by scan, dispensing and stock (trace/services/scanning.py, dispensing.py, stock.py)


class NotYourShipment(Forbidden):
    code = "trace-not-your-shipment"
    title = N_("Not your shipment")
    when = N_("Someone other than the ordering hospital scans or accepts a shipment's codes.")
    template = N_("Only the hospital that ordered shipment {shipment} may receive it by scan.")


class ShipmentReceivedAlready(Conflict):
    code = "trace-shipment-received"
    title = N_("Shipment already received")
    when = N_("Codes are scanned for, or a receipt accepted of, a shipment already received.")
    template = N_("Shipment {shipment} was received already.")


class ScanRefused(ValidationFailed):
    code = "trace-scan-refused"
    title = N_("Code refused")
    when = N_(
        "A scanned code is unreadable, unknown, of another product, not on this shipment, "
        "scanned twice (itself or its case), or received before."
    )
    template = N_("Code {package_code} refused: {reason}")


class ScanReceiptNotValid(ValidationFailed):
    code = "trace-scan-receipt-not-valid"
    title = N_("Receipt by scan not valid")
    when = N_(
        "Accepting a scanned shipment leaves packs unaccounted, counts packs without a code "
        "where the rules do not allow it, or lacks a reason."
    )
    template = N_("The receipt cannot be accepted as sent; fix the lines named.")


class NotAnInstitution(Forbidden):
    code = "trace-not-an-institution"
    title = N_("Not an institution")
    when = N_("Someone other than a hospital dispenses, returns or declares stock.")
    template = N_("Only a hospital may {action}.")


class DispensingNotValid(ValidationFailed):
    code = "trace-dispensing-not-valid"
    title = N_("Dispensing not valid")
    when = N_("A dispensing upload has no codes, too many, or codes that cannot be read.")
    template = N_("The dispensing upload cannot be recorded; see 'errors'.")


class NoCodeStockNotValid(ValidationFailed):
    code = "trace-nocode-stock-not-valid"
    title = N_("No-code stock declaration not valid")
    when = N_("A no-code stock declaration lacks a product, batch, expiry, quantity or reason.")
    template = N_("The no-code stock cannot be declared as sent; see 'errors'.")
