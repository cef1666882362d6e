"""Login, logout and the account page (API tokens)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user

from procurement.auth import services
from procurement.web.auth import LoginUser, page_actor
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
    error = None
    if request.method == "POST":
        user = services.authenticate(
            get_session(),
            username=request.form.get("username", "").strip(),
            password=request.form.get("password", ""),
        )
        if user is not None:
            login_user(LoginUser(user))
            return redirect(_safe_next(request.args.get("next")))
        error = _("Unknown username or wrong password.")
    return render_template("auth/login.html", error=error), 401 if error else 200


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("auth_pages.login"))


@bp.get("/account")
@login_required
def account():
    tokens = services.list_tokens(get_session(), actor=page_actor())
    return render_template("auth/account.html", tokens=tokens)


@bp.post("/account/tokens")
@login_required
def create_token():
    issued = services.create_token(
        get_session(), actor=page_actor(), name=request.form.get("name", ""), now=now()
    )
    flash(
        _(
            "Token created. Copy it now, it will not be shown again: %(secret)s",
            secret=issued.secret,
        ),
        "success",
    )
    return redirect(url_for("auth_pages.account"))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    services.revoke_token(get_session(), actor=page_actor(), token_id=token_id, now=now())
    flash(_("Token revoked."), "success")
    return redirect(url_for("auth_pages.account"))
