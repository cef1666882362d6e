"""one-time page form keys

``form_submissions`` holds the key of each page form sent (``web/forms.py``), so a form sent
twice (a double click, a reload) is done once and the second send goes where the first led.

Revision ID: a9f3c2e71d05
Revises: c7d3f19a5e42
Create Date: 2026-12-02 02:00:00
"""

import sqlalchemy as sa
from alembic import op

from procurement.db import UtcDateTime

revision = "a9f3c2e71d05"
down_revision = "c7d3f19a5e42"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_submissions",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("sent_at", UtcDateTime(), nullable=False),
        sa.Column("location", sa.String(length=2000), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_form_submissions")),
    )
    op.create_index(
        op.f("ix_form_submissions_sent_at"), "form_submissions", ["sent_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_form_submissions_sent_at"), table_name="form_submissions")
    op.drop_table("form_submissions")
