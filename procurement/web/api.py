"""Local Api, Blueprint and Schema base classes (flask-smorest), and the conventions that make
the OpenAPI document (/api/v1/openapi.json) the API's contract.

tests/api/test_schemathesis.py checks every operation against the document (no server error,
only documented statuses and media types, bodies that match their schemas), as each
organization kind and anonymously; a new operation passes it when it follows these rules:

- Success: ``@blp.response(status, Schema)`` for the body it sends (also for a body the view
  builds itself); another success status or media type is an ``@blp.alt_response`` (``schema=``,
  or ``content_type=`` with :data:`FILE_SCHEMA` for a download); a 204 has no schema.
- Problems are not declared by hand: :class:`procurement.web.openapi.ProblemsPlugin` adds the
  ``application/problem+json`` responses (schema ``Problem``) each operation can answer with,
  from its parameters, body and method (its docstring lists the rule). Declare only a status it
  cannot infer: ``@blp.alt_response(409, response="CONFLICT", success=False)``.
- Headers: an ``Idempotency-Key`` the view reads is ``@blp.doc(parameters=[IDEMPOTENCY_KEY])``
  (or :data:`IDEMPOTENCY_KEY_REQUIRED`); an ``If-Match`` is ``IF_MATCH``; a response's ``ETag``
  or ``Location`` is ``headers=ETAG_HEADER`` / ``LOCATION_HEADER`` on its ``@blp.response``.
- Uploads: ``@blp.arguments(UploadSchema, location="files")`` or, when the view reads
  ``request.files`` itself, ``@blp.doc(requestBody=UPLOAD_BODY)``.
- Types: money is :class:`StrictDecimal` or ``fields.Decimal(as_string=True)`` (documented as a
  string with :data:`DECIMAL_PATTERN`, ``format: decimal``); quantities are ``fields.Integer``;
  a state is ``fields.Enum`` (its values are listed); a field that can be null says
  ``allow_none=True`` (dump-only fields too: the document says ``nullable``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from http import HTTPStatus
from typing import Any

import flask_smorest
import simplejson
from flask import Response
from flask_smorest.utils import prepare_response
from marshmallow import Schema as MaSchema
from marshmallow import ValidationError, fields, pre_load, validate

from procurement.core import limits
from procurement.core.messages import N_, Message
from procurement.core.money import has_places
from procurement.web import problems
from procurement.web.limits import NUL_MESSAGE, BoundedParser
from procurement.web.openapi import PROBLEM_JSON, ProblemsPlugin


class Api(flask_smorest.Api):
    """flask-smorest Api whose every error is an RFC 9457 problem, documented as one."""

    ERROR_SCHEMA = problems.ProblemSchema
    DEFAULT_ERROR_RESPONSE_NAME = None  # each operation lists its problems (ProblemsPlugin)

    def handle_http_exception(self, error):  # type: ignore[override]
        return problems.handle_http_exception(error)

    def _init_spec(self, *args: Any, **kwargs: Any) -> None:
        kwargs["extra_plugins"] = [*kwargs.get("extra_plugins", ()), ProblemsPlugin()]
        super()._init_spec(*args, **kwargs)
        self.ma_plugin.converter.add_attribute_function(_decimal_string2properties)
        self.ma_plugin.converter.add_attribute_function(_enum_type2properties)

    def _register_responses(self) -> None:
        """A response per HTTP status for operations to refer to by name (``NOT_FOUND``): an
        ``application/problem+json`` Problem (429 with its ``Retry-After``)."""
        for status in HTTPStatus:
            if status < 400:
                continue
            response: dict[str, Any] = {"description": status.phrase, "schema": self.ERROR_SCHEMA}
            if status == HTTPStatus.TOO_MANY_REQUESTS:
                response["headers"] = {"Retry-After": RETRY_AFTER}
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)


RETRY_AFTER = {
    "description": "Seconds to wait before trying again",
    "schema": {"type": "integer", "minimum": 0},
}
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
"""Money on the wire: a decimal string (``"12.34"``, ``"0.2000"``), never a JSON number."""


def _decimal_string2properties(_converter: Any, field: Any, **_kwargs: Any) -> dict[str, Any]:
    """Amounts and prices travel as strings (``as_string``): document them as such, not as
    the JSON number apispec assumes for every Decimal."""
    if isinstance(field, fields.Decimal) and field.as_string:
        return {"type": "string", "format": "decimal", "pattern": DECIMAL_PATTERN}
    return {}


def _enum_type2properties(_converter: Any, field: Any, **_kwargs: Any) -> dict[str, Any]:
    """A state sent by value (``fields.Enum(..., by_value=True)`` of a StrEnum) is a string:
    apispec lists its values but gives no type."""
    if isinstance(field, fields.Enum) and all(isinstance(m.value, str) for m in field.enum):
        return {"type": "string"}
    return {}


def enum_doc(enum: type[StrEnum]) -> dict[str, Any]:
    """``fields.Function(lambda x: x.status.value, metadata=enum_doc(Status))``: document a
    state a function field sends as the string enum it is."""
    return {"type": "string", "enum": [member.value for member in enum]}


MAX_KEY_LENGTH = 200  # characters of an Idempotency-Key (IdempotencyKey.key), blanks stripped
IDEMPOTENCY_KEY: dict[str, Any] = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    "description": "A key of your choice per new request: a retry with the same key and body "
    "returns the first result (200) and creates nothing twice; the same key with another body "
    "is a 409 problem.",
}
IDEMPOTENCY_KEY_REQUIRED: dict[str, Any] = {**IDEMPOTENCY_KEY, "required": True}
IF_MATCH: dict[str, Any] = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string", "pattern": r'^(W/)?"[0-9]+"$'},
    "description": 'The ETag you last read (e.g. "3"): a change to an older version is a 412 '
    "problem, a change without it a 428 problem.",
}
ETAG_HEADER = {
    "ETag": {
        "description": 'The version of what was sent (e.g. "3"); send it back as If-Match',
        "schema": {"type": "string"},
    }
}
LOCATION_HEADER = {
    "Location": {"description": "The address of what was created", "schema": {"type": "string"}}
}
FILE_SCHEMA = {"type": "string", "format": "binary"}
CSV = "text/csv"


def download_doc(*content_types: str) -> dict[str, Any]:
    """``@blp.doc(**download_doc(CSV, XLSX_MIMETYPE))``: the 200 response also (or only) sends
    these media types, as files."""
    content = {content_type: {"schema": FILE_SCHEMA} for content_type in content_types}
    return {"responses": {200: {"description": "OK", "content": content}}}


UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"file": {**FILE_SCHEMA, "description": "CSV (UTF-8) or XLSX"}},
                "required": ["file"],
            }
        }
    },
}


def exact_json(data: Any) -> Response:
    """A JSON response whose Decimals are exact number literals (``40.00``, ``0.2000``), for
    formats that require numbers (OCDS) where the API's own schemas send strings. Otherwise
    written as Flask writes JSON: sorted keys, compact, ASCII, a final newline."""
    body = simplejson.dumps(data, use_decimal=True, sort_keys=True, separators=(",", ":"))
    return Response(body + "\n", mimetype="application/json")


class Blueprint(flask_smorest.Blueprint):
    """Area blueprint; every area mounts under /api/v1 (bearer tokens, so no CSRF)."""

    _is_api = True
    ARGUMENTS_PARSER = BoundedParser()

    def arguments(self, schema: Any, *args: Any, **kwargs: Any):
        """As flask-smorest's, with the schema built once here instead of on every request
        (webargs instantiates a schema class per request; loading keeps no state on it)."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)


