"""Local Api, Blueprint and Schema base classes (flask-smorest)."""

from __future__ import annotations

from typing import Any

import flask_smorest
from marshmallow import Schema as MaSchema
from marshmallow import ValidationError, fields

from procurement.web import problems


class Api(flask_smorest.Api):
    """flask-smorest Api whose every error is an RFC 9457 problem."""

    ERROR_SCHEMA = problems.ProblemSchema

    def handle_http_exception(self, error):  # type: ignore[override]
        return problems.handle_http_exception(error)


class Blueprint(flask_smorest.Blueprint):
    """Area blueprint; every area mounts under /api/v1 (bearer tokens, so no CSRF)."""

    _is_api = True

    def arguments(self, schema: Any, *args: Any, **kwargs: Any):
        """As flask-smorest's, with the schema built once here instead of on every request
        (webargs instantiates a schema class per request; loading keeps no state on it)."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)


class Schema(MaSchema):
    """Base schema: unknown fields are refused, so a typo is an error, not silently ignored."""


class StrictDecimal(fields.Decimal):
    """A Decimal that must arrive as a string (or int): JSON floats already lost precision."""

    def __init__(self, places: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("as_string", True)
        super().__init__(places=places, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any):
        if isinstance(value, float):
            raise ValidationError(
                'Send decimal amounts as strings (e.g. "12.3400"), not JSON numbers.'
            )
        return super()._deserialize(value, attr, data, **kwargs)
