"""One SQLAlchemy session per request, opened lazily and closed at teardown (flaskr's db.py)."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from procurement.core.clock import Clock

EXTENSION = "procurement"


def get_session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions[EXTENSION]["session_factory"]()
    return g.db_session


def get_clock() -> Clock:
    return current_app.extensions[EXTENSION]["clock"]


def now():
    return get_clock().now()


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def register(app: Flask) -> None:
    app.teardown_appcontext(close_session)
