"""``db.backend``: the one interface over what differs between PostgreSQL and SQLite, checked on
the database of the run (both in CI): named rows from ``rows``, several writes from
``write_together`` with each RETURNING value, ``one_of`` and ``next_id``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import bindparam, select, update

from procurement.auth.models import Organization, OrgKind
from procurement.db.backends import backend

ORGS = Organization.__table__
AT = datetime(2026, 3, 2, 9, tzinfo=UTC)
BY_CODE = select(ORGS.c.id.label("org_id"), ORGS.c.kind, ORGS.c.created_at).where(
    ORGS.c.code == bindparam("code")
)
NEW = {"name": "Backend test", "kind": OrgKind.HOSPITAL, "region_code": "310101"}


def _claim(db):
    values = {name: bindparam(f"c_{name}", type_=ORGS.c[name].type) for name in (*NEW, "code")}
    values["created_at"] = bindparam("at", type_=ORGS.c.created_at.type)
    return (
        db.insert(ORGS)
        .values(values)
        .on_conflict_do_nothing(index_elements=["code"])
        .returning(ORGS.c.id)
    )


RENAME = update(ORGS).where(ORGS.c.code == bindparam("r_code")).values(name=bindparam("r_name"))


@pytest.fixture
def claim(connection):
    """``claim(code)``: write_together(insert the organization unless its code exists, rename
    it) on the test's connection."""
    db = backend(connection)
    statement = _claim(db)

    def do(code: str, name: str) -> list:
        params = {**{f"c_{k}": v for k, v in NEW.items()}, "c_code": code, "at": AT}
        params.update(r_code=code, r_name=name)
        return db.write_together(connection, (statement, RENAME), params)

    return do


def test_rows_are_named_and_hold_what_core_returns(connection, claim):
    claim("BK-1", "first")
    db = backend(connection)

    rows = db.rows(connection, BY_CODE, {"code": "BK-1"})

    assert [tuple(row) for row in rows] == [
        tuple(connection.execute(BY_CODE, {"code": "BK-1"}).one())
    ]
    assert (rows[0].kind, rows[0].created_at) == (OrgKind.HOSPITAL, AT)
    assert db.rows(connection, BY_CODE, {"code": "BK-none"}) == []


def test_write_together_runs_every_statement_and_returns_each_returning_value(connection, claim):
    first = claim("BK-2", "renamed in the same round trip")
    again = claim("BK-2", "renamed again")  # the code is taken: the insert returns no row

    new_id = connection.execute(select(ORGS.c.id).where(ORGS.c.code == "BK-2")).scalar_one()
    assert first == [new_id, None]
    assert again == [None, None]
    name = connection.execute(select(ORGS.c.name).where(ORGS.c.code == "BK-2")).scalar_one()
    assert name == "renamed again"


def test_one_of_matches_a_list_parameter_and_next_id_is_above_every_id(connection, claim):
    ids = [claim(f"BK-3{n}", "x")[0] for n in range(3)]
    db = backend(connection)
    query = select(ORGS.c.id).where(db.one_of(ORGS.c.id, "ids")).order_by(ORGS.c.id)

    assert [row.id for row in db.rows(connection, query, {"ids": ids[:2]})] == ids[:2]
    drawn = connection.execute(select(db.next_id(ORGS))).scalar_one()
    assert drawn > max(ids)


def test_an_unknown_database_is_refused_by_name():
    class Dialect:
        name = "oracle"

    with pytest.raises(ValueError, match="'oracle'"):
        backend(Dialect())
