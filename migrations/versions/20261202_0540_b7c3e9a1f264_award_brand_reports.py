"""brand reports in the allocation (带量报名, batch 11)

``award_allocations.brand_quantity``: of a line's quantity, the units fixed by the hospital's
brand reports (supplied directly by the winning product, RULES.md 10);
``award_lot_results.brand_report`` (JSON): the lot's brand requests met in full / in part / not,
the volumes, and the hospitals' reports a winner's capacity cut. Runs before this revision
have none.

Revision ID: b7c3e9a1f264
Revises: a7c3e9d1f5b2
Create Date: 2026-12-02 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7c3e9a1f264"
down_revision = "a7c3e9d1f5b2"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column(
        "award_allocations",
        sa.Column("brand_quantity", ID, nullable=False, server_default="0"),
    )
    op.add_column("award_lot_results", sa.Column("brand_report", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("award_lot_results", "brand_report")
    op.drop_column("award_allocations", "brand_quantity")