class Schema(MaSchema):
    """Base schema: unknown fields are refused, so a typo is an error, not silently ignored.

    Every schema also applies the platform's input limits (``core/limits.py``) once for all its
    fields: integers within the database's BIGINT, dates between MIN_DATE and MAX_DATE, and no
    string anywhere in the input (keys included) with a NUL or a lone surrogate, which no
    database column can store."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            _bound(field)

    @pre_load(pass_collection=True)
    def _refuse_unstorable_text(self, data: Any, **_kwargs: Any) -> Any:
        errors: dict[str, list[str]] = {}
        for path, message in _bad_strings(data, ""):
            errors.setdefault(path or "_schema", []).append(message)
        if errors:
            raise ValidationError(errors)
        return data


DB_INT_RANGE = validate.Range(
    min=limits.DB_INT_MIN,
    max=limits.DB_INT_MAX,
    error=N_("Must be between {min} and {max} (DB_INT_MIN..DB_INT_MAX)."),
)


def _date_range(kind: type) -> validate.Range:
    low, high = limits.MIN_DATE, limits.MAX_DATE
    if kind is datetime:
        low, high = (
            datetime.combine(low, datetime.min.time()),
            datetime.combine(high, datetime.max.time()),
        )
    return validate.Range(
        min=low, max=high, error=N_("Must be between {min} and {max} (MIN_DATE..MAX_DATE).")
    )


def _bound(field: fields.Field) -> None:
    """Add the platform-wide range of its type to a field (and to the fields inside it)."""
    if isinstance(field, fields.Integer):
        field.validators.append(DB_INT_RANGE)
    elif isinstance(field, fields.DateTime):
        field.validators.append(_AwareRange(_date_range(datetime)))
    elif isinstance(field, fields.Date):
        field.validators.append(_date_range(date))
    elif isinstance(field, fields.List):
        _bound(field.inner)
    elif isinstance(field, fields.Tuple):
        for inner in field.tuple_fields:
            _bound(inner)
    elif isinstance(field, fields.Dict) and field.value_field is not None:
        _bound(field.value_field)


class _AwareRange:
    """A datetime range check that compares aware and naive values by their wall time."""

    def __init__(self, inner: validate.Range) -> None:
        self.inner = inner

    def __call__(self, value: datetime) -> datetime:
        self.inner(value.replace(tzinfo=None))
        return value


SURROGATE_MESSAGE = N_("Contains a lone surrogate (\\ud800-\\udfff), which is not text; remove it.")


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def _bad_strings(data: Any, path: str):
    """(path, message) for every string in the input that no column can store."""
    if isinstance(data, str):
        message = _text_problem(data)
        if message:
            yield path, message
    elif isinstance(data, dict) or hasattr(data, "items"):
        for key, value in data.items():
            sub = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and _text_problem(key):
                yield sub, _text_problem(key)
            yield from _bad_strings(value, sub)
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            yield from _bad_strings(value, f"{path}.{index}" if path else str(index))


class StrictDecimal(fields.Decimal):
    """A Decimal that must arrive as a string (or int): JSON floats already lost precision.

    On the way in it keeps at most ``max_places`` decimal places (PRICE_PLACES unless told) and
    stays within MAX_MONEY; a value beyond either is refused, never rounded or overflowed.
    ``places`` (marshmallow's) only formats the value on the way out."""

    def __init__(
        self, places: int | None = None, *, max_places: int = limits.PRICE_PLACES, **kwargs: Any
    ) -> None:
        kwargs.setdefault("as_string", True)
        super().__init__(places=places, **kwargs)
        self.max_places = max_places

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any):
        if isinstance(value, float):
            raise ValidationError(
                N_('Send decimal amounts as strings (e.g. "12.3400"), not JSON numbers.')
            )
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.make_error("invalid")
        try:
            number = Decimal(value)
        except (InvalidOperation, ValueError):
            raise self.make_error("invalid") from None
        if not number.is_finite():
            raise self.make_error("special")
        if abs(number) > limits.MAX_MONEY:
            raise ValidationError(
                Message("Must be at most {maximum} (MAX_MONEY).", maximum=limits.MAX_MONEY)
            )
        if not has_places(number, self.max_places):
            name = "AMOUNT_PLACES" if self.max_places == limits.AMOUNT_PLACES else "PRICE_PLACES"
            raise ValidationError(
                Message(
                    "At most {places} decimal places ({name}).", places=self.max_places, name=name
                )
            )
        return number


class Month(fields.String):
    """A calendar month as "YYYY-MM" on the wire, the month's first day once loaded."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> date:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            month = date.fromisoformat(f"{text}-01") if len(text) == 7 else None
        except ValueError:
            month = None
        if month is None:
            raise ValidationError(N_('A month is written "YYYY-MM", e.g. "2026-03".'))
        _date_range(date)(month)
        return month

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else f"{value:%Y-%m}"
