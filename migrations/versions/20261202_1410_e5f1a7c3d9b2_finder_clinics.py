"""the medicine finder lists primary care clinics beside pharmacies

``finder_entries.kind``: "pharmacy" (every row so far) or "clinic".

Revision ID: e5f1a7c3d9b2
Revises: a7c3e9f1b2d4
Create Date: 2026-12-02 14:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e5f1a7c3d9b2"
down_revision = "a7c3e9f1b2d4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("finder_entries") as batch:
        batch.add_column(
            sa.Column(
                "kind",
                sa.Enum("pharmacy", "clinic", name="placekind", native_enum=False, length=10),
                nullable=False,
                server_default="pharmacy",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("finder_entries") as batch:
        batch.drop_column("kind")
