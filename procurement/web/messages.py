"""Messages made outside our code, translated when shown: marshmallow's and its validators'
field errors (already filled in, e.g. "Must be greater than or equal to 1."), HTTP reason
phrases and Flask-WTF's CSRF reasons.

The msgids below are marked for the catalog only. A message is translated by its exact msgid or,
when it was filled in from a template (``"Length must be between {min} and {max}."``), by
matching it against every msgid with named fields and filling the translation with the values
found (:func:`translate_message`, installed as the domain errors' translator).
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

from flask import has_request_context
from flask_babel import get_locale, get_translations

from procurement.core.messages import N_

MARSHMALLOW = (
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid type."),
    N_("Invalid input type."),
    N_("Invalid input."),
    N_("Unknown field."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Not a valid string."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid time."),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid email address."),
    N_("Not a valid URL."),
    N_("Not a valid UUID."),
    N_("Not a valid tuple."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid period of time."),
    N_("Not a valid {obj_type}."),
    N_("Not a valid {awareness} {obj_type}."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("String does not match expected pattern."),
    N_("Must be one of: {choices}."),
    N_("Must be equal to {other}."),
    N_("Length must be between {min} and {max}."),
    N_("Length must be {equal}."),
    N_("Longer than maximum length {max}."),
    N_("Shorter than minimum length {min}."),
    N_("Must be greater than or equal to {min}."),
    N_("Must be greater than {min}."),
    N_("Must be less than or equal to {max}."),
    N_("Must be less than {max}."),
    N_("Must be greater than or equal to {min} and less than or equal to {max}."),
    N_("Must be greater than {min} and less than {max}."),
    N_("Must be greater than or equal to {min} and less than {max}."),
    N_("Must be greater than {min} and less than or equal to {max}."),
    N_('"{input}" cannot be formatted as a date.'),
    N_('"{input}" cannot be formatted as a {obj_type}.'),
)

HTTP_REASONS = (
    N_("Bad Request"),
    N_("Unauthorized"),
    N_("Forbidden"),
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Request Entity Too Large"),
    N_("Unsupported Media Type"),
    N_("Unprocessable Entity"),
    N_("Precondition Failed"),
    N_("Precondition Required"),
    N_("Too Many Requests"),
    N_("Internal Server Error"),
)

CSRF_REASONS = (
    N_("The CSRF token is missing."),
    N_("The CSRF session token is missing."),
    N_("The CSRF token has expired."),
    N_("The CSRF token is invalid."),
    N_("The CSRF tokens do not match."),
    N_("The referrer header is missing."),
    N_("The referrer header is malformed."),
    N_("The referrer does not match the host."),
)

MAX_DEPTH = 3  # sentences nest (a reason inside a reason) this deep at most
MIN_LITERAL = 6  # a pattern needs this many fixed characters, so "{summary}" matches nothing


def translate_message(message: str) -> str:
    """``message`` in the request's language (English outside a request, e.g. in the CLI)."""
    if not has_request_context() or not message:
        return message
    return _translate(str(message), depth=MAX_DEPTH)


def _translate(message: str, depth: int) -> str:
    translations = get_translations()
    exact = translations.gettext(message)
    if exact != message or depth == 0:
        return exact
    for pattern, msgid in _patterns(str(get_locale())):
        found = pattern.fullmatch(message)
        if found:
            values = {k: _translate(v, depth - 1) for k, v in found.groupdict().items()}
            try:
                return _plain_fields(translations.gettext(msgid)).format(**values)
            except (KeyError, IndexError, ValueError):
                return message
    return message


def _plain_fields(template: str) -> str:
    """The template with each field's format spec and conversion dropped: the values found in a
    filled-in message are already text ("1.00", not the number 1)."""
    out = []
    for text, name, _spec, _conversion in string.Formatter().parse(template):
        out.append(text.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            out.append("{" + name + "}")
    return "".join(out)


@lru_cache(maxsize=8)
def _patterns(locale: str) -> list[tuple[re.Pattern[str], str]]:
    """Every translated msgid with named fields, as a pattern, most specific first."""
    catalog = getattr(get_translations(), "_catalog", {})
    found = []
    for msgid in catalog:
        if isinstance(msgid, str) and "{" in msgid:
            compiled = _compile(msgid)
            if compiled is not None:
                found.append(compiled)
    found.sort(key=lambda item: -item[2])
    return [(pattern, msgid) for pattern, msgid, _literal in found]


def _compile(msgid: str) -> tuple[re.Pattern[str], str, int] | None:
    try:
        parts = list(string.Formatter().parse(msgid))
    except ValueError:
        return None
    regex, literal, names = "", 0, set()
    for text, name, _spec, _conversion in parts:
        regex += re.escape(text)
        literal += len(text)
        if name is not None:
            if not name.isidentifier() or name in names:
                return None
            names.add(name)
            regex += f"(?P<{name}>.+?)"
    if not names or literal < MIN_LITERAL:
        return None
    return re.compile(regex, re.DOTALL), msgid, literal
