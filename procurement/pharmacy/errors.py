"""The problems the pharmacy area refuses requests with (see ``core/errors.py``)."""

from __future__ import annotations

from procurement.core.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed


class NotAPharmacy(Forbidden):
    code = "pharmacy-not-a-pharmacy"
    title = N_("Not a pharmacy")
    when = N_("A buyer that is not a pharmacy store or chain uses the pharmacy pages or API.")
    template = N_("Only a pharmacy store or chain may {action}.")


class NotYourStore(Forbidden):
    code = "pharmacy-not-your-store"
    title = N_("Not your store")
    when = N_("A pharmacy acts for a store that is neither itself nor one of its chain's stores.")
    template = N_("Store {store_id} is not yours.")


class TenderNotOpenToPharmacies(NotFound):
    code = "pharmacy-tender-not-found"
    title = N_("No winning products to sign up for")
    when = N_("A pharmacy signs up for a tender that does not exist or has no active contracts.")
    template = N_("Tender {tender_id} has no winning products in force.")


class SignUpNotValid(ValidationFailed):
    code = "pharmacy-sign-up-not-valid"
    title = N_("The sign-up is refused")
    when = N_(
        "A pharmacy chooses fewer generic names than the rules' minimum "
        "(min_generic_names_store, min_generic_names_chain) or names no winning product has."
    )
    template = N_(
        "{chosen} generic name(s) chosen; a {kind} signs up for at least {minimum} (see 'errors')."
    )


class AlreadySignedUp(Conflict):
    code = "pharmacy-already-signed-up"
    title = N_("Already signed up")
    when = N_("A pharmacy, or the chain it belongs to, signs up for the same tender again.")
    template = N_("Already signed up for tender {tender_id}.")


class ProductNotSignedUp(NotFound):
    code = "pharmacy-product-not-signed-up"
    title = N_("Product not signed up")
    when = N_("A price or sale names a product the store has not signed up for.")
    template = N_("Store {store_id} has not signed up for product {product_id}.")


class PriceAboveCap(ValidationFailed):
    code = "pharmacy-price-above-cap"
    title = N_("Price above the cap")
    when = N_("A pharmacy sets a selling price above the winning price x (1 + pharmacy_markup).")
    template = N_(
        "{price} is above the cap of {cap} per package (winning price {vbp_price} x "
        "(1 + {markup}))."
    )


class SaleNotValid(ValidationFailed):
    code = "pharmacy-sale-not-valid"
    title = N_("The sale is refused")
    when = N_(
        "A sale by quantity exceeds the no-code stock on hand, or a sale by code has no code "
        "the traceability ledger accepts; nothing is recorded."
    )
    template = N_("The sale is refused (see 'errors'); nothing was recorded.")


class FinderQueryNotValid(ValidationFailed):
    code = "pharmacy-finder-query-not-valid"
    title = N_("The search is refused")
    when = N_("A finder search has no letters or characters, is too long, or names no district.")
    template = N_("The search is refused (see 'errors').")


class PharmacyFormNotValid(ValidationFailed):
    code = "pharmacy-form-not-valid"
    title = N_("Some fields are not valid")
    when = N_("A pharmacy's price or sale has a missing or unreadable number, or a price of 0.")
    template = N_("Some fields are not valid; see 'errors' for what to fix in each.")
