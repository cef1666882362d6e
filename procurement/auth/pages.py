"""Login, logout and the account page (API tokens)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from procurement.auth import services
from procurement.auth.passwords import PASSWORD_MIN_LENGTH, PasswordProblem, password_problems
from procurement.auth.services import logins
from procurement.core.errors import ValidationFailed
from procurement.web.auth import LoginUser, page_actor
from procurement.web.security import retry_later
from procurement.web.session import get_session, now

bp = Blueprint("auth_pages", __name__, template_folder="templates")


def _safe_next(target: str | None) -> str:
    """Only follow a relative ``next`` on this site (no open redirect)."""
    # Browsers read a backslash as a slash, so "/\\evil.example" would leave the site too.
    if (
        target
        and not urlsplit(target).netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    ):
        return target
    return url_for("site.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("auth/login.html", error=None)
    try:
        user = logins.log_in(
            get_session(),
            username=request.form.get("username", "").strip(),
            password=request.form.get("password", ""),
            address=request.remote_addr,
            now=now(),
            limits=logins.LoginLimits.from_config(current_app.config),
        )
    except logins.LoginThrottled as refused:
        if _prefers_json():
            return retry_later(refused)
        if refused.scope == "account":
            error = _(
                "Too many failed logins for this username. Try again in %(minutes)s minutes.",
                minutes=_minutes(refused.retry_after),
            )
        else:
            error = _(
                "Too many failed logins from your network. Try again in %(minutes)s minutes.",
                minutes=_minutes(refused.retry_after),
            )
        page = render_template("auth/login.html", error=error)
        return page, 429, {"Retry-After": str(refused.retry_after)}
    if user is None:
        error = _("Unknown username or wrong password.")
        return render_template("auth/login.html", error=error), 401
    login_user(LoginUser(user))
    return redirect(_safe_next(request.args.get("next")))


def _prefers_json() -> bool:
    """A script that asks for JSON gets problem+json; a browser gets the login form."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == (
        "application/json"
    )


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


@bp.post("/logout")
def logout():
    """Log out here and on every other device (copied session cookies stop working too)."""
    if current_user.is_authenticated:
        logins.end_sessions(get_session(), user_id=current_user.user_id)
    logout_user()
    return redirect(url_for("auth_pages.login"))


@bp.get("/account")
@login_required
def account():
    return _account_page()


def _account_page(*, new_secret: str | None = None, status: int = 200):
    tokens = services.list_tokens(get_session(), actor=page_actor())
    page = render_template("auth/account.html", tokens=tokens, new_secret=new_secret)
    # A page showing a token's secret must not be kept by the browser or a proxy.
    return page, status, {"Cache-Control": "no-store"}


@bp.post("/account/tokens")
@login_required
def create_token():
    """Create a token and show its secret in this response only: it is never put in the
    session cookie (signed, not encrypted) or anywhere else."""
    issued = services.create_token(
        get_session(), actor=page_actor(), name=request.form.get("name", ""), now=now()
    )
    return _account_page(new_secret=issued.secret, status=201)


PASSWORD_MESSAGES = {
    PasswordProblem.TOO_SHORT: _l("Use at least %(n)s characters.", n=PASSWORD_MIN_LENGTH),
    PasswordProblem.TOO_LONG: _l("This password is too long."),
    PasswordProblem.COMMON: _l("This is one of the most common passwords; choose another."),
    PasswordProblem.USERNAME: _l("The password must not contain your username."),
}


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change your password (the current one is required); your other sessions end."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        errors = _password_form_errors()
        if not errors:
            try:
                user = logins.change_password(
                    get_session(),
                    user_id=current_user.user_id,
                    current_password=request.form.get("current_password", ""),
                    new_password=request.form.get("new_password", ""),
                    now=now(),
                    limits=logins.LoginLimits.from_config(current_app.config),
                )
            except logins.LoginThrottled as refused:
                errors = {"current_password": [_("Too many wrong passwords. Try again later.")]}
                page = render_template(
                    "auth/password.html", errors=errors, min_length=PASSWORD_MIN_LENGTH
                )
                return page, 429, {"Retry-After": str(refused.retry_after)}
            except ValidationFailed as refused:
                errors = _translated(refused.extra.get("errors", {}))
            else:
                login_user(LoginUser(user))  # this session stays, with the new epoch
                flash(_("Password changed. Your other sessions have been logged out."), "success")
                return redirect(url_for("auth_pages.account"))
    page = render_template("auth/password.html", errors=errors, min_length=PASSWORD_MIN_LENGTH)
    return page, 422 if errors else 200


def _password_form_errors() -> dict[str, list[str]]:
    """The policy and confirmation errors, in the page's language (checked again by the service)."""
    new = request.form.get("new_password", "")
    errors: dict[str, list[str]] = {}
    problems = password_problems(new, username=current_user.actor.username)
    if problems:
        errors["new_password"] = [str(PASSWORD_MESSAGES[p]) for p in problems]
    if new != request.form.get("confirm_password", ""):
        errors["confirm_password"] = [_("The two new passwords differ.")]
    return errors


def _translated(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    if "current_password" in errors:
        return {"current_password": [_("The current password is wrong.")]}
    return {"new_password": [_("The new password must differ from the current one.")]}


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    services.revoke_token(get_session(), actor=page_actor(), token_id=token_id, now=now())
    flash(_("Token revoked."), "success")
    return redirect(url_for("auth_pages.account"))
