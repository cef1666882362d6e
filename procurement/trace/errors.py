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
