"""receiving by scan, traceability alerts, stock ledger, no-code stock, coded quantities

Revision ID: f1a9c3e5b7d2
Revises: d4e8a2c6f1b3
Create Date: 2026-12-02 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f1a9c3e5b7d2"
down_revision = "d4e8a2c6f1b3"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "trace_receipt_scans",
        sa.Column("shipment_id", ID, sa.ForeignKey("shipments.id"), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("shipment_line_id", ID, sa.ForeignKey("shipment_lines.id"), nullable=False),
        sa.Column("boxes", sa.Integer(), nullable=False),
        sa.Column("scanned_at", WHEN, nullable=False),
        sa.Column("scanned_by_user_id", ID, sa.ForeignKey("users.id"), nullable=True),
        sa.PrimaryKeyConstraint("shipment_id", "code", name="pk_trace_receipt_scans"),
    )
    op.create_table(
        "trace_line_coding",
        sa.Column("shipment_line_id", ID, sa.ForeignKey("shipment_lines.id"), nullable=False),
        sa.Column("coded_quantity", sa.Integer(), nullable=False),
        sa.Column("uncoded_quantity", sa.Integer(), nullable=False),
        sa.Column("codes_required", sa.Boolean(), nullable=False),
        sa.Column("coded_amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("held_reason", sa.String(500), nullable=True),
        sa.Column("accepted_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("shipment_line_id", name="pk_trace_line_coding"),
    )
    op.create_table(
        "trace_alerts",
        sa.Column("id", ID, primary_key=True),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("code", sa.String(100), nullable=False),
        sa.Column("product_id", ID, nullable=True),
        sa.Column("org_id", ID, sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("seen_at", WHEN, nullable=False),
        sa.Column("first_org_id", ID, sa.ForeignKey("organizations.id"), nullable=True),
        sa.Column("first_at", WHEN, nullable=True),
        sa.Column("raised_at", WHEN, nullable=False),
    )
    for column in ("kind", "code", "raised_at"):
        op.create_index(f"ix_trace_alerts_{column}", "trace_alerts", [column])
    op.create_table(
        "trace_stock",
        sa.Column("org_id", ID, sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("product_id", ID, sa.ForeignKey("products.id"), nullable=False),
        sa.Column("batch_no", sa.String(40), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("dispensed", sa.Integer(), nullable=False),
        sa.Column("returned", sa.Integer(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "product_id", "batch_no", name="pk_trace_stock"),
    )
    op.create_table(
        "trace_nocode_stock",
        sa.Column("id", ID, primary_key=True),
        sa.Column("org_id", ID, sa.ForeignKey("organizations.id"), nullable=False),
        sa.Column("product_id", ID, sa.ForeignKey("products.id"), nullable=False),
        sa.Column("batch_no", sa.String(40), nullable=False),
        sa.Column("expiry_date", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("declared_at", WHEN, nullable=False),
        sa.Column("declared_by_user_id", ID, sa.ForeignKey("users.id"), nullable=True),
    )
    op.create_index("ix_trace_nocode_stock_org_id", "trace_nocode_stock", ["org_id"])


def downgrade() -> None:
    for table in (
        "trace_nocode_stock",
        "trace_stock",
        "trace_alerts",
        "trace_line_coding",
        "trace_receipt_scans",
    ):
        op.drop_table(table)
