"""record why a winner received less volume than its price would expect

``award_bid_outcomes.volume_limit`` (JSON): what limited a winner's volume (capacity, maximum
share, regions, a rule), computed when the run allocated the lot (``award/volume_limits.py``)
and shown on the public results. Runs before this revision have none.

Revision ID: d2b6f0a4c8e1
Revises: a9f3c2e71d05
Create Date: 2026-12-02 02:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d2b6f0a4c8e1"
down_revision = "a9f3c2e71d05"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("award_bid_outcomes", sa.Column("volume_limit", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("award_bid_outcomes", "volume_limit")
