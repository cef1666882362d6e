"""count failed logins and API requests; end a user's other sessions

``login_throttles`` holds failed-login counts and lockouts, ``api_rate_counters`` the API
requests per token or address in the current window (in the database, so every worker sees
them); ``users.session_epoch`` is part of each login session's id, so raising it ends the
user's other sessions; ``users.password_changed_at`` records the last password change.

Revision ID: c7d3f19a5e42
Revises: e7a1c4d9b2f0
Create Date: 2026-12-01 23:00:00
"""

import sqlalchemy as sa
from alembic import op

from procurement.db import UtcDateTime

revision = "c7d3f19a5e42"
down_revision = "e7a1c4d9b2f0"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("window_started_at", UtcDateTime(), nullable=False),
        sa.Column("locked_until", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttles")),
    )
    op.create_table(
        "api_rate_counters",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("requests", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("window_started_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_api_rate_counters")),
    )
    op.add_column(
        "users",
        sa.Column(
            "session_epoch",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            server_default="0",
            nullable=False,
        ),
    )
    op.add_column("users", sa.Column("password_changed_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "password_changed_at")
    op.drop_column("users", "session_epoch")
    op.drop_table("api_rate_counters")
    op.drop_table("login_throttles")
