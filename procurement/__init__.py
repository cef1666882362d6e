"""The volume-based procurement platform: ``create_app`` is the application factory."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Any

from flask import Flask

AREAS = (
    "auth",
    "audit",
    "events",
    "catalog",
    "bidding",
    "award",
    "contracts",
    "listing",
    "orders",
    "trace",
    "settlement",
    "pharmacy",
    "compliance",
    "simulation",
    "portal",
    "demo",
    "jobs",
)


def _area_module(area: str, name: str):
    """Import ``procurement.<area>.<name>`` if the area has that module, else None."""
    full = f"procurement.{area}.{name}"
    if importlib.util.find_spec(f"procurement.{area}") is None:
        return None
    if importlib.util.find_spec(full) is None:
        return None
    return importlib.import_module(full)


def create_app(
    overrides: dict[str, Any] | None = None, *, clock=None, session_factory=None
) -> Flask:
    """Build the app. ``clock`` and ``session_factory`` are injectable (tests, demo)."""
    from procurement import settings as settings_mod
    from procurement.audit import keys as audit_keys
    from procurement.core.clock import SystemClock, set_business_zone
    from procurement.db import make_engine, make_session_factory
    from procurement.web import auth as web_auth
    from procurement.web import forms, i18n, limits, pages, problems, security, session
    from procurement.web import jobs_runtime as jobs_queue
    from procurement.web.api import Api

    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="web/templates",
        static_folder="web/static",
    )
    app.config.update(settings_mod.load_settings(overrides))
    set_business_zone(app.config["BUSINESS_TIMEZONE"])
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    settings_mod.fill_instance_keys(app.config, app.instance_path)
    audit_keys.install(audit_keys.Keyring(app.config["AUDIT_KEYS"]))
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'procurement.db'}"
    if session_factory is None:
        engine = make_engine(app.config["DATABASE_URL"])
        if app.config.get("AUTO_MIGRATE"):
            from procurement.migrate import upgrade_if_needed

            upgrade_if_needed(engine)
        session_factory = make_session_factory(engine)
    app.extensions[session.EXTENSION] = {
        "session_factory": session_factory,
        "clock": clock or SystemClock(),
    }
    jobs_queue.register(app)
    limits.register(app)
    session.register(app)
    security.register(app)
    web_auth.register(app)
    i18n.register(app)
    api = Api(app)
    limits.register_api(api)
    app.extensions["smorest_api"] = api
    pages.register(app)
    forms.register(app)  # after CSRF: a forged POST claims no form key
    for area in AREAS:
        module = _area_module(area, "api")
        if module is not None and hasattr(module, "blp"):
            security.limit_api_blueprint(module.blp)
            api.register_blueprint(module.blp, url_prefix="/api/v1")
        module = _area_module(area, "pages")
        if module is not None and hasattr(module, "bp"):
            app.register_blueprint(module.bp)
    pages.exempt_api_from_csrf(app, api)
    problems.register(app)
    return app
