"""index receipt lines by acceptance time (price monitoring)

Price monitoring (``compliance/prices``) sums the deliveries accepted in a window of months:
``ix_receipt_lines_accepted_at`` lets it read only those.

Revision ID: a7c3e9f2b514
Revises: 94fda4751438
Create Date: 2026-12-02 13:00:00
"""

from alembic import op

revision = "a7c3e9f2b514"
down_revision = "94fda4751438"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_receipt_lines_accepted_at", "receipt_lines", ["accepted_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_receipt_lines_accepted_at", table_name="receipt_lines")
