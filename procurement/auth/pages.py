"""Login, logout, the account page (API tokens, password) and an organization's admin
managing its users."""

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
from sqlalchemy import or_

from procurement.auth import services
from procurement.auth.models import Role, User
from procurement.auth.passwords import PASSWORD_MIN_LENGTH, PasswordProblem, password_problems
from procurement.auth.schemas import MemberCreateSchema, MemberRoleSchema, PasswordResetSchema
from procurement.auth.services import logins
from procurement.auth.services import members as member_services
from procurement.core.errors import Conflict, DomainError, ValidationFailed
from procurement.web.auth import LoginUser, page_actor
from procurement.web.forms import PageForm
from procurement.web.labels import label
from procurement.web.listing import Choice, Listing, Sort, Text
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


# ---- an organization's admin manages its users ----------------------------------------------

MEMBERS = Listing(
    filters=(
        Text(
            "q",
            _l("Username or name"),
            lambda q, v: q.where(
                or_(User.username.ilike(f"%{v}%"), User.display_name.ilike(f"%{v}%"))
            ),
        ),
        Choice("role", _l("Role"), Role, lambda q, v: q.where(User.role == v)),
        Choice(
            "state",
            _l("State"),
            lambda: MEMBER_STATES,
            lambda q, v: q.where(User.active.is_(v == "active")),
        ),
    ),
    sorts=(
        Sort("username", _l("Username"), User.username),
        Sort("created", _l("Added"), User.created_at),
    ),
    default_sort="username",
    tiebreak=User.id,
)
MEMBER_STATES = (("active", _l("Active")), ("inactive", _l("Deactivated")))


def role_choices() -> list[tuple[str, str]]:
    """The roles with their labels in the page's language (so: per request)."""
    return [(r.value, label(r)) for r in Role]


TAKEN = "duplicate-user"


def _policy_errors(form: PageForm, username: str) -> None:
    """The password policy's refusals beside the password field, in the page's language."""
    password = form.data.get("password")
    if password:
        for problem in password_problems(password, username=username):
            form.errors.setdefault("password", []).append(str(PASSWORD_MESSAGES[problem]))


@bp.get("/account/users")
@login_required
def members():
    """The users of your organization (admins only)."""
    page = MEMBERS.paginate(get_session(), member_services.members(page_actor()))
    return render_template("auth/members.html", page=page)


@bp.route("/account/users/new", methods=["GET", "POST"])
@login_required
def member_new():
    """Add a user to your organization; a generated password is shown once."""
    member_services.require_admin(page_actor(), "add users")
    form = PageForm(MemberCreateSchema(), initial={"role": Role.STAFF.value})
    if form.submitted and form.validate():
        _policy_errors(form, form.data["username"])
    if form.submitted and form.data and not form.errors:
        try:
            added = member_services.add_member(
                get_session(), actor=page_actor(), now=now(), **form.data
            )
        except DomainError as error:
            form.refuse(error)
            if getattr(error, "code", "") == TAKEN:
                form.errors = {"username": [_("This username is taken; choose another.")]}
        else:
            return _member_page(added.user, new_password=added.password, status=201)
    page = render_template("auth/member_new.html", form=form, roles=role_choices())
    return page, form.status


def _member_page(user, *, new_password: str | None = None, status: int = 200):
    page = render_template(
        "auth/member.html",
        user=user,
        roles=role_choices(),
        new_password=new_password,
        form=PageForm(PasswordResetSchema(), {}),
    )
    # A page showing a password must not be kept by the browser or a proxy.
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/account/users/<int:user_id>")
@login_required
def member(user_id: int):
    user = member_services.get_member(get_session(), actor=page_actor(), user_id=user_id)
    return _member_page(user)


@bp.post("/account/users/<int:user_id>/role")
@login_required
def member_role(user_id: int):
    form = PageForm(MemberRoleSchema())
    if form.validate():
        try:
            user = member_services.set_role(
                get_session(),
                actor=page_actor(),
                user_id=user_id,
                role=form.data["role"],
                now=now(),
            )
        except Conflict as error:
            get_session().rollback()
            flash(_last_admin(error), "error")
        else:
            flash(
                _("%(user)s is now: %(role)s.", user=user.username, role=label(user.role)),
                "success",
            )
    return redirect(url_for(".member", user_id=user_id))


@bp.post("/account/users/<int:user_id>/active")
@login_required
def member_active(user_id: int):
    active = request.form.get("active") == "1"
    try:
        user = member_services.set_active(
            get_session(), actor=page_actor(), user_id=user_id, active=active, now=now()
        )
    except Conflict as error:
        get_session().rollback()
        flash(_last_admin(error), "error")
    else:
        done = (
            _("%(user)s can log in again.")
            if active
            else _(
                "%(user)s is deactivated: their sessions ended and their API tokens are revoked."
            )
        )
        flash(done % {"user": user.username}, "success")
    return redirect(url_for(".member", user_id=user_id))


def _last_admin(error: Conflict) -> str:
    if getattr(error, "code", "") == "last-admin":
        return _("This is your organization's last active admin; make another user an admin first.")
    return str(error.detail)


@bp.post("/account/users/<int:user_id>/password")
@login_required
def member_password(user_id: int):
    """Reset a user's password: the admin's choice (under the policy) or a generated one,
    shown once; the user's sessions end."""
    session, actor = get_session(), page_actor()
    user = member_services.get_member(session, actor=actor, user_id=user_id)
    form = PageForm(PasswordResetSchema())
    if form.validate():
        _policy_errors(form, user.username)
    if not form.errors:
        shown = member_services.reset_password(
            session, actor=actor, user_id=user_id, password=form.data["password"], now=now()
        )
        flash(
            _("The password of %(user)s was reset; their sessions ended.", user=user.username),
            "success",
        )
        return _member_page(user, new_password=shown)
    page = render_template(
        "auth/member.html", user=user, roles=role_choices(), form=form, new_password=None
    )
    return page, 422, {"Cache-Control": "no-store"}
