"""Everything services and repositories need that differs between PostgreSQL and SQLite, in one
place behind one interface: ``backend(session)`` gives the ``Backend`` of the session's
database, and no service branches on the dialect itself. (Setting up the engine per database
is ``db.make_engine``.)"""

from __future__ import annotations

import functools
import re
from collections import namedtuple
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Interval,
    Table,
    any_,
    bindparam,
    func,
    literal_column,
    null,
    select,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from procurement.core import clock
from procurement.db import UtcDateTime


class Backend:
    """What differs between PostgreSQL and SQLite, behind one interface: services and
    repositories take ``backend(session)`` and never branch on the dialect themselves.
    ``writes_side_by_side``: several connections may write at once (SQLite has one writer).

    A statement passed to ``rows`` or ``write_together`` is built once (module level or
    cached) and reused: PostgreSQL keeps it compiled, keyed by the statement object."""

    name: str
    writes_side_by_side: bool

    def insert(self, table: Any) -> Any:
        """The dialect's INSERT, which can ``on_conflict_do_nothing(index_elements=...)``."""
        raise NotImplementedError

    def one_of(self, column: Any, name: str) -> Any:
        """``column`` equals one of the values of the list parameter ``name``."""
        raise NotImplementedError

    def next_id(self, table: Any) -> Any:
        """A scalar subquery drawing the next id of ``table`` (read in the caller's statement)."""
        raise NotImplementedError

    def business_month(self, column: Any) -> Any:
        """A UTC timestamp column's month in the business time zone, as ``YYYY-MM``."""
        raise NotImplementedError

    def plus_days(self, column: Any, days: int) -> Any:
        """``column + days`` (of 24 hours, as Python adds them), stored like the column."""
        raise NotImplementedError

    def tune_for_bulk(self, connection: Connection) -> None:
        """Plan the rest of the transaction's statements for bulk work (settlement)."""

    def refresh_statistics(self, connection: Connection, table: str) -> None:
        """Refresh the planner's statistics of ``table`` after a bulk insert."""

    def rows(self, connection: Connection, statement: Any, params: Mapping[str, Any]) -> list:
        """Run a read of the hot path in ``connection``'s transaction: its rows, with the
        result columns as attributes (``row.contract_id``) and as a tuple."""
        raise NotImplementedError

    def write_together(
        self, connection: Connection, statements: Sequence[Any], params: Mapping[str, Any]
    ) -> list[Any]:
        """Run ``statements`` (INSERT/UPDATE, bind parameter names unique across them) in one
        round trip where the database allows it, in order otherwise. One value per statement:
        the first column of the first row it RETURNs, None when it returns nothing. A statement
        with RETURNING returns at most one row."""
        raise NotImplementedError


# For the rest of a transaction that runs bulk statements (settlement's accruals and runs: an
# INSERT ... SELECT or UPDATE over up to millions of rows), on PostgreSQL (docs/performance.md,
# "Settlement", has the measurements):
BULK_PLANNER_SETTINGS = (
    # An accrual's anti-join to the payables it is filling, planned while the table was still
    # small, became a nested loop rescanning the growing table once per line (quadratic); as a
    # hash anti-join the same statement reads the table once.
    "SET LOCAL enable_nestloop = off",
    # JIT compiled these statements for longer than the compiled code saved.
    "SET LOCAL jit = off",
    # The hash of a million ids fits in memory instead of spilling to disk.
    "SET LOCAL work_mem = '64MB'",
)


