"""record who closed an alert case

``compliance_alerts.resolved_by_org_id`` and ``resolved_by_user_id``: the organization and user
that resolved the case with a note; both NULL on a case the compliance check closed because its
condition no longer holds. Plain ids without foreign keys (SQLite adds a constrained column to
an existing table only by copying the table).

Revision ID: 5b8e2d4f7a16
Revises: d2b6f0a4c8e1
Create Date: 2026-12-02 03:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5b8e2d4f7a16"
down_revision = "d2b6f0a4c8e1"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("compliance_alerts", sa.Column("resolved_by_org_id", ID, nullable=True))
    op.add_column("compliance_alerts", sa.Column("resolved_by_user_id", ID, nullable=True))


def downgrade() -> None:
    op.drop_column("compliance_alerts", "resolved_by_user_id")
    op.drop_column("compliance_alerts", "resolved_by_org_id")
