"""Who is calling: a bearer token for the API, a Flask-Login session for pages."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Flask, g, redirect, request, url_for
from flask_login import LoginManager, UserMixin, current_user

from procurement.auth.actor import Actor
from procurement.auth.models import OrgKind, User
from procurement.auth.services import actor_for_token, actor_of
from procurement.web.errors import InvalidToken, TokenMissing, WrongPortal
from procurement.web.session import get_session, now

login_manager = LoginManager()


class LoginUser(UserMixin):
    def __init__(self, user: User) -> None:
        # The session keeps "<user id>:<session epoch>"; raising the user's epoch (logout,
        # password change) makes every session saved with the old one anonymous.
        self.id = f"{user.id}:{user.session_epoch}"
        self.user_id = user.id
        self.actor = actor_of(user)
        self.display_name = user.display_name
        self.org_name = user.organization.name
        self.institution_type = user.organization.buyer_type


@login_manager.user_loader
def _load_user(session_id: str) -> LoginUser | None:
    user_id, _sep, epoch = session_id.partition(":")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = get_session().get(User, int(user_id))
    if user is None or not user.active or user.session_epoch != int(epoch):
        return None
    return LoginUser(user)


def bearer_actor() -> Actor | None:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return None
    actor = actor_for_token(get_session(), secret=header.removeprefix("Bearer ").strip(), now=now())
    if actor is None:
        raise InvalidToken()
    return actor


def api_actor(optional: bool = False) -> Actor | None:
    """The actor of an API request (bearer token). Raises 401 unless ``optional``."""
    if "api_actor" not in g:
        g.api_actor = bearer_actor()
    if g.api_actor is None and not optional:
        raise TokenMissing()
    return g.api_actor


def page_actor() -> Actor | None:
    return current_user.actor if current_user.is_authenticated else None


def portal_required(*kinds: OrgKind):
    """Page decorator: log in first; then only these organization kinds may see the page."""

    def decorate(view: Any):
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any):
            if not current_user.is_authenticated:
                return redirect(url_for("auth_pages.login", next=request.full_path))
            if kinds and current_user.actor.org_kind not in kinds:
                raise WrongPortal()
            return view(*args, **kwargs)

        return wrapper

    return decorate


def register(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth_pages.login"
