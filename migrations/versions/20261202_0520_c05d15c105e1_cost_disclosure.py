"""cost commitment on bids and cost disclosures after opening (batch 11)

``bids.cost_commitment``: the bidder's commitment not to quote below cost (bids before it read
false). ``cost_disclosures``: a bid priced below the disclosure threshold files a cost breakdown
per smallest unit by its deadline (RULES.md 10).

Revision ID: c05d15c105e1
Revises: b3f8a1d6c2e9
Create Date: 2026-12-02 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c05d15c105e1"
down_revision = "b3f8a1d6c2e9"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
PRICE = sa.Numeric(18, 4)
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "bids",
        sa.Column("cost_commitment", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        "cost_disclosures",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("bid_id", ID, nullable=False),
        sa.Column("tender_id", ID, nullable=False),
        sa.Column("manufacturer_id", ID, nullable=False),
        sa.Column("comparable_price", PRICE, nullable=False),
        sa.Column("threshold", PRICE, nullable=False),
        sa.Column("found_at", STAMP, nullable=False),
        sa.Column("due_at", STAMP, nullable=False),
        sa.Column("win_void", sa.Boolean(), nullable=False),
        sa.Column("manufacturing_cost", PRICE, nullable=True),
        sa.Column("period_expenses", PRICE, nullable=True),
        sa.Column("profit", PRICE, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("filed_at", STAMP, nullable=True),
        sa.Column("filed_by_user_id", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["bid_id"], ["bids.id"], name=op.f("fk_cost_disclosures_bid_id_bids")
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_cost_disclosures_tender_id_tenders")
        ),
        sa.ForeignKeyConstraint(
            ["manufacturer_id"],
            ["organizations.id"],
            name=op.f("fk_cost_disclosures_manufacturer_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_user_id"],
            ["users.id"],
            name=op.f("fk_cost_disclosures_filed_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cost_disclosures")),
        sa.UniqueConstraint("bid_id", name=op.f("uq_cost_disclosures_bid_id")),
    )
    op.create_index(op.f("ix_cost_disclosures_tender_id"), "cost_disclosures", ["tender_id"])
    op.create_index(
        op.f("ix_cost_disclosures_manufacturer_id"), "cost_disclosures", ["manufacturer_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_cost_disclosures_manufacturer_id"), table_name="cost_disclosures")
    op.drop_index(op.f("ix_cost_disclosures_tender_id"), table_name="cost_disclosures")
    op.drop_table("cost_disclosures")
    op.drop_column("bids", "cost_commitment")
