"""Bulk writes of packages and their events: the one place where PostgreSQL and SQLite differ
in the trace area. ``incoming(session)`` gives a staging area for one file's packages:

- on PostgreSQL the packages and their events are COPYed (psycopg's ``cursor.copy``) straight
  into ``trace_packages`` and the month's ``trace_events`` partition inside a savepoint; a code
  shipped before breaks the primary key, the savepoint is rolled back, and the codes are COPYed
  into a temporary table and joined with ``trace_packages`` (set-based) to name every one;
- on SQLite they are checked in chunks of ``IN`` lists first, then inserted with
  ``executemany``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from psycopg.errors import UniqueViolation
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from procurement.core.clock import as_utc
from procurement.trace.checks import NewPackage
from procurement.trace.models import (
    EventKind,
    PackageLevel,
    PackageState,
    TraceEvent,
    TracePackage,
)

SQLITE_CHUNK = 500  # codes per IN list (SQLite allows 32,766 bound parameters a statement)


@dataclass(frozen=True)
class Shipped:
    """What every package of one shipment line shares."""

    product_id: int
    batch_no: str
    expiry_date: date
    shipper_id: int
    shipment_line_id: int
    at: datetime


def _rows(boxes: list[NewPackage], cases: list[NewPackage]):
    for p in boxes:
        yield p.key, p.row, PackageLevel.BOX.value, 1, p.case_key
    for p in cases:
        yield p.key, p.row, PackageLevel.CASE.value, p.boxes, None


class Incoming:
    """Stores one file's packages and their shipped events, or nothing: ``store`` returns how
    many of the codes are packages already and the first ``limit`` of them (then nothing was
    written)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def store(
        self, boxes: list[NewPackage], cases: list[NewPackage], shipped: Shipped, limit: int
    ) -> tuple[int, list[str]]:
        raise NotImplementedError


PACKAGE_COLUMNS = (
    "code, level, boxes, case_code, product_id, batch_no, expiry_date, state, holder_org_id, "
    "shipment_line_id, first_event_at, last_event_at, updated_at"
)
EVENT_COLUMNS = "code, occurred_at, kind, org_id, shipment_line_id"


class PostgresIncoming(Incoming):
    """Optimistic: the packages and events are COPYed straight into their tables inside a
    savepoint; the primary key refuses a code shipped before. Only then are the codes staged
    in a temporary table and joined with ``trace_packages`` to name every such code."""

    def store(
        self, boxes: list[NewPackage], cases: list[NewPackage], shipped: Shipped, limit: int
    ) -> tuple[int, list[str]]:
        ensure_partition(self.session, shipped.at)
        raw = self.session.connection().connection.driver_connection
        p = _params(shipped)
        at = p["at"]
        with raw.cursor() as cursor:
            cursor.execute("SAVEPOINT trace_copy")
            try:
                with cursor.copy(f"COPY trace_packages ({PACKAGE_COLUMNS}) FROM STDIN") as copy:
                    for code, _, level, count, case_code in _rows(boxes, cases):
                        copy.write_row(
                            (
                                code,
                                level,
                                count,
                                case_code,
                                p["product"],
                                p["batch"],
                                p["expiry"],
                                p["state"],
                                p["org"],
                                p["line"],
                                at,
                                at,
                                at,
                            )
                        )
            except UniqueViolation:
                cursor.execute("ROLLBACK TO SAVEPOINT trace_copy")
                return self._shipped_before(raw, boxes, cases, limit)
            cursor.execute("RELEASE SAVEPOINT trace_copy")
            with cursor.copy(f"COPY trace_events ({EVENT_COLUMNS}) FROM STDIN") as copy:
                for row in _rows(boxes, cases):
                    copy.write_row((row[0], at, p["kind"], p["org"], p["line"]))
        return 0, []

    def _shipped_before(self, raw, boxes, cases, limit: int) -> tuple[int, list[str]]:
        # Dropped first: a refused file's table lives on until its transaction ends.
        self.session.execute(text("DROP TABLE IF EXISTS pg_temp.trace_incoming"))
        self.session.execute(
            text(
                'CREATE TEMPORARY TABLE trace_incoming (code varchar(100) COLLATE "C" NOT NULL, '
                "row_no integer NOT NULL) ON COMMIT DROP"
            )
        )
        with (
            raw.cursor() as cursor,
            cursor.copy("COPY trace_incoming (code, row_no) FROM STDIN") as copy,
        ):
            for row in _rows(boxes, cases):
                copy.write_row(row[:2])
        found = self.session.execute(
            text(
                "SELECT i.code, count(*) OVER () FROM trace_incoming i "
                "JOIN trace_packages p ON p.code = i.code ORDER BY i.row_no LIMIT :limit"
            ),
            {"limit": limit},
        ).all()
        return (found[0][1] if found else 0), [code for code, _ in found]


