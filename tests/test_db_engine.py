"""The engine's connection handling and the driver-level fast path (``procurement.db``), on
PostgreSQL: ``Prepared`` statements give the rows ``Connection.execute`` gives, and a pooled
connection that the server dropped while it sat idle is replaced before it is used."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from sqlalchemy import bindparam, literal, select, text
from sqlalchemy.exc import DBAPIError

from procurement import db
from procurement.audit.models import AuditEvent
from procurement.auth.models import Organization, OrgKind
from procurement.db import UtcDateTime, make_engine
from procurement.db.backends import Prepared

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not POSTGRES_URL.startswith("postgresql"), reason="needs TEST_DATABASE_URL (PostgreSQL)"
    ),
]

EVENTS = AuditEvent.__table__


def test_a_prepared_statement_returns_the_rows_connection_execute_returns(connection):
    at = datetime(2026, 3, 2, 17, 30, tzinfo=timezone(timedelta(hours=8)))  # Beijing time
    connection.execute(
        EVENTS.insert(),
        {
            "chain": "test:prepared",
            "seq": 1,
            "occurred_at": at,
            "actor_user_id": None,
            "actor_org_id": None,
            "action": "tested",
            "subject_type": "t",
            "subject_id": "1",
            "payload": {"amount": "12.30", "名称": "阿莫西林"},
            "prev_hash": "0" * 64,
            "hash": "f" * 64,
        },
    )
    query = select(
        EVENTS.c.occurred_at, EVENTS.c.payload, EVENTS.c.seq, literal(Decimal("1.2300"))
    ).where(EVENTS.c.chain == bindparam("chain"))

    through_core = [tuple(row) for row in connection.execute(query, {"chain": "test:prepared"})]
    prepared = Prepared(query, connection.dialect).rows(connection, {"chain": "test:prepared"})

    assert prepared == through_core
    occurred_at, payload, seq, amount = prepared[0]
    assert occurred_at == datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    assert occurred_at.utcoffset() == timedelta(0)
    assert payload == {"amount": "12.30", "名称": "阿莫西林"}
    assert (seq, amount) == (1, Decimal("1.2300"))


def test_a_prepared_statement_converts_enum_columns_like_core(connection):
    orgs = Organization.__table__
    connection.execute(
        orgs.insert(),
        {
            "code": "H-PREP",
            "name": "Prepared hospital",
            "kind": OrgKind.HOSPITAL,
            "region_code": "310101",
            "created_at": datetime(2026, 3, 2, 9, tzinfo=UTC),
        },
    )
    query = select(orgs.c.kind, orgs.c.created_at).where(orgs.c.code == bindparam("code"))

    prepared = Prepared(query, connection.dialect).rows(connection, {"code": "H-PREP"})

    assert prepared == [tuple(connection.execute(query, {"code": "H-PREP"}).one())]
    assert prepared[0][0] is OrgKind.HOSPITAL


def test_a_prepared_statement_refuses_naive_times_through_the_column_type(connection):
    query = select(bindparam("at", type_=UtcDateTime()))
    with pytest.raises(ValueError, match="naive datetime"):
        Prepared(query, connection.dialect).rows(connection, {"at": datetime(2026, 3, 2, 9)})


def test_a_prepared_statement_refuses_an_expanding_in_parameter(connection):
    query = select(EVENTS.c.id).where(EVENTS.c.id.in_(bindparam("ids", expanding=True)))
    with pytest.raises(ValueError, match="ANY"):
        Prepared(query, connection.dialect)


def _backend_pid(conn) -> int:
    return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _terminate(pid: int) -> None:
    killer = make_engine(POSTGRES_URL)
    with killer.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()
    killer.dispose()


def test_a_connection_dropped_while_idle_is_replaced_before_it_is_used(monkeypatch):
    engine = make_engine(POSTGRES_URL, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            first = _backend_pid(conn)
        _terminate(first)
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # it has been idle long enough
        with engine.connect() as conn:
            second = _backend_pid(conn)
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_reused_at_once_is_not_pinged_and_a_drop_costs_one_failure():
    """The trade-off of pinging only idle connections: a connection dropped between two
    requests milliseconds apart fails the second one; the pool then reconnects."""
    engine = make_engine(POSTGRES_URL, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as conn:
            first = _backend_pid(conn)
        _terminate(first)
        with pytest.raises(DBAPIError) as failed, engine.connect() as conn:
            _backend_pid(conn)
        assert failed.value.connection_invalidated
        with engine.connect() as conn:
            assert _backend_pid(conn) != first
    finally:
        engine.dispose()
