"""compliance: order timeliness folded into the dashboard rollup

``compliance_rollups`` gets ``order_mark`` and the folded counts of settled orders
(``confirm_due``, ``confirm_on_time``, ``deliver_due``, ``deliver_on_time``; 0 for the rollups
already there: every order is then counted live); ``compliance_rollup_open_orders`` lists the
orders up to the mark that were not settled at the fold (see
procurement/compliance/dashboard/order_fold_queries.py). No other area's table changes.

Revision ID: a7c3e9f1b2d4
Revises: c4d8e2f6a1b9
Create Date: 2026-12-02 13:45:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e9f1b2d4"
down_revision = "c4d8e2f6a1b9"
branch_labels = None
depends_on = None

COUNTS = ("order_mark", "confirm_due", "confirm_on_time", "deliver_due", "deliver_on_time")


def upgrade() -> None:
    with op.batch_alter_table("compliance_rollups") as batch:
        for name in COUNTS:
            batch.add_column(
                sa.Column(name, sa.BigInteger(), nullable=False, server_default=sa.text("0"))
            )
    op.create_table(
        "compliance_rollup_open_orders",
        sa.Column(
            "rollup_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["rollup_id"],
            ["compliance_rollups.id"],
            name=op.f("fk_compliance_rollup_open_orders_rollup_id_compliance_rollups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "rollup_id", "order_id", name=op.f("pk_compliance_rollup_open_orders")
        ),
    )


def downgrade() -> None:
    op.drop_table("compliance_rollup_open_orders")
    with op.batch_alter_table("compliance_rollups") as batch:
        for name in reversed(COUNTS):
            batch.drop_column(name)