class PostgreSQL(Backend):
    """Hot-path statements run as ``Prepared`` statements on the driver connection; several
    writes go as one statement, each a data-modifying CTE."""

    name = "postgresql"
    writes_side_by_side = True

    def insert(self, table: Any) -> Any:
        return postgresql.insert(table)

    def one_of(self, column: Any, name: str) -> Any:
        return column == any_(bindparam(name, type_=postgresql.ARRAY(column.type)))

    def next_id(self, table: Any) -> Any:
        return select(func.nextval(func.pg_get_serial_sequence(table.name, "id"))).scalar_subquery()

    def business_month(self, column: Any) -> Any:
        return func.to_char(func.timezone(clock.business_zone().key, column), "YYYY-MM")

    def plus_days(self, column: Any, days: int) -> Any:
        # Days of exactly 24 hours, as ``rules.due_at`` adds them in Python: an interval in hours
        # is plain arithmetic on a timestamptz, while "30 days" goes through the session's time
        # zone for every row (measured on 1,000,000 rows: +0.02-0.06 s against +0.06-0.17 s).
        hours = literal_column(f"INTERVAL '{24 * int(days)} hours'", Interval)
        return type_coerce(column + hours, UtcDateTime())

    def tune_for_bulk(self, connection: Connection) -> None:
        for statement in BULK_PLANNER_SETTINGS:
            connection.exec_driver_sql(statement)

    def refresh_statistics(self, connection: Connection, table: str) -> None:
        connection.exec_driver_sql(f"ANALYZE {connection.dialect.identifier_preparer.quote(table)}")

    def rows(self, connection: Connection, statement: Any, params: Mapping[str, Any]) -> list:
        return _prepared(statement, connection.dialect).rows(connection, params)

    def write_together(
        self, connection: Connection, statements: Sequence[Any], params: Mapping[str, Any]
    ) -> list[Any]:
        together = _together(tuple(statements), connection.dialect)
        return list(together.rows(connection, params)[0])


class SQLite(Backend):
    """Statements run through SQLAlchemy; writers are serialised by ``BEGIN IMMEDIATE``
    (``make_engine``), so a read needs no row lock and ``max(id) + 1`` stays free until the
    transaction ends."""

    name = "sqlite"
    writes_side_by_side = False

    def insert(self, table: Any) -> Any:
        return sqlite.insert(table)

    def one_of(self, column: Any, name: str) -> Any:
        return column.in_(bindparam(name, expanding=True))

    def next_id(self, table: Any) -> Any:
        return select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery()

    def business_month(self, column: Any) -> Any:
        return func.business_month(column)  # registered on every connection (_sqlite_on_connect)

    def plus_days(self, column: Any, days: int) -> Any:
        # SQLAlchemy stores "YYYY-MM-DD HH:MM:SS.ffffff"; datetime() drops the fraction.
        shifted = func.datetime(column, f"+{int(days)} days").op("||")(func.substr(column, 20))
        return type_coerce(shifted, UtcDateTime())

    def rows(self, connection: Connection, statement: Any, params: Mapping[str, Any]) -> list:
        return list(connection.execute(statement, params))

    def write_together(
        self, connection: Connection, statements: Sequence[Any], params: Mapping[str, Any]
    ) -> list[Any]:
        out = []
        for statement in statements:
            # Each statement gets only its own parameters: an INSERT handed every parameter of
            # an order compiles against all of them (an order of n lines would cost n^2).
            own = {n: params[n] for n in _bind_names(statement, connection.dialect) if n in params}
            result = connection.execute(statement, own)
            out.append(result.scalar() if result.returns_rows else None)
        return out


BACKENDS: dict[str, Backend] = {b.name: b for b in (PostgreSQL(), SQLite())}
STATEMENTS_KEPT = 512  # compiled statements kept per process (hot-path shapes, see orders)


def backend(bind: Any) -> Backend:
    """The backend of a session, connection, engine or dialect."""
    if hasattr(bind, "get_bind"):
        bind = bind.get_bind()
    dialect = getattr(bind, "dialect", bind)
    try:
        return BACKENDS[dialect.name]
    except KeyError:
        raise ValueError(
            f"unsupported database {dialect.name!r}: use PostgreSQL or SQLite"
        ) from None


@functools.lru_cache(maxsize=STATEMENTS_KEPT)
def _prepared(statement: Any, dialect: Dialect) -> Prepared:
    return Prepared(statement, dialect)


@functools.lru_cache(maxsize=STATEMENTS_KEPT)
def _together(statements: tuple[Any, ...], dialect: Dialect) -> Prepared:
    """``SELECT`` of each statement's first RETURNING column, each statement a CTE (run once
    and to completion whether or not it is read)."""
    ctes = [statement.cte(f"w{n}") for n, statement in enumerate(statements)]
    values = [select(*list(cte.c)[:1]).scalar_subquery() if cte.c else null() for cte in ctes]
    return Prepared(select(*values).add_cte(*ctes), dialect)


