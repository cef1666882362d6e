"""related bidders (groups under common control) and eligibility at opening

``bidder_groups``, ``bidder_group_members`` (a manufacturer in one group at a time) and
``bidder_group_designations`` (the member a group names to bid on a tender or lot): a group
counts once in N and only its best-ranked valid bid per lot stands (RULES.md 1 and 10).
``bids.eligible``: False when the product was found ineligible at opening, so the bidder does
not count in N (RULES.md 2.2).

Revision ID: b3f8a1d6c2e9
Revises: e4a1c7b9d352
Create Date: 2026-12-02 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b3f8a1d6c2e9"
down_revision = "e4a1c7b9d352"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("bids", sa.Column("eligible", sa.Boolean(), nullable=True))
    op.create_table(
        "bidder_groups",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_by_org_id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_org_id"],
            ["organizations.id"],
            name=op.f("fk_bidder_groups_created_by_org_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bidder_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_bidder_groups_name")),
    )
    op.create_table(
        "bidder_group_members",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("group_id", ID, nullable=False),
        sa.Column("manufacturer_id", ID, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["bidder_groups.id"],
            name=op.f("fk_bidder_group_members_group_id_bidder_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["manufacturer_id"],
            ["organizations.id"],
            name=op.f("fk_bidder_group_members_manufacturer_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bidder_group_members")),
        sa.UniqueConstraint(
            "manufacturer_id", name=op.f("uq_bidder_group_members_manufacturer_id")
        ),
    )
    op.create_index(op.f("ix_bidder_group_members_group_id"), "bidder_group_members", ["group_id"])
    op.create_table(
        "bidder_group_designations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("group_id", ID, nullable=False),
        sa.Column("tender_id", ID, nullable=False),
        sa.Column("lot_id", ID, nullable=True),
        sa.Column("manufacturer_id", ID, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["bidder_groups.id"],
            name=op.f("fk_bidder_group_designations_group_id_bidder_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"],
            ["tenders.id"],
            name=op.f("fk_bidder_group_designations_tender_id_tenders"),
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lots.id"], name=op.f("fk_bidder_group_designations_lot_id_lots")
        ),
        sa.ForeignKeyConstraint(
            ["manufacturer_id"],
            ["organizations.id"],
            name=op.f("fk_bidder_group_designations_manufacturer_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bidder_group_designations")),
        sa.UniqueConstraint(
            "group_id",
            "tender_id",
            "lot_id",
            name=op.f("uq_bidder_group_designations_group_id_tender_id_lot_id"),
        ),
    )
    op.create_index(
        op.f("ix_bidder_group_designations_group_id"), "bidder_group_designations", ["group_id"]
    )
    op.create_index(
        op.f("ix_bidder_group_designations_tender_id"), "bidder_group_designations", ["tender_id"]
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_bidder_group_designations_tender_id"), table_name="bidder_group_designations"
    )
    op.drop_index(
        op.f("ix_bidder_group_designations_group_id"), table_name="bidder_group_designations"
    )
    op.drop_table("bidder_group_designations")
    op.drop_index(op.f("ix_bidder_group_members_group_id"), table_name="bidder_group_members")
    op.drop_table("bidder_group_members")
    op.drop_table("bidder_groups")
    op.drop_column("bids", "eligible")
