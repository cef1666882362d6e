"""audit events record the audit key that signed them

Each event's hash becomes an HMAC-SHA256 under one of AUDIT_KEYS; ``key_id`` names the key by
its public fingerprint so a rotated chain still verifies. Events already written keep NULL: they
were hashed with plain SHA-256 (see ``procurement audit seal-legacy``).

Revision ID: e7a1c4d9b2f0
Revises: 5e0c7a3d9b12
Create Date: 2026-12-01 23:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e7a1c4d9b2f0"
down_revision = "5e0c7a3d9b12"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("key_id", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column("audit_events", "key_id")
