"""Database tuning lives in one place (procurement.db.backends): the planner settings of bulk
and fresh statistics after a bulk write, applied on PostgreSQL and nothing on SQLite."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from procurement.compliance.dashboard.models import RollupGroup
from procurement.db.backends import plan_for_bulk, refresh_statistics
from procurement.settlement.models import Payable


@contextmanager
def statements_sent(session):
    """The SQL texts the session's connection sends inside the block."""
    sent: list[str] = []
    connection = session.connection()

    def record(_conn, _cursor, statement, *_args):
        sent.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _postgresql(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def test_bulk_planner_settings_are_set_for_the_transaction_on_postgresql_only(db_session):
    with statements_sent(db_session) as sent:
        plan_for_bulk(db_session)
    expected = [
        "SET LOCAL enable_nestloop = off",
        "SET LOCAL jit = off",
        "SET LOCAL work_mem = '64MB'",
    ]
    assert sent == (expected if _postgresql(db_session) else [])


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="needs TEST_DATABASE_URL (PostgreSQL)",
)
def test_the_bulk_settings_are_in_force_afterwards_on_postgresql(db_session):
    plan_for_bulk(db_session)
    names = ("enable_nestloop", "jit", "work_mem")
    shown = [db_session.scalar(text(f"SHOW {name}")) for name in names]
    assert shown == ["off", "off", "64MB"]


def test_statistics_are_refreshed_by_table_on_postgresql_only(db_session):
    with statements_sent(db_session) as sent:
        refresh_statistics(db_session, Payable.__table__)
        refresh_statistics(db_session, RollupGroup.__table__)
    expected = ["ANALYZE payables", "ANALYZE compliance_rollup_groups"]
    assert sent == (expected if _postgresql(db_session) else [])
