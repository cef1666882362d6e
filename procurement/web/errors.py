"""The problems the web area refuses requests with: one class per problem type, raised
and caught by type (codes, titles and detail templates; see ``core/errors.py``)."""

from __future__ import annotations

from procurement.core.errors import (
    N_,
    DomainError,
    Forbidden,
    TooLarge,
    Unauthenticated,
    ValidationFailed,
)


class InvalidToken(Unauthenticated):
    code = "invalid-token"
    title = N_("Invalid token")
    when = N_("The API token is unknown, revoked or expired.")
    template = N_(
        "The API token is unknown, revoked or expired; create a new one on your account page."
    )


class TokenMissing(Unauthenticated):
    when = N_("An API call comes without a token (and without a login).")
    template = N_("Send an API token as 'Authorization: Bearer <token>'.")


class WrongPortal(Forbidden):
    when = N_("A user opens the portal of another kind of organization.")
    template = N_("This portal belongs to another kind of organization.")


class BodyTooDeep(TooLarge):
    when = N_("A JSON body nests deeper than MAX_JSON_DEPTH.")
    template = N_(
        "The JSON body nests deeper than {maximum} levels (MAX_JSON_DEPTH); send "
        "a flatter document."
    )


class NulCharacters(ValidationFailed):
    when = N_("A form or query field holds a NUL character.")
    template = N_("Remove the NUL characters from the fields named.")


class CsrfFailed(DomainError):
    code = "csrf-failed"
    title = N_("The form has expired")
    when = N_("A page form comes back without its CSRF token, or with an expired or wrong one.")
    template = N_("{reason} Reload the page and submit the form again.")


class RequestNotValid(ValidationFailed):
    when = N_(
        "An API request's body, query or upload fields are missing or not valid (for example "
        "a required field is missing, or a number is not a number)."
    )
    template = N_("Some fields are not valid ({fields}); see 'errors' for what to fix.")


class BodyTooLarge(TooLarge):
    when = N_(
        "A request body is larger than MAX_JSON_CONTENT_LENGTH (uploads: MAX_CONTENT_LENGTH)."
    )
    template = N_(
        "The request body is larger than {maximum} bytes ({limit}); send less, or split an "
        "upload into smaller files."
    )
