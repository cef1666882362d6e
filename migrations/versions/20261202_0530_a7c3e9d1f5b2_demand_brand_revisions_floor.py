"""demand by brand in revisions; the demand floor's reason and its confirmation (batch 11)

``demand_revisions.brand_lines``: each version's brand lines (JSON), and the version's floor
reason; ``demand_reports.floor_*``: a report saved below its demand floor with a reason
(RULES.md 10, ``rules.demand.floor_mode`` "reason") and the regulator's confirmation of it.

Revision ID: a7c3e9d1f5b2
Revises: c05d15c105e1
Create Date: 2026-12-02 05:30:00
"""

import sqlalchemy as sa
from alembic import op

import procurement.db

revision = "a7c3e9d1f5b2"
down_revision = "c05d15c105e1"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("demand_revisions", sa.Column("brand_lines", sa.JSON(), nullable=True))
    op.add_column("demand_revisions", sa.Column("floor_reason", sa.Text(), nullable=True))
    op.add_column("demand_reports", sa.Column("floor_quantity", ID, nullable=True))
    op.add_column("demand_reports", sa.Column("floor_source", sa.String(10), nullable=True))
    op.add_column("demand_reports", sa.Column("floor_reason", sa.Text(), nullable=True))
    op.add_column(
        "demand_reports",
        sa.Column("floor_confirmed_at", procurement.db.UtcDateTime(timezone=True), nullable=True),
    )
    with op.batch_alter_table("demand_reports") as batch:
        batch.add_column(sa.Column("floor_confirmed_by_user_id", ID, nullable=True))
        batch.create_foreign_key(
            op.f("fk_demand_reports_floor_confirmed_by_user_id_users"),
            "users",
            ["floor_confirmed_by_user_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("demand_reports") as batch:
        batch.drop_constraint(
            op.f("fk_demand_reports_floor_confirmed_by_user_id_users"), type_="foreignkey"
        )
        batch.drop_column("floor_confirmed_by_user_id")
    for column in ("floor_confirmed_at", "floor_reason", "floor_source", "floor_quantity"):
        op.drop_column("demand_reports", column)
    op.drop_column("demand_revisions", "floor_reason")
    op.drop_column("demand_revisions", "brand_lines")
