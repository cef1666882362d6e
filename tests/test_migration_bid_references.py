"""Revision 5e0c7a3d9b12 gives every existing bid its own random public reference."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import text

from procurement import migrate
from tests.test_migrations import (  # noqa: F401  (fixtures)
    assert_matches_models,
    empty_engine,
    postgresql_engine,
    sqlite_engine,
)

BEFORE = "b4e8a2f61c37"
INSERT_BID = text(
    "INSERT INTO bids (id, tender_id, lot_id, manufacturer_id, product_id, status, "
    "revival_opt_in, submitted_at, updated_at, sealed, digest, nonce, version) VALUES "
    "(:id, 1, :id, 1, 1, 'submitted', false, :at, :at, :blob, :digest, :blob, 1)"
)


def test_existing_bids_get_distinct_random_references(empty_engine):  # noqa: F811
    migrate.upgrade(empty_engine, BEFORE)
    at = datetime(2026, 1, 1, tzinfo=UTC)
    sqlite = empty_engine.dialect.name == "sqlite"
    with empty_engine.connect() as conn:
        # Bare rows without their tender, lot and product: only this table is under test.
        if sqlite:  # outside a transaction, where SQLite honours it
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        else:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for bid_id in (1, 2, 3):
            conn.execute(INSERT_BID, {"id": bid_id, "at": at, "blob": b"x", "digest": "0" * 64})
        conn.commit()
        if sqlite:
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        references = conn.execute(text("SELECT reference FROM bids ORDER BY id")).scalars().all()
    assert len(references) == 3
    assert len(set(references)) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{22}", r) for r in references), references
    assert_matches_models(empty_engine)
