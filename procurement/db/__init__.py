"""Declarative base, naming convention, Decimal, UTC and enum column types, engine and sessions.
What differs between PostgreSQL and SQLite beyond setting up the engine (the hot path's
statements, bulk planner settings, statistics) is in ``backends``."""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from sqlalchemy import (
    BigInteger,
    DateTime,
    Enum,
    Integer,
    MetaData,
    Numeric,
    String,
    TypeDecorator,
    event,
)
from sqlalchemy.engine import Dialect, Engine, create_engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, mapped_column, sessionmaker

from procurement.core import clock
from procurement.core.clock import as_utc

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass timezone-aware UTC times (use the clock)")
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


# Column aliases for money and quantities (STYLE.md section 4).
Amount = Annotated[Decimal, mapped_column(Numeric(18, 2))]
UnitPrice = Annotated[Decimal, mapped_column(Numeric(18, 4))]
Ratio = Annotated[Decimal, mapped_column(Numeric(9, 4))]
Quantity = Annotated[int, mapped_column(BigInteger().with_variant(Integer(), "sqlite"))]
Currency = Annotated[str, mapped_column(String(3), default="CNY")]
Timestamp = Annotated[datetime, mapped_column(UtcDateTime())]


def enum_type(cls: type[StrEnum], length: int, *, by_name: bool = False) -> Enum:
    """A ``StrEnum`` column type: its values in a VARCHAR(``length``), no native enum type and
    no CHECK constraint, so adding a member needs no migration. ``by_name`` stores the
    members' names instead (``HOSPITAL``), as the first tables (organizations, users) do."""
    if by_name:
        return Enum(cls, native_enum=False, length=length)
    return Enum(cls, native_enum=False, length=length, values_callable=_values)


def _values(cls: type[StrEnum]) -> list[str]:
    return [member.value for member in cls]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # SQLite only auto-numbers "INTEGER PRIMARY KEY", so ints are INTEGER there, BIGINT elsewhere.
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        int: BigInteger().with_variant(Integer(), "sqlite"),
    }


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine. On SQLite every transaction begins with BEGIN IMMEDIATE.

    pysqlite's own transaction handling ignores FOR UPDATE and defers BEGIN; writers then lose
    updates (DESIGN.md section 7). SQLAlchemy's documented recipe: disable pysqlite's handling
    and emit BEGIN ourselves. IMMEDIATE takes the write lock up front, so read-modify-write
    sequences are serialised.
    """
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {}).update({"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    engine = create_engine(url, **kwargs)
    event.listen(engine, "checkout", _ping_if_idle)
    event.listen(engine, "checkin", _note_checkin)
    return engine


IDLE_PING_SECONDS = 10.0


def _note_checkin(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Pre-ping a pooled connection only when it sat idle for IDLE_PING_SECONDS or more.

    A connection the server dropped (a restart, an idle timeout) is then replaced before the
    request uses it, as ``pool_pre_ping`` does; but a busy pool reuses its connections within
    milliseconds, and pinging each checkout cost a round trip and about three times the CPU of
    the checkout itself (docs/performance.md, "Database")."""
    idle_since = record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.execute("SELECT 1")
    except Exception as exc:  # any driver error: let the pool connect afresh
        raise DisconnectionError(f"pooled connection lost while idle: {exc}") from exc


def business_month(column: Any, dialect: Dialect) -> Any:
    """SQL for a UTC timestamp column's month in the business time zone, ``YYYY-MM`` (see
    ``Backend.business_month``)."""
    from procurement.db.backends import backend  # the backends build on this module

    return backend(dialect).business_month(column)


def _sqlite_business_month(value: str | None) -> str | None:
    if value is None:
        return None
    return clock.business_month(datetime.fromisoformat(value))


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    dbapi_connection.create_function(
        "business_month", 1, _sqlite_business_month, deterministic=True
    )
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL + NORMAL: a commit survives an application crash; only an OS crash or power loss
    # may drop the last commits (never corrupts). FULL costs an fsync per commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(bind=engine, expire_on_commit=False)
