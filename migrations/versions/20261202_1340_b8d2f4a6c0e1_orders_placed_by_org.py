"""an order placed by a county medical community for a member: who placed it

``purchase_orders.placed_by_org_id``: the organization whose user placed the order when it is
not the buyer (a medical community ordering for a member, RULES.md 12); NULL otherwise.

Revision ID: b8d2f4a6c0e1
Revises: a7c3e9f2b514
Create Date: 2026-12-02 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b8d2f4a6c0e1"
down_revision = "a7c3e9f2b514"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("purchase_orders") as batch:
        batch.add_column(sa.Column("placed_by_org_id", BIGINT, nullable=True))
        batch.create_foreign_key(
            batch.f("fk_purchase_orders_placed_by_org_id_organizations"),
            "organizations",
            ["placed_by_org_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("purchase_orders") as batch:
        batch.drop_constraint(
            batch.f("fk_purchase_orders_placed_by_org_id_organizations"), "foreignkey"
        )
        batch.drop_column("placed_by_org_id")
