"""`procurement audit anchor`, `audit verify --anchor` and `procurement backup` with a restore,
on the test database (SQLite, or a fresh PostgreSQL database with TEST_DATABASE_URL)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from procurement.audit import keys
from procurement.audit.models import AuditEvent, AuditHead
from procurement.audit.services import keyed_digest
from procurement.backup import pg_dump_command
from procurement.cli import main
from procurement.db import make_engine
from tests.cli.conftest import (
    AUDIT_KEY,
    Outcome,
    drop_database,
    production_env,
    recreate_database,
    run_in_process,
)

PASSWORD = "Wang-Fang correct horse 2026!"


@pytest.fixture
def procurement(fresh_database, monkeypatch, capsys):
    """``procurement <args>`` in this process with a production operator's environment."""

    def run(*args: str, url: str | None = None, audit_keys: list[str] | None = None) -> Outcome:
        for name, value in production_env(url or fresh_database.url, audit_keys).items():
            if name.startswith(("PROCUREMENT_", "DATABASE_URL", "SECRET_KEY")):
                monkeypatch.setenv(name, value)
        monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
        return run_in_process(monkeypatch, capsys, *args)

    return run


@pytest.fixture
def populated(procurement):
    """Three events on the system chain: an organization and two users."""
    assert procurement("db", "upgrade").code == 0
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
        made = procurement(
            "create-user",
            "--org",
            "SH-REG",
            "--username",
            username,
            "--role",
            "admin",
            "--password",
            PASSWORD,
        )
        assert made.code == 0, made.err
    return procurement


