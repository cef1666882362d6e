"""give bids a random public reference for receipts and public verification

Bid ids are sequential, so a receipt or a verification URL that carries one lets anyone count
bids. Each bid gets 128 random bits (URL-safe base64); existing bids are backfilled here.

Revision ID: 5e0c7a3d9b12
Revises: b4e8a2f61c37
Create Date: 2026-12-01 23:30:00
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "5e0c7a3d9b12"
down_revision = "b4e8a2f61c37"
branch_labels = None
depends_on = None

REFERENCE_BYTES = 16  # as procurement.bidding.models.BID_REFERENCE_BYTES (no model imports here)


def upgrade() -> None:
    # A plain ADD COLUMN and a unique index: no table rebuild, which SQLite could not do with
    # bid_versions, awards and contracts pointing at bids while foreign keys are enforced.
    op.add_column("bids", sa.Column("reference", sa.String(length=32), nullable=True))
    bids = sa.table("bids", sa.column("id", sa.Integer()), sa.column("reference", sa.String()))
    connection = op.get_bind()
    for (bid_id,) in connection.execute(sa.select(bids.c.id)).all():
        connection.execute(
            bids.update()
            .where(bids.c.id == bid_id)
            .values(reference=secrets.token_urlsafe(REFERENCE_BYTES))
        )
    op.create_index("ix_bids_reference", "bids", ["reference"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_bids_reference", table_name="bids")
    op.drop_column("bids", "reference")
