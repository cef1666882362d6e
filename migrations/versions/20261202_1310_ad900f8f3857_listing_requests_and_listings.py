"""listing requests (挂网申请) and active listings (挂网价)

``listing_requests``: a manufacturer's request to list a product at a unit price in a province
(or platform-wide), its evidence, the checks' results when filed and when decided, and the
regulator's decision; ``listings``: the active listing prices, ended when replaced.

Revision ID: ad900f8f3857
Revises: b7e3c1a9d5f2
Create Date: 2026-12-02 12:13:12.284733
"""

import sqlalchemy as sa
from alembic import op

import procurement.db

revision = "ad900f8f3857"
down_revision = "b7e3c1a9d5f2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listing_requests",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "manufacturer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "filed_by_org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "filed_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "rejected",
                name="requeststatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("decision_checks", sa.JSON(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("decided_at", procurement.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "decided_by_user_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("filed_at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint("unit_price > 0", name=op.f("ck_listing_requests_unit_price_positive")),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_listing_requests_decided_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_org_id"],
            ["organizations.id"],
            name=op.f("fk_listing_requests_filed_by_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["filed_by_user_id"],
            ["users.id"],
            name=op.f("fk_listing_requests_filed_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["manufacturer_id"],
            ["organizations.id"],
            name=op.f("fk_listing_requests_manufacturer_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_listing_requests_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_requests")),
    )
    op.create_index(
        op.f("ix_listing_requests_manufacturer_id"),
        "listing_requests",
        ["manufacturer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_listing_requests_product_id"), "listing_requests", ["product_id"], unique=False
    )
    op.create_index(
        op.f("ix_listing_requests_region_code"), "listing_requests", ["region_code"], unique=False
    )
    op.create_index(
        op.f("ix_listing_requests_status"), "listing_requests", ["status"], unique=False
    )
    op.create_table(
        "listings",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "request_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "manufacturer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("generic_name", sa.String(length=200), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("listed_at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", procurement.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "ended_by_listing_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.CheckConstraint("unit_price > 0", name=op.f("ck_listings_unit_price_positive")),
        sa.ForeignKeyConstraint(
            ["ended_by_listing_id"],
            ["listings.id"],
            name=op.f("fk_listings_ended_by_listing_id_listings"),
        ),
        sa.ForeignKeyConstraint(
            ["manufacturer_id"],
            ["organizations.id"],
            name=op.f("fk_listings_manufacturer_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_listings_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["listing_requests.id"],
            name=op.f("fk_listings_request_id_listing_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listings")),
        sa.UniqueConstraint("request_id", name=op.f("uq_listings_request_id")),
    )
    op.create_index(op.f("ix_listings_ended_at"), "listings", ["ended_at"], unique=False)
    op.create_index(op.f("ix_listings_generic_name"), "listings", ["generic_name"], unique=False)
    op.create_index(
        op.f("ix_listings_manufacturer_id"), "listings", ["manufacturer_id"], unique=False
    )
    op.create_index(op.f("ix_listings_product_id"), "listings", ["product_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_listings_product_id"), table_name="listings")
    op.drop_index(op.f("ix_listings_manufacturer_id"), table_name="listings")
    op.drop_index(op.f("ix_listings_generic_name"), table_name="listings")
    op.drop_index(op.f("ix_listings_ended_at"), table_name="listings")
    op.drop_table("listings")
    op.drop_index(op.f("ix_listing_requests_status"), table_name="listing_requests")
    op.drop_index(op.f("ix_listing_requests_region_code"), table_name="listing_requests")
    op.drop_index(op.f("ix_listing_requests_product_id"), table_name="listing_requests")
    op.drop_index(op.f("ix_listing_requests_manufacturer_id"), table_name="listing_requests")
    op.drop_table("listing_requests")
