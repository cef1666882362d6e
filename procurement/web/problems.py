"""RFC 9457 problem details for every refusal.

Domain errors (``core/errors.py``) carry a code but no status; this module maps their base
classes to HTTP statuses and renders ``application/problem+json``. Plain HTTP errors (404 for an
unknown URL, 405, 413, webargs' 422) are rendered the same way by :class:`procurement.web.api.Api`.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import Flask, Response, current_app, g, json, render_template, request
from flask_wtf.csrf import CSRFError
from marshmallow import INCLUDE, Schema, fields
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from procurement.core.errors import (
    N_,
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    RuleViolation,
    StaleVersion,
    Throttled,
    TooLarge,
    Unauthenticated,
    translate,
)
from procurement.web.errors import CsrfFailed, RequestNotValid

log = logging.getLogger(__name__)

STATUS_BY_CLASS: tuple[tuple[type[DomainError], int], ...] = (
    (TooLarge, 413),
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
    (Unauthenticated, 401),
    (Throttled, 429),
    (RuleViolation, 422),
    (DomainError, 400),
)

HTTP_DETAILS = {
    400: N_("The request could not be understood; check its syntax."),
    401: N_("Log in, or send an API token as 'Authorization: Bearer <token>'."),
    403: N_("Your organization or role may not do this."),
    404: N_("There is nothing at this address; check the URL and the id."),
    405: N_("This address does not accept that method; see the API docs at /api/v1/docs."),
    413: N_("The upload is too large; split it into smaller files."),
    415: N_("Send the body as application/json (or the upload as multipart/form-data)."),
    422: N_("Some fields are not valid; see 'errors' for what to fix in each."),
    428: N_("Send If-Match with the ETag you last read, so edits do not overwrite each other."),
    412: N_("Someone changed this since you read it; reload it and apply your change again."),
}


class ProblemSchema(Schema):
    """RFC 9457 problem details (documentation of the error payload). Besides these members a
    problem carries its parameters as extension members (``tender_id``, ``retry_after``, ...)."""

    class Meta:
        unknown = INCLUDE  # documented as additionalProperties: extension members

    type = fields.String(
        required=True,
        metadata={"description": "URI that identifies the problem type, or about:blank"},
    )
    title = fields.String(
        required=True, metadata={"description": "Short summary of the problem type"}
    )
    status = fields.Integer(required=True, metadata={"description": "The HTTP status"})
    detail = fields.String(
        required=True, metadata={"description": "What happened and what to do about it"}
    )
    instance = fields.String(
        metadata={"description": "The request's path and id (quote it when reporting)"}
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Field errors: field name -> messages"},
    )


def problem_response(
    status: int,
    *,
    code: str | None,
    title: str,
    detail: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """Build an ``application/problem+json`` response."""
    if _wants_html():
        page = _html_problem(status, title=title, detail=detail, errors=extra.get("errors"))
        page.headers.update(headers or {})
        return page
    base = current_app.config["PROBLEM_TYPE_BASE"]
    body: dict[str, Any] = {
        "type": f"{base}{code}" if code else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": f"{request.path}#{_request_id()}",
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        mimetype="application/problem+json",
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _wants_html() -> bool:
    """Pages get an HTML error page; the API (and any JSON client) gets problem+json."""
    if request.path.startswith("/api/"):
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def _html_problem(status: int, *, title: str, detail: str, errors: Any) -> Response:
    problem = {"title": title, "detail": detail, "errors": errors or {}}
    return current_app.response_class(render_template("error.html", problem=problem), status=status)


def _request_id() -> str:
    if "request_id" not in g:
        g.request_id = request.headers.get("X-Request-Id") or uuid.uuid4().hex[:16]
    return g.request_id


def status_for(error: DomainError | type[DomainError]) -> int:
    """The HTTP status of a problem (an error or its class), by its base class."""
    cls = error if isinstance(error, type) else type(error)
    for base, status in STATUS_BY_CLASS:
        if issubclass(cls, base):
            return status
    return 400


def handle_domain_error(error: DomainError) -> Response:
    headers = {"Retry-After": str(error.retry_after)} if isinstance(error, Throttled) else None
    return problem_response(
        status_for(error),
        code=error.code,
        title=translate(error.title),
        detail=error.detail,
        headers=headers,
        **error.extra,
    )


def handle_stale_data(_error: StaleDataError) -> Response:
    return handle_domain_error(StaleVersion())


def flatten_messages(messages: Any) -> dict[str, list[str]]:
    """webargs nests errors by location (json, query, files) and by nested field; flatten them
    to ``{"field.sub": ["message"]}``."""
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            flat.setdefault(prefix or "_schema", []).extend(value)
        elif isinstance(value, list):
            for index, sub in enumerate(value):
                walk(f"{prefix}.{index}", sub)
        else:
            flat.setdefault(prefix or "_schema", []).append(str(value))

    if isinstance(messages, dict):
        for location, value in messages.items():
            walk(
                ""
                if location in ("json", "query", "form", "files", "headers", "view_args")
                else str(location),
                value,
            )
    else:
        walk("", messages)
    return flat


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    if status >= 500:
        log.error("HTTP %s on %s", status, request.path, exc_info=error)
        return _internal_error(status)
    if isinstance(error, CSRFError):
        return handle_domain_error(CsrfFailed(reason=translate(error.description or "")))
    if status == 413:
        return _body_too_large()
    data = getattr(error, "data", None) or {}
    if "messages" in data or "errors" in data:
        errors = flatten_messages(data.get("errors") or data.get("messages"))
        problem = RequestNotValid(errors=errors, fields=", ".join(sorted(errors)))
        if status == 422:
            return handle_domain_error(problem)
        return problem_response(  # e.g. webargs' 400 for a body that is not JSON
            status,
            code=None,
            title=translate(error.name),
            detail=problem.detail,
            headers=data.get("headers"),
            **problem.extra,
        )
    detail = translate(HTTP_DETAILS.get(status, error.description or ""))
    if data.get("message"):
        detail = translate(data["message"])
    code = "validation-failed" if status == 422 else None
    return problem_response(
        status,
        code=code,
        title=translate(error.name),
        detail=detail,
        headers=data.get("headers"),
    )


def _body_too_large() -> Response:
    from procurement.web.errors import BodyTooLarge
    from procurement.web.limits import body_limit

    name, maximum = body_limit()
    return handle_domain_error(BodyTooLarge(limit=name, maximum=maximum))


INTERNAL_TITLE = N_("Internal error")
INTERNAL_DETAIL = N_(
    "Something went wrong on our side; the request changed nothing. Quote the instance id when "
    "reporting it."
)


def _internal_error(status: int = 500) -> Response:
    return problem_response(
        status, code=None, title=translate(INTERNAL_TITLE), detail=translate(INTERNAL_DETAIL)
    )


def handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error on %s", request.path)
    return _internal_error()


def register(app: Flask) -> None:
    from procurement.web import problem_docs

    problem_docs.register(app)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(StaleDataError, handle_stale_data)
    app.register_error_handler(HTTPException, handle_http_exception)
    if not app.testing or app.config.get("PROPAGATE_EXCEPTIONS") is False:
        app.register_error_handler(Exception, handle_unexpected)