class SqliteIncoming(Incoming):
    def store(
        self, boxes: list[NewPackage], cases: list[NewPackage], shipped: Shipped, limit: int
    ) -> tuple[int, list[str]]:
        self.rows = list(_rows(boxes, cases))
        codes = [row[0] for row in self.rows]
        found: set[str] = set()
        for start in range(0, len(codes), SQLITE_CHUNK):
            chunk = codes[start : start + SQLITE_CHUNK]
            found.update(
                self.session.scalars(select(TracePackage.code).where(TracePackage.code.in_(chunk)))
            )
        if found:
            ordered = [code for code in codes if code in found]
            return len(ordered), ordered[:limit]
        self._insert(shipped)
        return 0, []

    def _insert(self, shipped: Shipped) -> None:
        p = _params(shipped)
        self.session.execute(
            insert(TracePackage),
            [
                {
                    "code": code,
                    "level": PackageLevel(level),
                    "boxes": boxes,
                    "case_code": case_code,
                    "product_id": p["product"],
                    "batch_no": p["batch"],
                    "expiry_date": p["expiry"],
                    "state": PackageState.SHIPPED,
                    "holder_org_id": p["org"],
                    "shipment_line_id": p["line"],
                    "first_event_at": shipped.at,
                    "last_event_at": shipped.at,
                    "updated_at": shipped.at,
                }
                for code, _, level, boxes, case_code in self.rows
            ],
        )
        self.session.execute(
            insert(TraceEvent),
            [
                {
                    "code": row[0],
                    "occurred_at": shipped.at,
                    "kind": EventKind.SHIPPED,
                    "org_id": p["org"],
                    "shipment_line_id": p["line"],
                }
                for row in self.rows
            ],
        )


def _params(shipped: Shipped) -> dict:
    return {
        "product": shipped.product_id,
        "batch": shipped.batch_no,
        "expiry": shipped.expiry_date,
        "state": PackageState.SHIPPED.value,
        "kind": EventKind.SHIPPED.value,
        "org": shipped.shipper_id,
        "line": shipped.shipment_line_id,
        "at": as_utc(shipped.at),
    }


def incoming(session: Session) -> Incoming:
    """The package writer for the session's database."""
    if session.get_bind().dialect.name == "postgresql":
        return PostgresIncoming(session)
    return SqliteIncoming(session)


def partition_name(at: datetime) -> str:
    at = as_utc(at)
    return f"trace_events_y{at.year}m{at.month:02d}"


def ensure_partition(session: Session, at: datetime) -> None:
    """Create the month's partition of trace_events if it is missing (PostgreSQL; SQLite's
    table is not partitioned). Events of a month are written after this."""
    if session.get_bind().dialect.name != "postgresql":
        return
    name = partition_name(at)
    if session.execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar():
        return
    at = as_utc(at)
    following = (at.year + 1, 1) if at.month == 12 else (at.year, at.month + 1)
    session.execute(
        text(
            f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF trace_events FOR VALUES FROM "
            f"('{at.year}-{at.month:02d}-01 00:00+00') "
            f"TO ('{following[0]}-{following[1]:02d}-01 00:00+00')"
        )
    )
