"""a shortage's backup supply can be ended: when, by whom and why

``shortage_backup_activations.ended_at``, ``ended_by_user_id`` and ``end_reason`` (all null
while the backup supplies).

Revision ID: f2b8d4a6c1e3
Revises: e5f1a7c3d9b2
Create Date: 2026-12-02 17:00:00
"""

import sqlalchemy as sa
from alembic import op

import procurement.db

revision = "f2b8d4a6c1e3"
down_revision = "e5f1a7c3d9b2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shortage_backup_activations") as batch:
        batch.add_column(
            sa.Column("ended_at", procurement.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column(
                "ended_by_user_id",
                sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                nullable=True,
            )
        )
        batch.add_column(sa.Column("end_reason", sa.String(length=500), nullable=True))
        batch.create_foreign_key(
            op.f("fk_shortage_backup_activations_ended_by_user_id_users"),
            "users",
            ["ended_by_user_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("shortage_backup_activations") as batch:
        batch.drop_constraint(
            op.f("fk_shortage_backup_activations_ended_by_user_id_users"), type_="foreignkey"
        )
        batch.drop_column("end_reason")
        batch.drop_column("ended_by_user_id")
        batch.drop_column("ended_at")
