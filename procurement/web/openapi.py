"""The OpenAPI document's conventions applied to every operation at once (an apispec plugin;
:class:`procurement.web.api.Api` installs it; the conventions are listed in that module).

For each operation the plugin adds the problem responses (``application/problem+json``, the
``Problem`` schema) of every status the operation can answer with, read from what it declares:

- every operation: 429 (the API rate limit), and 401 and 403 unless it is public (``security:
  []``);
- a path parameter, an integer query parameter (an id such as ``tender_id``), or a method
  that changes something: 404 (an id that is not there, or not yours to see);
- query parameters: 422 (a value that does not validate);
- a request body: 400 (not JSON), 413 (too large or too deep), 415 (another media type), 422;
- a method that changes something: 409 (the object's state does not allow it) and 422 (a rule);
- an ``Idempotency-Key`` header: 400 (a key that is not 1 to 200 characters) and 409 (a key
  reused with another body);
- an ``If-Match`` header: 412 (not the current ETag) and 428 (missing).

A status the view declares itself (``@blp.alt_response(409, response="CONFLICT")``) is kept.
File fields (``@blp.arguments(UploadSchema, location="files")``, OpenAPI 2's ``formData``) are
folded into a ``multipart/form-data`` request body beside the form's other fields.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from apispec import BasePlugin

PROBLEM_JSON = "application/problem+json"
CHANGING = frozenset({"post", "put", "patch", "delete"})
METHODS = frozenset({"get", *CHANGING})


def problem_statuses(method: str, operation: dict[str, Any], *, has_path_params: bool) -> set[int]:
    """The statuses of the problems an operation can answer with (see the module docstring)."""
    params = operation.get("parameters", [])
    headers = {p.get("name", "").lower() for p in params if p.get("in") == "header"}
    statuses = {429}
    if operation.get("security") != []:
        statuses |= {401, 403}
    names_an_id = any(
        p.get("in") == "query" and p.get("schema", {}).get("type") == "integer" for p in params
    )
    if has_path_params or names_an_id or method in CHANGING:
        statuses.add(404)
    if any(p.get("in") == "query" for p in params):
        statuses.add(422)
    if "requestBody" in operation:
        statuses |= {400, 413, 415, 422}
    if method in CHANGING:
        statuses |= {409, 422}
    if "idempotency-key" in headers:
        statuses |= {400, 409}
    if "if-match" in headers:
        statuses |= {412, 428}
    return statuses


class ProblemsPlugin(BasePlugin):
    """Adds every operation's problem responses and folds file fields into its body."""

    def init_spec(self, spec: Any) -> None:
        super().init_spec(spec)
        self.spec = spec

    def operation_helper(self, path=None, operations=None, **kwargs: Any) -> None:
        has_path_params = "{" in (path or "")
        for method, operation in (operations or {}).items():
            if method not in METHODS:
                continue
            _fold_form_data(operation, self._schema)
            responses = operation.setdefault("responses", {})
            declared = {str(status) for status in responses}
            for status in sorted(
                problem_statuses(method, operation, has_path_params=has_path_params)
            ):
                if str(status) not in declared:
                    responses[status] = HTTPStatus(status).name

    def _schema(self, schema: Any) -> dict[str, Any]:
        """A request body's schema itself, not a reference to it."""
        ref = schema.get("$ref", "") if isinstance(schema, dict) else str(schema)
        if not ref:
            return schema
        return self.spec.components.schemas.get(ref.rsplit("/", 1)[-1], {})


def _fold_form_data(operation: dict[str, Any], resolve: Any) -> None:
    """Move ``in: formData`` parameters (files) into a multipart/form-data request body."""
    params = operation.get("parameters", [])
    files = [p for p in params if p.get("in") == "formData"]
    if not files:
        return
    operation["parameters"] = [p for p in params if p.get("in") != "formData"]
    if not operation["parameters"]:
        del operation["parameters"]
    file_schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            p["name"]: {**p["schema"], "description": p.get("description", "")} for p in files
        },
        "required": sorted(p["name"] for p in files if p.get("required")),
    }
    for content in operation.get("requestBody", {}).get("content", {}).values():
        form = resolve(content["schema"])  # the form's other fields go in the same body
        file_schema["properties"].update(form.get("properties", {}))
        file_schema["required"] += form.get("required", [])
    operation["requestBody"] = {
        "required": True,
        "content": {"multipart/form-data": {"schema": file_schema}},
    }
