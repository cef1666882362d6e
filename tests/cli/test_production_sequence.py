"""The README's production sequence through the real command, each step a fresh process, on the
test database (SQLite, or PostgreSQL with TEST_DATABASE_URL): every step exits 0.

On PostgreSQL this caught ``CompileError: Can't generate DDL for NullType()``: the audit append
statement was built at import time, before the users and organizations tables existed."""

from __future__ import annotations

import re

from procurement import migrate
from tests.cli.conftest import production_env, run_cli

PASSWORD = "Wang-Fang correct horse 2026!"
DEMO_FUND = "JS-YBZX"  # the demo's fund office (procurement/demo/data.py)


def test_the_readme_production_sequence_runs_on_a_fresh_database(fresh_database):
    env = production_env(fresh_database.url)
    steps = [
        (("db", "upgrade"), None),
        (
            (
                "create-org",
                "--code",
                "SH-VBP",
                "--name",
                "Shanghai VBP office",
                "--kind",
                "regulator",
                "--region",
                "310000",
            ),
            None,
        ),
        (
            ("create-user", "--org", "SH-VBP", "--username", "wang.fang", "--role", "admin"),
            f"{PASSWORD}\n{PASSWORD}\n",
        ),
        (("audit", "verify"), None),
        (
            (
                "demo",
                "--database-url",
                fresh_database.url,
                "--scale",
                "0.05",
                "--seed",
                "7",
                "--today",
                "2026-12-01",
            ),
            None,
        ),
        (("settlement", "run", "--cut-off", "2026-11-30", "--fund", DEMO_FUND), None),
        (("compliance", "check"), None),
        (("audit", "verify"), None),
    ]
    outputs = []
    for args, stdin in steps:
        result = run_cli(env, *args, stdin=stdin)
        assert result.code == 0, f"procurement {' '.join(args)} exited {result.code}:\n{result.err}"
        assert "Traceback" not in result.err
        outputs.append(result.out)
    upgraded, org, user, first_verify, demo, settled, checked, verified = outputs
    assert upgraded.strip() == f"database at {migrate.head_revision(None)}"
    assert org.strip() == "organization 1 SH-VBP (regulator, 310000)"
    assert user.strip() == "user 1 wang.fang (admin) in SH-VBP"
    assert first_verify.strip() == "audit chain intact: 2 events verified"
    assert "Demo logins" in demo
    assert re.search(r"run SR20261130-\d+ completed", settled)  # the demo's yesterday
    assert "dashboard rollup" in checked
    events = int(re.fullmatch(r"audit chain intact: (\d+) events verified", verified.strip())[1])
    assert events > 500  # the demo's year, settlement and compliance runs, all keyed
