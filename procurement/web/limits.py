"""The web side of the platform's limits (``core/limits.py``): body size per request, JSON depth,
ids in URLs, and the refusals that name them.

- A URL's ``<int:...>`` accepts only ids the database can hold: a larger one is a 404 (an id that
  cannot exist), not an overflow in the driver. Registered once for every route.
- A JSON body may be at most ``MAX_JSON_CONTENT_LENGTH`` bytes and ``MAX_JSON_DEPTH`` deep; an
  upload (multipart/form-data) at most ``MAX_CONTENT_LENGTH`` bytes. Too large is a 413 problem
  that names the setting.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, current_app, g, request
from flask.json.provider import DefaultJSONProvider
from flask_smorest.spec.plugins import integerconverter2paramschema
from webargs import core as webargs_core
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter

from procurement.core.errors import TooLarge
from procurement.core.limits import DB_INT_MAX, MAX_JSON_DEPTH
from procurement.core.messages import N_
from procurement.web.errors import BodyTooDeep, NulCharacters

UPLOAD_MIMETYPE = "multipart/form-data"
NUL_MESSAGE = N_("Contains a NUL character (\\u0000), which cannot be stored; remove it.")


class DatabaseIntConverter(IntegerConverter):
    """``<int:...>`` bounded by the database's BIGINT: a larger id matches no route (404)."""

    def __init__(self, url_map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(url_map, *args, **kwargs)


def json_depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed JSON value (a scalar is 0)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _too_deep() -> TooLarge:
    return BodyTooDeep(maximum=MAX_JSON_DEPTH, limit="MAX_JSON_DEPTH")


def loads_bounded(text: str | bytes, **kwargs: Any) -> Any:
    """``json.loads`` that refuses a document nested deeper than ``MAX_JSON_DEPTH``.

    The C parser recurses once per level and raises RecursionError far below a body's size
    limit; that, and anything parsed but deeper than the limit, is a :class:`TooLarge`."""
    try:
        value = json.loads(text, **kwargs)
    except RecursionError:
        raise _too_deep() from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise _too_deep()
    return value


class BoundedJSONProvider(DefaultJSONProvider):
    """``request.get_json()`` with the depth limit."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads_bounded(s, **kwargs)


class BoundedParser(FlaskParser):
    """webargs' parser (used by every ``@blp.arguments``) with the depth limit."""

    def _raw_load_json(self, req):  # type: ignore[override]
        if not webargs_core.is_json(req.mimetype):
            return webargs_core.missing
        data = req.get_data(cache=True)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            # As webargs' own parse_json: a 400 "Invalid JSON body."
            raise json.JSONDecodeError(exc.reason, str(exc.object), exc.start) from exc
        return loads_bounded(text)


def _limit_body_size() -> None:
    """Uploads may be as large as MAX_CONTENT_LENGTH; every other body MAX_JSON_CONTENT_LENGTH."""
    if request.mimetype == UPLOAD_MIMETYPE:
        g.body_limit = "MAX_CONTENT_LENGTH"
    else:
        g.body_limit = "MAX_JSON_CONTENT_LENGTH"
    request.max_content_length = current_app.config[g.body_limit]


def _refuse_nul_in_forms() -> None:
    """Page forms, query strings and path segments reach services as plain strings: one with a
    NUL (which no column stores) is a 422 here, for every page and API operation at once. JSON
    bodies are checked by the API's base Schema (which also catches lone surrogates)."""
    pairs = list(request.args.items(multi=True))
    pairs += [(k, v) for k, v in (request.view_args or {}).items() if isinstance(v, str)]
    if request.mimetype in (UPLOAD_MIMETYPE, "application/x-www-form-urlencoded"):
        pairs += list(request.form.items(multi=True))
    # A multipart field whose name werkzeug cannot read (a line break in it) comes as None.
    errors = {
        name: [NUL_MESSAGE] for name, value in pairs if "\x00" in f"{name or ''}{value or ''}"
    }
    if errors:
        raise NulCharacters(errors=errors)


def body_limit() -> tuple[str, int | None]:
    """The name and value of the body-size limit of the current request."""
    name = g.get("body_limit", "MAX_CONTENT_LENGTH")
    return name, current_app.config.get(name)


def register(app: Flask) -> None:
    """Install the limits on an app; call before any blueprint adds its routes."""
    app.url_map.converters["int"] = DatabaseIntConverter
    app.json = BoundedJSONProvider(app)
    app.before_request(_limit_body_size)
    app.before_request(_refuse_nul_in_forms)


def register_api(api) -> None:
    """Document the bounded ``int`` converter like werkzeug's (with its maximum)."""
    api.register_converter(DatabaseIntConverter, integerconverter2paramschema)
