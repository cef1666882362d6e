"""compliance: the dashboard rollup (folded sums up to a watermark, read with a live delta)

Three tables of the compliance area: compliance_rollups, compliance_rollup_groups and
compliance_rollup_unpaid (see procurement/compliance/services/rollup.py). No other area's table
changes.

Revision ID: 7c4f2a9e8d15
Revises: 3b9e1c2d4a61
Create Date: 2026-11-22 19:10:00
"""

import sqlalchemy as sa
from alembic import op

import procurement.db

revision = "7c4f2a9e8d15"
down_revision = "3b9e1c2d4a61"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "compliance_rollups",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "tender_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "contract_year", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("params", sa.String(length=80), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=False),
        sa.Column("contract_mark", sa.BigInteger(), nullable=False),
        sa.Column(
            "tender_version", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("payment_events", sa.BigInteger(), nullable=False),
        sa.Column("receipt_line_mark", sa.BigInteger(), nullable=False),
        sa.Column("payable_mark", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("paid_on_time", sa.BigInteger(), nullable=False),
        sa.Column("unpaid_due_before", sa.BigInteger(), nullable=False),
        sa.Column("non_winning", sa.BigInteger(), nullable=False),
        sa.Column("built_at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_compliance_rollups_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_rollups")),
    )
    op.create_index(
        "ix_compliance_rollups_selection",
        "compliance_rollups",
        ["tender_id", "contract_year", "day"],
        unique=False,
    )
    op.create_table(
        "compliance_rollup_groups",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "rollup_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("grp", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=True),
        sa.Column("agreed", sa.BigInteger(), nullable=False),
        sa.Column("accepted", sa.BigInteger(), nullable=False),
        sa.Column("contracts", sa.BigInteger(), nullable=False),
        sa.Column("behind", sa.BigInteger(), nullable=False),
        sa.Column("at_risk", sa.BigInteger(), nullable=False),
        sa.Column("zero", sa.BigInteger(), nullable=False),
        sa.Column("lag_rank", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["rollup_id"],
            ["compliance_rollups.id"],
            name=op.f("fk_compliance_rollup_groups_rollup_id_compliance_rollups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_rollup_groups")),
    )
    op.create_index(
        op.f("ix_compliance_rollup_groups_rollup_id"),
        "compliance_rollup_groups",
        ["rollup_id"],
        unique=False,
    )
    op.create_table(
        "compliance_rollup_unpaid",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "rollup_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("due_at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("payables", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rollup_id"],
            ["compliance_rollups.id"],
            name=op.f("fk_compliance_rollup_unpaid_rollup_id_compliance_rollups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_rollup_unpaid")),
    )
    op.create_index(
        op.f("ix_compliance_rollup_unpaid_rollup_id"),
        "compliance_rollup_unpaid",
        ["rollup_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_compliance_rollup_unpaid_rollup_id"), table_name="compliance_rollup_unpaid"
    )
    op.drop_table("compliance_rollup_unpaid")
    op.drop_index(
        op.f("ix_compliance_rollup_groups_rollup_id"), table_name="compliance_rollup_groups"
    )
    op.drop_table("compliance_rollup_groups")
    op.drop_index("ix_compliance_rollups_selection", table_name="compliance_rollups")
    op.drop_table("compliance_rollups")
