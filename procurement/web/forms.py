"""Page forms: read through the area's marshmallow schema (the API's), re-shown with what was
typed and each error beside its field; and every POST form safe to send twice.

In a view::

    form = PageForm(DemandSchema())
    if form.submitted and form.validate():
        try:
            services.report_demand(session, ..., **form.data)
        except DomainError as error:
            form.refuse(error)           # field errors beside their fields, the rest on top
        else:
            return redirect(...)
    return render_template("...", form=form), form.status

Field names are the schema's, nested with dots (``lines.0.packs``), the same paths the API's
problem ``errors`` use, so a service's field error lands beside the input that caused it. An
empty input counts as not given (so "required" reads "required", not "not a valid date").

**Sent twice.** ``{{ form_guard() }}`` puts the CSRF token and a one-time form key in a form.
The first POST carrying a key claims it; when it succeeds, the key remembers where it led. A
second POST with the same key (a double click, a reload, the back button) changes nothing and
goes where the first one went, with a note saying so. A POST that fails (re-shown with errors)
(re-shown with errors, or sent back with an error message) gives its key back.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask, Response, flash, g, redirect, render_template, request
from flask import session as flask_session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from marshmallow import Schema, ValidationError
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from procurement.auth.models import FormSubmission
from procurement.core.errors import DomainError
from procurement.core.messages import Message, translated
from procurement.web.messages import translate_message
from procurement.web.session import get_session, now

FORM_KEY = "form_key"
FORM_KEY_BYTES = 24  # 32 characters of URL-safe text
FORM_KEY_KEPT = timedelta(days=1)  # a key older than this may be sent again as new
FORM_ERRORS = "_form"  # errors that belong to no one field
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")  # what pages send


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as ``{"lines.0.packs": ["..."]}``."""
    if isinstance(messages, Mapping):
        out: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = FORM_ERRORS if key == "_schema" else f"{prefix}{key}"
            out |= (
                flatten(value, f"{name}.")
                if isinstance(value, Mapping)
                else {name: list(value) if isinstance(value, list) else [value]}
            )
        return out
    return {prefix.rstrip(".") or FORM_ERRORS: [messages]}


def nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    """``{"lines.0.packs": "3"}`` as ``{"lines": [{"packs": "3"}]}`` (numbered parts are list
    positions, in order)."""
    tree: dict[str, Any] = {}
    for name, value in flat.items():
        node = tree
        parts = name.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return _lists(tree)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _lists(value) for key, value in node.items()}


class PageForm:
    """One form on a page: its input as typed, its errors by field, its loaded data."""

    def __init__(
        self,
        schema: Schema,
        values: Mapping[str, Any] | None = None,
        *,
        initial: Mapping[str, Any] | None = None,
        partial: bool = False,
    ) -> None:
        self.schema = schema
        self.submitted = values is not None or request.method == "POST"
        raw = request.form if values is None else values
        given = {k: v for k, v in raw.items() if k not in (FORM_KEY, "csrf_token")}
        self.values: dict[str, Any] = dict(initial or {}) | (given if self.submitted else {})
        self.errors: dict[str, list[str]] = {}
        self.data: dict[str, Any] = {}
        self.partial = partial

    def validate(self) -> bool:
        typed = {
            k: v.strip() if isinstance(v, str) else v
            for k, v in self.values.items()
            if not (isinstance(v, str) and not v.strip())
        }
        try:
            self.data = self.schema.load(nest(typed), partial=self.partial)
        except ValidationError as error:
            self.errors = flatten(error.messages)
            return False
        return True

    def refuse(self, error: DomainError) -> None:
        """Show a service's refusal: its field errors beside their fields, the rest on top.
        The request's session is rolled back (nothing of the failed step stays)."""
        get_session().rollback()
        fields = error.extra.get("errors") or {}
        for name, messages in flatten(fields).items():
            self.errors.setdefault(name, []).extend(messages)
        if not fields:
            self.errors.setdefault(FORM_ERRORS, []).append(error.detail)

    def value(self, name: str, default: Any = "") -> Any:
        value = self.values.get(name, default)
        return "" if value is None else value

    def error(self, name: str) -> list[str]:
        """The field's errors in the page's language (marshmallow's, a service's)."""
        return [
            translated(m) if isinstance(m, Message) else translate_message(str(m))
            for m in self.errors.get(name, [])
        ]

    @property
    def status(self) -> int:
        """422 when re-shown with errors (the browser shows it the same), else 200."""
        return 422 if self.errors else 200


def form_guard() -> Markup:
    """The hidden inputs every POST form carries: the CSRF token and a one-time form key."""
    key = secrets.token_urlsafe(FORM_KEY_BYTES)
    return Markup(
        f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
        f'<input type="hidden" name="{FORM_KEY}" value="{key}">'
    )


def _claim() -> Response | None:
    """Before a POST view: claim its form key, or answer a repeat without running the view."""
    if request.method != "POST" or request.mimetype not in FORM_TYPES:
        return None  # an API call (JSON) carries no form key: nothing to look at
    key = request.form.get(FORM_KEY, "")
    if not key or len(key) > 2 * FORM_KEY_BYTES:
        return None
    session = get_session()
    moment = now()
    user = getattr(current_user, "user_id", None) if current_user.is_authenticated else None
    session.execute(delete(FormSubmission).where(FormSubmission.sent_at < moment - FORM_KEY_KEPT))
    session.add(FormSubmission(key=key, user_id=user, sent_at=moment))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        first = session.get(FormSubmission, key)
        if first is not None and first.location:
            flash(_("This form was already sent; nothing was done twice."), "info")
            return redirect(first.location, code=303)
        body = render_template(
            "error.html",
            status=409,
            title=_("Already being sent"),
            detail=_("This form is being sent; wait a moment, then reload the page."),
        )
        return Response(body, 409, mimetype="text/html")
    g.form_key = key
    g.form_error_flashes = _error_flashes()
    return None


def _error_flashes() -> int:
    """Error messages flashed so far (a page that refuses by flashing and redirecting)."""
    return sum(1 for category, _message in flask_session.get("_flashes", []) if category == "error")


def _settle(response: Response) -> Response:
    """After the view: a success remembers where it led; a failure gives the key back."""
    key = g.pop("form_key", None)
    if key is None:
        return response
    session = get_session()
    session.rollback()  # whatever the view left open is not ours to keep
    failed = response.status_code >= 400 or _error_flashes() > g.pop("form_error_flashes", 0)
    if not failed:
        location = response.location or request.referrer or request.path
        session.execute(
            update(FormSubmission).where(FormSubmission.key == key).values(location=location)
        )
    else:
        session.execute(delete(FormSubmission).where(FormSubmission.key == key))
    session.commit()
    return response


def register(app: Flask) -> None:
    app.jinja_env.globals["form_guard"] = form_guard
    app.before_request(_claim)
    app.after_request(_settle)