@functools.lru_cache(maxsize=STATEMENTS_KEPT)
def _bind_names(statement: Any, dialect: Dialect) -> tuple[str, ...]:
    return tuple(statement.compile(dialect=dialect).params)


class Prepared:
    """A Core statement compiled once for PostgreSQL and run straight on the driver connection
    of the caller's transaction.

    For the few statements of a hot path (order placement, the bearer token): they skip
    SQLAlchemy's per-execution work (cache key, execution context, result objects), and the
    placeholders are numbered once here, so psycopg neither parses the text (it caches only
    statements under 4 kB and 50 parameters; order placement's write is larger) nor reorders
    named parameters. Measured on order placement's read-and-lock statement: 0.43 ms of CPU
    per execution through ``Connection.execute``, 0.17 ms here. Parameters and result columns
    pass through the statement's own type processors (UTC times, JSON, enums), so rows hold
    what ``Connection.execute`` would give, as named tuples (``row.id``, or unpacked). Not for
    expanding IN parameters. Reached through ``backend(...).rows`` and ``write_together``.
    """

    def __init__(self, statement: Executable, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        text = str(compiled)
        if "POSTCOMPILE" in text:
            raise ValueError("Prepared statements cannot expand IN parameters; use ANY(array)")
        binds = {compiled.bind_names[bind]: bind for bind in compiled.binds.values()}
        self.defaults = {n: b.effective_value for n, b in binds.items() if not b.required}
        self.sql, names = _numbered(text)
        self.slots = [
            (name, binds[name].type.dialect_impl(dialect).bind_processor(dialect)) for name in names
        ]
        self.dialect = dialect
        columns = getattr(statement, "selected_columns", None) or ()
        self.types = [column.type for column in columns]
        self.row = namedtuple("Row", list(columns.keys()) if columns else [], rename=True)
        self.results: list[tuple[int, Any]] | None = None  # from the first result's type codes

    def rows(self, connection: Connection, params: Mapping[str, Any] | None = None) -> list:
        """Run in ``connection``'s transaction; every row, as a named tuple."""
        from psycopg import RawCursor  # PostgreSQL only

        given = params or {}
        values = []
        for name, processor in self.slots:
            value = given[name] if name in given else self.defaults[name]
            values.append(value if processor is None else processor(value))
        cursor = RawCursor(connection.connection.driver_connection)
        cursor.execute(self.sql, values)
        rows = cursor.fetchall()
        if self.results is None:
            self.results = self._result_processors(cursor.description)
        make = self.row._make
        if not self.results:
            return [make(row) for row in rows]
        out = []
        for row in rows:
            values = list(row)
            for i, processor in self.results:
                values[i] = processor(values[i])
            out.append(make(values))
        return out

    def _result_processors(self, description) -> list[tuple[int, Any]]:
        found: list[tuple[int, Any]] = []
        for i, (kind, column) in enumerate(zip(self.types, description or (), strict=False)):
            processor = kind.dialect_impl(self.dialect).result_processor(
                self.dialect, column.type_code
            )
            if processor is not None:
                found.append((i, processor))
        return found


_PLACEHOLDER = re.compile(r"%\(([^)]+)\)s|%%")


def _numbered(text: str) -> tuple[str, list[str]]:
    """pyformat SQL (``%(name)s``, ``%%``) as PostgreSQL's own ``$1, $2, ...`` and the names in
    number order (a name used twice keeps its number)."""
    names: dict[str, int] = {}

    def number(match: re.Match[str]) -> str:
        if match.group(0) == "%%":
            return "%"
        return f"${names.setdefault(match.group(1), len(names) + 1)}"

    return _PLACEHOLDER.sub(number, text), list(names)


def plan_for_bulk(session: Session) -> None:
    """Plan the rest of the session's transaction for bulk statements (``BULK_PLANNER_SETTINGS``
    on PostgreSQL; nothing to set on SQLite). The settings end with the transaction."""
    backend(session).tune_for_bulk(session.connection())


def refresh_statistics(session: Session, table: Table) -> None:
    """Refresh the planner's statistics of ``table`` now, after a bulk write: otherwise the next
    statements are planned for the table as autovacuum last saw it (a million payables planned
    as an empty table). PostgreSQL only: SQLite's planner keeps no statistics unless asked."""
    backend(session).refresh_statistics(session.connection(), table.name)
