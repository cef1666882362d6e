"""Traceability: packages keyed by their code, their events, and products' code formats.

``trace_packages`` holds one row per package (a box, or a case standing for its boxes): the
per-code state row that makes "one package, one shipment" (and later "received once, dispensed
once") a primary-key lookup. ``trace_events`` is the package's history; on PostgreSQL it is
partitioned by month on ``occurred_at`` (declaratively, see the migration and
``docs/trace_codes_scale.md``), so no index spans the partitions and uniqueness lives in the
package table, never across partitions. Both tables are written in bulk (COPY on PostgreSQL);
``product_id``, ``holder_org_id`` and ``shipment_line_id`` repeat what the shipment line says and
carry no foreign key: the ingest writes them from the line it holds locked, and a million-row
ingest then pays no key check per row.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from procurement.db import Base, enum_type

MAX_CODE_KEY = 100  # characters of a stored package code (codes.MAX_CODE_LENGTH)
# Codes compare byte by byte (collation "C" on PostgreSQL): their B-trees then compare with
# memcmp and abbreviated keys, not the locale's rules, which a code has no use for.
CodeKey = String(MAX_CODE_KEY).with_variant(String(MAX_CODE_KEY, collation="C"), "postgresql")


class PackageLevel(StrEnum):
    BOX = "box"  # the smallest sellable package
    CASE = "case"  # an aggregation code standing for its boxes


class PackageState(StrEnum):
    SHIPPED = "shipped"
    RECEIVED = "received"
    DISPENSED = "dispensed"
    RETURNED = "returned"  # sent back to the supplier by the institution that received it


class EventKind(StrEnum):
    SHIPPED = "shipped"
    RECEIVED = "received"
    DISPENSED = "dispensed"
    RETURNED = "returned"


class ProductCodeFormat(Base):
    """The code formats a manufacturer registered for one of its products: the 码上放心 product
    prefix, the GS1 GTIN, and its own format (a regular expression). Each prefix and GTIN
    belongs to one product."""

    __tablename__ = "trace_product_formats"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    prefix: Mapped[str | None] = mapped_column(String(7), unique=True)
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    pattern: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class TracePackage(Base):
    __tablename__ = "trace_packages"
    __table_args__ = (
        Index(
            "ix_trace_packages_case_code",
            "case_code",
            postgresql_where=text("case_code IS NOT NULL"),
            sqlite_where=text("case_code IS NOT NULL"),
        ),
    )

    code: Mapped[str] = mapped_column(CodeKey, primary_key=True)
    level: Mapped[PackageLevel] = mapped_column(enum_type(PackageLevel, 8))
    boxes: Mapped[int] = mapped_column(Integer)  # 1 for a box; a case: the boxes it stands for
    case_code: Mapped[str | None] = mapped_column(CodeKey)
    product_id: Mapped[int]
    batch_no: Mapped[str] = mapped_column(String(40))
    expiry_date: Mapped[date]
    state: Mapped[PackageState] = mapped_column(enum_type(PackageState, 12))
    holder_org_id: Mapped[int]
    # No foreign key: written only by the ingest, which holds the line locked; a key's check per
    # package was half the database's work of a million-code file (docs/trace_codes_scale.md).
    shipment_line_id: Mapped[int] = mapped_column(index=True)
    # The package's first and last events: its history is read from the partitions between
    # them only (one partition for a package shipped and received in the same month).
    first_event_at: Mapped[datetime]
    last_event_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TraceEvent(Base):
    """One thing that happened to a package. Keyed by (code, occurred_at, kind): the partition
    key is part of the key, as PostgreSQL requires of a partitioned table's primary key."""

    __tablename__ = "trace_events"
    __table_args__ = {"postgresql_partition_by": "RANGE (occurred_at)"}  # noqa: RUF012

    code: Mapped[str] = mapped_column(CodeKey, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind, 12), primary_key=True)
    org_id: Mapped[int]
    shipment_line_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite")
    )


from procurement.trace import scan_models  # noqa: E402, F401  (receiving by scan, stock)
