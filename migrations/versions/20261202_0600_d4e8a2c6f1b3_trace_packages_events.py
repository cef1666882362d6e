"""traceability codes: packages keyed by code, monthly-partitioned events, product formats

``trace_packages``: one row per package (box or case), keyed by its code; ``trace_events``: the
packages' histories, on PostgreSQL declaratively partitioned by month on ``occurred_at`` (the
months 2025-01 to 2027-12 here; the ingest adds later months as it needs them);
``trace_product_formats``: a product's 码上放心 prefix, GTIN and registered format.

Revision ID: d4e8a2c6f1b3
Revises: b7c3e9a1f264
Create Date: 2026-12-02 06:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d4e8a2c6f1b3"
down_revision = "b7c3e9a1f264"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
FIRST_MONTH, LAST_MONTH = (2025, 1), (2027, 12)
# Codes compare byte by byte on PostgreSQL (collation "C"): memcmp B-trees.
CODE = sa.String(100).with_variant(sa.String(100, collation="C"), "postgresql")


def _months():
    year, month = FIRST_MONTH
    while (year, month) <= LAST_MONTH:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def upgrade() -> None:
    op.create_table(
        "trace_product_formats",
        sa.Column("product_id", ID, sa.ForeignKey("products.id"), nullable=False),
        sa.Column("prefix", sa.String(7), nullable=True),
        sa.Column("gtin", sa.String(14), nullable=True),
        sa.Column("pattern", sa.String(200), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("product_id", name="pk_trace_product_formats"),
        sa.UniqueConstraint("prefix", name="uq_trace_product_formats_prefix"),
        sa.UniqueConstraint("gtin", name="uq_trace_product_formats_gtin"),
    )
    op.create_table(
        "trace_packages",
        sa.Column("code", CODE, nullable=False),
        sa.Column("level", sa.Enum("box", "case", native_enum=False, length=8), nullable=False),
        sa.Column("boxes", sa.Integer(), nullable=False),
        sa.Column("case_code", CODE, nullable=True),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("batch_no", sa.String(40), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column(
            "state",
            sa.Enum("shipped", "received", "dispensed", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("holder_org_id", ID, nullable=False),
        sa.Column("shipment_line_id", ID, sa.ForeignKey("shipment_lines.id"), nullable=False),
        sa.Column("first_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_trace_packages"),
    )
    op.create_index("ix_trace_packages_shipment_line_id", "trace_packages", ["shipment_line_id"])
    op.create_index(
        "ix_trace_packages_case_code",
        "trace_packages",
        ["case_code"],
        postgresql_where=sa.text("case_code IS NOT NULL"),
        sqlite_where=sa.text("case_code IS NOT NULL"),
    )
    op.create_table(
        "trace_events",
        sa.Column("code", CODE, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("shipped", "received", "dispensed", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("org_id", ID, nullable=False),
        sa.Column("shipment_line_id", ID, nullable=True),
        sa.PrimaryKeyConstraint("code", "occurred_at", "kind", name="pk_trace_events"),
        postgresql_partition_by="RANGE (occurred_at)",
    )
    if op.get_bind().dialect.name == "postgresql":
        for year, month in _months():
            following = (year + 1, 1) if month == 12 else (year, month + 1)
            op.execute(
                f"CREATE TABLE trace_events_y{year}m{month:02d} PARTITION OF trace_events "
                f"FOR VALUES FROM ('{year}-{month:02d}-01 00:00+00') "
                f"TO ('{following[0]}-{following[1]:02d}-01 00:00+00')"
            )


def downgrade() -> None:
    op.drop_table("trace_events")  # drops its partitions with it
    op.drop_index("ix_trace_packages_case_code", table_name="trace_packages")
    op.drop_index("ix_trace_packages_shipment_line_id", table_name="trace_packages")
    op.drop_table("trace_packages")
    op.drop_table("trace_product_formats")
