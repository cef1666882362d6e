"""Site-wide pages (home, health) and CSRF protection for forms."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, jsonify, redirect, render_template, request, url_for
from flask_bootstrap import Bootstrap5
from flask_login import current_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import text

from procurement.auth.models import OrgKind
from procurement.auth.roles import InstitutionType
from procurement.web.session import get_session

csrf = CSRFProtect()
bp = Blueprint("site", __name__)

# Each area's pages module names the home of a portal; a later area may take it over
# (the regulator's home becomes the compliance dashboard).
PORTAL_HOME: dict[OrgKind, str] = {}


def set_portal_home(kind: OrgKind, endpoint: str) -> None:
    PORTAL_HOME[kind] = endpoint


@dataclass(frozen=True)
class NavItem:
    order: int
    endpoint: str
    label: Any  # a lazy_gettext string, translated when rendered
    types: frozenset[InstitutionType] | None = None  # only for these buyers (None: all)


NAV: dict[OrgKind, list[NavItem]] = {}


def add_nav(
    kind: OrgKind,
    label: Any,
    endpoint: str,
    order: int = 50,
    types: frozenset[InstitutionType] | None = None,
) -> None:
    """Put a link in a portal's navigation bar (each area's pages module adds its own);
    ``types``: shown only to buyers of these institution types (a pharmacy's own pages)."""
    items = NAV.setdefault(kind, [])
    if all(item.endpoint != endpoint for item in items):
        items.append(NavItem(order, endpoint, label, types))
        items.sort(key=lambda item: item.order)


def portal_nav(kind: str) -> list[dict[str, Any]]:
    """The portal's links; the one whose address is the longest prefix of this page's is the
    active one (``/hospital/orders/new`` is "Order", not also "My orders")."""
    mine = getattr(current_user, "institution_type", None)
    items: list[dict[str, Any]] = [
        {"url": url_for(i.endpoint), "label": str(i.label), "active": False}
        for i in NAV.get(OrgKind(kind), [])
        if i.types is None or mine in i.types
    ]
    path = request.path
    inside = [i for i in items if path == i["url"] or path.startswith(i["url"].rstrip("/") + "/")]
    if inside:
        max(inside, key=lambda i: len(i["url"]))["active"] = True
    return items


@bp.get("/")
def index():
    if current_user.is_authenticated:
        endpoint = PORTAL_HOME.get(current_user.actor.org_kind)
        if endpoint is not None:
            return redirect(url_for(endpoint))
    return render_template("home.html")


@bp.get("/healthz")
def healthz():
    get_session().execute(text("SELECT 1"))
    return jsonify(status="ok")


def exempt_api_from_csrf(app: Flask, api) -> None:
    """The API authenticates with bearer tokens, never cookies, so CSRF does not apply there."""
    for name, blueprint in app.blueprints.items():
        if getattr(blueprint, "_is_api", False) or name == "api-docs":
            csrf.exempt(blueprint)


def register(app: Flask) -> None:
    csrf.init_app(app)
    # Bootstrap 5, served by the app itself (never a CDN: the CSP allows only 'self')
    app.config.setdefault("BOOTSTRAP_SERVE_LOCAL", True)
    Bootstrap5(app)
    app.jinja_env.globals["portal_nav"] = portal_nav
    app.register_blueprint(bp)
