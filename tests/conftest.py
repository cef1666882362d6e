"""Shared fixtures: a real database (SQLite file by default, PostgreSQL with TEST_DATABASE_URL),
one rolled-back transaction per test, the app wired to it and to a frozen clock.

Area fixtures (factories) live in ``tests/fixtures/<area>.py`` and are loaded as plugins.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

import procurement.models  # noqa: F401  (fills Base.metadata)
from procurement import create_app
from procurement.auth import services as auth_services
from procurement.core.clock import FrozenClock
from procurement.db import Base, make_engine

pytest_plugins = sorted(
    f"tests.fixtures.{p.stem}"
    for p in (Path(__file__).parent / "fixtures").glob("*.py")
    if p.stem != "__init__"
)

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TEST_SEAL_KEY = "q1Yx3u3sR0n2mV7Q0bq0vS5yq2o0e3mJmR7qK9m2Z8U="

# scrypt costs ~0.25 s a user; the suite creates thousands. Still a real salted hash.
auth_services.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def reset_schema(engine) -> None:
    """Start from an empty database, then create the schema the models declare (the migrations
    are compared to the models by tests/test_migrations.py)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            Base.metadata.drop_all(conn)
    Base.metadata.create_all(engine)


@pytest.fixture(scope="session")
def engine(tmp_path_factory):
    engine = make_engine(database_url(tmp_path_factory))
    reset_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine):
    conn = engine.connect()
    outer = conn.begin()
    yield conn
    outer.rollback()
    conn.close()


@pytest.fixture
def session_factory(connection):
    """Sessions on the test's connection: their commits become savepoints, rolled back after."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def db_session(session_factory) -> Session:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture(scope="session")
def shared_app():
    """One app for the whole run (building one costs ~0.2 s); each test wires it to its own
    connection and clock through the ``app`` fixture."""
    return create_app(
        {"ENV": "testing", "DATABASE_URL": "sqlite://", "BID_SEAL_KEYS": [TEST_SEAL_KEY]},
        session_factory=lambda: None,
    )


@pytest.fixture
def app(shared_app, session_factory, clock):
    extension = shared_app.extensions["procurement"]
    config = dict(shared_app.config)
    extension.update(session_factory=session_factory, clock=clock)
    yield shared_app
    shared_app.config.clear()
    shared_app.config.update(config)
    extension.update(session_factory=lambda: None)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