def sql(url: str, *statements: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def test_anchor_appends_one_json_line_of_every_chain_head(populated, tmp_path):
    out = tmp_path / "anchors.jsonl"
    for _ in range(2):
        result = populated("audit", "anchor", "--out", str(out))
        assert result.code == 0, result.err
        assert result.out.strip() == f"anchored 1 chain heads to {out}"
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == 2
    assert lines[0]["heads"] == [
        {"chain": "system", "seq": 3, "hash": lines[0]["heads"][0]["hash"]}
    ]
    assert len(lines[0]["heads"][0]["hash"]) == 64
    assert lines[0]["anchored_at"].endswith("+00:00")
    printed = populated("audit", "anchor")
    assert json.loads(printed.out)["heads"] == lines[0]["heads"]


def test_verify_with_the_anchor_passes_on_an_untouched_chain(populated, tmp_path):
    out = tmp_path / "anchors.jsonl"
    assert populated("audit", "anchor", "--out", str(out)).code == 0
    result = populated("audit", "verify", "--anchor", str(out))
    assert result.code == 0, result.err
    assert result.out.strip() == "audit chain intact: 3 events verified; 1 anchored heads found"


def test_deleting_the_last_events_after_anchoring_fails_verify_naming_the_head(
    populated, fresh_database, tmp_path
):
    out = tmp_path / "anchors.jsonl"
    assert populated("audit", "anchor", "--out", str(out)).code == 0
    anchored_at = json.loads(out.read_text())["anchored_at"]
    # A clean truncation: the last two events and the head moved back to match.
    sql(
        fresh_database.url,
        "DELETE FROM audit_events WHERE chain = 'system' AND seq > 1",
        "UPDATE audit_heads SET seq = 1, hash = "
        "(SELECT hash FROM audit_events WHERE chain = 'system' AND seq = 1)",
    )
    assert populated("audit", "verify").code == 0  # the database alone cannot tell
    result = populated("audit", "verify", "--anchor", str(out))
    assert result.code == 1
    assert result.err.strip() == (
        f"TAMPERED: anchored head system#3 (anchored {anchored_at}) is missing: events were "
        "deleted or the chain truncated after anchoring"
    )


def test_a_chain_rewritten_with_the_key_after_anchoring_fails_verify_with_the_anchor(
    populated, fresh_database, tmp_path
):
    out = tmp_path / "anchors.jsonl"
    assert populated("audit", "anchor", "--out", str(out)).code == 0
    key = keys.Keyring([AUDIT_KEY]).newest
    engine = make_engine(fresh_database.url)
    try:  # an insider who holds the key edits event #2 and re-signs #2 and #3
        with Session(engine) as session:
            events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
            events[1].subject_id = "999"
            for before, event in itertools.pairwise(events):
                event.prev_hash = before.hash
                event.hash = keyed_digest(
                    key,
                    **{
                        c: getattr(event, c)
                        for c in (
                            "chain",
                            "seq",
                            "occurred_at",
                            "actor_user_id",
                            "actor_org_id",
                            "action",
                            "subject_type",
                            "subject_id",
                            "payload",
                            "prev_hash",
                        )
                    },
                )
            session.get(AuditHead, "system").hash = events[-1].hash
            session.commit()
    finally:
        engine.dispose()
    assert populated("audit", "verify").code == 0  # the key holder's rewrite verifies alone
    result = populated("audit", "verify", "--anchor", str(out))
    assert result.code == 1
    assert "TAMPERED: anchored head system#3" in result.err
    assert "has another hash now: the chain was rewritten or recomputed after anchoring" in (
        result.err
    )


def test_an_unreadable_anchor_file_is_a_usage_error(populated, tmp_path):
    bad = tmp_path / "anchors.jsonl"
    bad.write_text('{"anchored_at": "x"}\n')
    result = populated("audit", "verify", "--anchor", str(bad))
    assert result.code == 2
    assert "anchors.jsonl:1: not an anchor line" in result.err


def test_a_backup_restores_to_a_copy_that_verifies_with_the_same_keys(
    populated, fresh_database, tmp_path
):
    target = tmp_path / "backup.copy"
    result = populated("backup", str(target))
    assert result.code == 0, result.err
    assert target.stat().st_size > 0
    sql(fresh_database.url, "DELETE FROM audit_events")  # the original is damaged later on
    if fresh_database.postgresql:
        restored_url = _pg_restore(fresh_database.url, target, f"{fresh_database.name}_restore")
        assert f"with {pg_dump_command()} (custom format)" in result.out
    else:
        restored_url = f"sqlite:///{target}"
        assert "(SQLite online backup)" in result.out
    try:
        verified = populated("audit", "verify", url=restored_url)
        assert verified.code == 0, verified.err
        assert verified.out.strip() == "audit chain intact: 3 events verified"
        foreign = populated(
            "audit",
            "verify",
            url=restored_url,
            audit_keys=["another-platforms-audit-key-0123456789ab"],
        )
        assert foreign.code == 1
        assert "which is not in AUDIT_KEYS" in foreign.err
    finally:
        if fresh_database.postgresql:
            drop_database(fresh_database.url, f"{fresh_database.name}_restore")


def _pg_restore(url: str, dump, name: str) -> str:
    restored = recreate_database(url, name)
    pg_restore = str(pg_dump_command()).replace("pg_dump", "pg_restore")
    plain = restored.replace("postgresql+psycopg://", "postgresql://")
    done = subprocess.run(
        [pg_restore, "--no-owner", "--exit-on-error", f"--dbname={plain}", str(dump)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return restored


def test_backup_refuses_to_overwrite_a_file(populated, tmp_path):
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    result = populated("backup", str(target))
    assert result.code == 2
    assert "exists; name a new file" in result.err
    assert target.read_text() == "keep me"


def test_production_refuses_to_start_without_audit_keys(fresh_database, monkeypatch):
    from procurement.settings import SettingsError

    for name, value in production_env(fresh_database.url).items():
        if name.startswith(("PROCUREMENT_", "DATABASE_URL", "SECRET_KEY")):
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("PROCUREMENT_AUDIT_KEYS", "[]")
    monkeypatch.setattr(sys, "argv", ["procurement", "audit", "verify"])
    with pytest.raises(SettingsError, match="production needs AUDIT_KEYS"):
        main()


def test_every_event_records_the_id_of_the_production_audit_key(populated, fresh_database):
    engine = make_engine(fresh_database.url)
    try:
        with engine.connect() as conn:
            key_ids = conn.execute(text("SELECT DISTINCT key_id FROM audit_events")).scalars()
            assert list(key_ids) == [keys.key_id(AUDIT_KEY)]
    finally:
        engine.dispose()
