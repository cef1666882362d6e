"""The `procurement` command on a SQLite file: create-org, create-user, audit verify, db."""

from __future__ import annotations

import sqlite3

import pytest

from tests.cli.conftest import Outcome, run_in_process

PASSWORD = "cli password 123"


@pytest.fixture
def db_file(tmp_path, monkeypatch):
    path = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("PROCUREMENT_ENV", "development")
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    return path


@pytest.fixture
def procurement(db_file, monkeypatch, capsys):
    """Run ``procurement <args>`` in-process, as the console script does."""

    def run(*args: str) -> Outcome:
        return run_in_process(monkeypatch, capsys, *args)

    return run


@pytest.fixture
def populated(procurement):
    """Three audit events: an organization and two users."""
    assert (
        procurement(
            "create-org",
            "--code",
            "SH-REG",
            "--name",
            "Shanghai VBP office",
            "--kind",
            "regulator",
            "--region",
            "310000",
        ).code
        == 0
    )
    for username in ("wang.fang", "li.lei"):
        assert (
            procurement(
                "create-user",
                "--org",
                "SH-REG",
                "--username",
                username,
                "--role",
                "admin",
                "--password",
                PASSWORD,
            ).code
            == 0
        )
    return procurement


def tamper(db_file, sql: str) -> None:
    with sqlite3.connect(db_file) as conn:
        conn.execute(sql)


def test_create_org_registers_an_organization(procurement):
    result = procurement(
        "create-org",
        "--code",
        "GD-HOSP-1",
        "--name",
        "Zhongshan Hospital",
        "--kind",
        "hospital",
        "--region",
        "440100",
    )
    assert result.code == 0, result.err
    assert result.out.strip() == "organization 1 GD-HOSP-1 (hospital, 440100)"


def test_create_org_with_a_bad_region_code_exits_2_and_says_what_to_fix(procurement):
    result = procurement(
        "create-org",
        "--code",
        "X",
        "--name",
        "X",
        "--kind",
        "hospital",
        "--region",
        "31",
    )
    assert result.code == 2
    assert "error: region_code must be a six-digit GB/T 2260 code" in result.err
    assert "region_code: '31' is not a six-digit GB/T 2260 region code" in result.err
    assert "Traceback" not in result.err


def test_create_org_with_an_unknown_kind_is_a_usage_error(procurement):
    result = procurement(
        "create-org",
        "--code",
        "X",
        "--name",
        "X",
        "--kind",
        "pharmacy",
        "--region",
        "310000",
    )
    assert result.code == 2
    assert "pharmacy" in result.err


def test_create_user_adds_a_user_who_can_log_in(populated, db_file):
    from procurement.auth.services import authenticate
    from procurement.db import make_engine, make_session_factory

    engine = make_engine(f"sqlite:///{db_file}")
    try:
        with make_session_factory(engine)() as session:
            user = authenticate(session, username="wang.fang", password=PASSWORD)
            assert user is not None
            assert user.organization.code == "SH-REG"
            assert user.role.value == "admin"
    finally:
        engine.dispose()


def test_create_user_for_an_unknown_organization_exits_2(procurement):
    result = procurement(
        "create-user",
        "--org",
        "NOPE",
        "--username",
        "x",
        "--password",
        PASSWORD,
    )
    assert result.code == 2
    assert "No organization with code 'NOPE'" in result.err


def test_create_user_with_a_short_password_names_the_field(populated):
    result = populated(
        "create-user",
        "--org",
        "SH-REG",
        "--username",
        "short",
        "--password",
        "abc",
    )
    assert result.code == 2
    assert "password: use at least 12 characters" in result.err


def test_audit_verify_passes_on_an_intact_chain(populated):
    result = populated("audit", "verify")
    assert result.code == 0, result.err
    assert result.out.strip() == "audit chain intact: 3 events verified"


def test_audit_verify_fails_naming_an_edited_event(populated, db_file):
    tamper(db_file, 'UPDATE audit_events SET payload = \'{"role": "viewer"}\' WHERE seq = 2')
    result = populated("audit", "verify")
    assert result.code == 1
    assert "TAMPERED: event system#2 (user.created): content was edited" in result.err


def test_audit_verify_fails_on_a_deleted_middle_event(populated, db_file):
    tamper(db_file, "DELETE FROM audit_events WHERE seq = 2")
    result = populated("audit", "verify")
    assert result.code == 1
    assert "TAMPERED: events system#2..2 are missing (deleted?) before event system#3" in result.err


def test_audit_verify_fails_on_a_deleted_last_event(populated, db_file):
    tamper(db_file, "DELETE FROM audit_events WHERE seq = 3")
    result = populated("audit", "verify")
    assert result.code == 1
    assert "chain system ends at #2 but its head says #3" in result.err


def test_db_upgrade_and_current_report_the_head_revision(procurement):
    from procurement import migrate

    upgraded = procurement("db", "upgrade")
    assert upgraded.code == 0, upgraded.err
    current = procurement("db", "current")
    head = current.out.split()[-1]
    assert current.out.strip() == f"database {head}, code {head}"
    assert upgraded.out.strip() == f"database at {head}"
    assert (
        head == migrate.ScriptDirectory.from_config(migrate.alembic_config(None)).get_current_head()
    )


def test_db_check_passes_on_a_freshly_upgraded_database(procurement):
    assert procurement("db", "upgrade").code == 0
    result = procurement("db", "check")
    assert result.code == 0, result.err
    assert result.out.strip() == "the schema matches the models"


def test_db_check_lists_what_the_database_lacks(procurement, db_file):
    assert procurement("db", "upgrade").code == 0
    tamper(db_file, "DROP TABLE api_tokens")
    result = procurement("db", "check")
    assert result.code == 1
    assert "procurement db revision" in result.err
    assert "  add_table api_tokens" in result.err.splitlines()


def test_db_commands_leave_the_schema_as_they_find_it_and_others_migrate(procurement, db_file):
    from procurement import migrate

    head = migrate.ScriptDirectory.from_config(migrate.alembic_config(None)).get_current_head()
    before = procurement("db", "current")
    assert before.code == 0, before.err
    assert before.out.strip() == f"database None, code {head}"
    with sqlite3.connect(db_file) as conn:
        assert conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall() == []
    # any other command starts the app as the server does: it migrates an empty database first
    assert procurement("audit", "verify").code == 0
    after = procurement("db", "current")
    assert after.out.strip() == f"database {head}, code {head}"
