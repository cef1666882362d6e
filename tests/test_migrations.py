"""The migrations build exactly the schema the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, make_url, text

import procurement.models  # noqa: F401  (fills Base.metadata)
from procurement import create_app, migrate
from procurement.db import Base, make_engine

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = POSTGRES_URL.startswith("postgresql")


def schema_differences(engine) -> list:
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_name": migrate.include_name}
        context = MigrationContext.configure(conn, opts=opts)
        return compare_metadata(context, Base.metadata)


def assert_matches_models(engine) -> None:
    differences = schema_differences(engine)
    assert differences == [], (
        "the migrated schema differs from the models; regenerate the revision "
        "(`procurement db revision -m ...`) and review it:\n"
        + "\n".join(str(d)[:200] for d in differences)
    )


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    yield engine
    engine.dispose()


@pytest.fixture
def postgresql_engine():
    """A fresh database on the TEST_DATABASE_URL server, dropped afterwards."""
    if not ON_POSTGRES:
        pytest.skip("set TEST_DATABASE_URL to a PostgreSQL database to run this on PostgreSQL")
    name = f"procurement_migrations_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(POSTGRES_URL).set(database=name).render_as_string(False))
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_engine(request):
    return request.getfixturevalue(f"{request.param}_engine")


def test_upgrading_an_empty_database_gives_exactly_the_models_schema(empty_engine):
    assert inspect(empty_engine).get_table_names() == []
    migrate.upgrade(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision(empty_engine)
    assert_matches_models(empty_engine)


def test_downgrading_to_base_removes_every_table(empty_engine):
    migrate.upgrade(empty_engine)
    from alembic import command

    command.downgrade(migrate.alembic_config(empty_engine), "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    assert migrate.current_revision(empty_engine) is None
    migrate.upgrade(empty_engine)  # and back up again
    assert_matches_models(empty_engine)


def test_the_comparison_notices_a_schema_that_differs_from_the_models(sqlite_engine):
    migrate.upgrade(sqlite_engine)
    with sqlite_engine.begin() as conn:
        conn.execute(text("CREATE TABLE stray (id INTEGER PRIMARY KEY)"))
    removed = [d[1].name for d in schema_differences(sqlite_engine) if d[0] == "remove_table"]
    assert "stray" in removed


def _procurement_command() -> list[str]:
    """The console script installed beside this interpreter (not whichever is first on PATH)."""
    script = Path(sys.executable).with_name("procurement")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from procurement.cli import main; main()"]


def test_procurement_db_upgrade_builds_an_empty_sqlite_file(tmp_path):
    db_file = tmp_path / "cli.db"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_file}",
        "PROCUREMENT_ENV": "development",
    }
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [*_procurement_command(), "db", "upgrade"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    engine = make_engine(f"sqlite:///{db_file}")
    try:
        head = migrate.head_revision(engine)
        assert f"database at {head}" in result.stdout
        assert_matches_models(engine)
    finally:
        engine.dispose()


def test_the_embedded_default_migrates_on_first_start(tmp_path):
    url = f"sqlite:///{tmp_path / 'first.db'}"
    app = create_app({"ENV": "development", "DATABASE_URL": url, "AUTO_MIGRATE": True})
    engine = make_engine(url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision(engine)
        assert app.test_client().get("/healthz").get_json() == {"status": "ok"}
    finally:
        engine.dispose()
