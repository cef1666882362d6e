"""The real ``procurement`` command on a fresh database: a SQLite file by default, a fresh
PostgreSQL database beside TEST_DATABASE_URL's (named ``<its name>_cli``) when that is set.

``run_cli`` starts a new process (``python -c 'from procurement.cli import main; main()'`` on
this checkout), so import order is the console script's, not the test suite's."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from procurement.audit import keys

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "cli-tests-secret-key-0123456789abcdef-xyz"
SEAL_KEYS = ["q1Yx3u3sR0n2mV7Q0bq0vS5yq2o0e3mJmR7qK9m2Z8U="]
AUDIT_KEY = "cli-tests-audit-key-0123456789abcdefghijkl"


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@dataclass
class Database:
    url: str
    name: str  # the PostgreSQL database's name, or the SQLite file's path

    @property
    def postgresql(self) -> bool:
        return self.url.startswith("postgresql")


def production_env(url: str, audit_keys: list[str] | None = None) -> dict[str, str]:
    """The environment of a production operator: own secret, seal and audit keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROCUREMENT_")}
    env.pop("TEST_DATABASE_URL", None)
    env.update(
        PYTHONPATH=str(ROOT),
        PROCUREMENT_ENV="production",
        DATABASE_URL=url,
        SECRET_KEY=SECRET_KEY,
        PROCUREMENT_BID_SEAL_KEYS=str(SEAL_KEYS).replace("'", '"'),
        PROCUREMENT_AUDIT_KEYS=str(audit_keys or [AUDIT_KEY]).replace("'", '"'),
    )
    return env


def run_in_process(monkeypatch, capsys, *args: str) -> Outcome:
    """``procurement <args>`` in this process, as the console script runs it."""
    from procurement.cli import main

    monkeypatch.setattr(sys, "argv", ["procurement", *args])
    code = 0
    try:
        main()
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else 1
    out, err = capsys.readouterr()
    return Outcome(code, out, err)


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> Outcome:
    done = subprocess.run(
        [sys.executable, "-c", "from procurement.cli import main; main()", *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


def admin_connection(url: str) -> psycopg.Connection:
    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.host,
        port=parsed.port or 5432,
        user=parsed.username,
        password=parsed.password,
        dbname="postgres",
        autocommit=True,
    )


def recreate_database(url: str, name: str) -> str:
    """A fresh, empty PostgreSQL database ``name`` on TEST_DATABASE_URL's server; its URL."""
    with admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str, name: str) -> None:
    with admin_connection(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database(tmp_path):
    """An empty database for the command to build: see the module docstring."""
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if not test_url.startswith("postgresql"):
        path = tmp_path / "cli.db"
        yield Database(f"sqlite:///{path}", str(path))
        return
    name = f"{make_url(test_url).database}_cli"
    yield Database(recreate_database(test_url, name), name)
    drop_database(test_url, name)


@pytest.fixture(autouse=True)
def _keep_the_process_keyring():
    """In-process commands install their app's audit keys; put the suite's back after."""
    saved = keys._installed
    yield
    keys.install(saved) if saved is not None else setattr(keys, "_installed", None)
