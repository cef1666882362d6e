"""pharmacies join VBP and the public medicine finder

A store's or chain's sign-up for a tender's winning products, each store's signed-up products
with its selling price, its sales, and the finder's read model (search keys, products, entries).

Revision ID: c4d8e2f6a1b9
Revises: b8d2f4a6c0e1
Create Date: 2026-12-02 13:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c4d8e2f6a1b9"
down_revision = "b8d2f4a6c0e1"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "finder_names",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("generic_name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", "generic_name", name=op.f("pk_finder_names")),
    )
    op.create_table(
        "finder_entries",
        sa.Column("store_id", BIGINT, nullable=False),
        sa.Column("product_id", BIGINT, nullable=False),
        sa.Column("generic_name", sa.String(length=200), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("store_name", sa.String(length=200), nullable=False),
        sa.Column("store_address", sa.String(length=200), nullable=True),
        sa.Column("price", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum("in_stock", "low", "out", name="stockstatus", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("status_rank", BIGINT, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_finder_entries_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["organizations.id"],
            name=op.f("fk_finder_entries_store_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("store_id", "product_id", name=op.f("pk_finder_entries")),
    )
    op.create_index(
        "ix_finder_entries_lookup",
        "finder_entries",
        ["generic_name", "district", "status_rank", "store_id"],
        unique=False,
    )
    op.create_table(
        "finder_products",
        sa.Column("product_id", BIGINT, nullable=False),
        sa.Column("generic_name", sa.String(length=200), nullable=False),
        sa.Column("manufacturer", sa.String(length=200), nullable=False),
        sa.Column("specification", sa.String(length=200), nullable=False),
        sa.Column("vbp_pack_price", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_finder_products_product_id_products")
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_finder_products")),
    )
    op.create_index(
        op.f("ix_finder_products_generic_name"), "finder_products", ["generic_name"], unique=False
    )
    op.create_table(
        "pharmacy_enrollments",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("org_id", BIGINT, nullable=False),
        sa.Column("tender_id", BIGINT, nullable=False),
        sa.Column("generic_names", sa.JSON(), nullable=False),
        sa.Column("enrolled_at", WHEN, nullable=False),
        sa.Column("enrolled_by_user_id", BIGINT, nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolled_by_user_id"],
            ["users.id"],
            name=op.f("fk_pharmacy_enrollments_enrolled_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organizations.id"],
            name=op.f("fk_pharmacy_enrollments_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["tender_id"], ["tenders.id"], name=op.f("fk_pharmacy_enrollments_tender_id_tenders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pharmacy_enrollments")),
        sa.UniqueConstraint(
            "org_id", "tender_id", name=op.f("uq_pharmacy_enrollments_org_id_tender_id")
        ),
    )
    op.create_index(
        op.f("ix_pharmacy_enrollments_org_id"), "pharmacy_enrollments", ["org_id"], unique=False
    )
    op.create_index(
        op.f("ix_pharmacy_enrollments_tender_id"),
        "pharmacy_enrollments",
        ["tender_id"],
        unique=False,
    )
    op.create_table(
        "pharmacy_sales",
        sa.Column("id", BIGINT, nullable=False),
        sa.Column("store_id", BIGINT, nullable=False),
        sa.Column("product_id", BIGINT, nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("sold_at", WHEN, nullable=False),
        sa.Column("reported_by_user_id", BIGINT, nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_pharmacy_sales_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_user_id"],
            ["users.id"],
            name=op.f("fk_pharmacy_sales_reported_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["organizations.id"],
            name=op.f("fk_pharmacy_sales_store_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pharmacy_sales")),
    )
    op.create_index(
        "ix_pharmacy_sales_store_sold", "pharmacy_sales", ["store_id", "sold_at"], unique=False
    )
    op.create_table(
        "pharmacy_products",
        sa.Column("store_id", BIGINT, nullable=False),
        sa.Column("product_id", BIGINT, nullable=False),
        sa.Column("enrollment_id", BIGINT, nullable=False),
        sa.Column("generic_name", sa.String(length=200), nullable=False),
        sa.Column("vbp_pack_price", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("price_cap", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("price", sa.Numeric(precision=18, scale=2), nullable=True),
        sa.Column("price_set_at", WHEN, nullable=True),
        sa.Column("sold_no_code", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrollment_id"],
            ["pharmacy_enrollments.id"],
            name=op.f("fk_pharmacy_products_enrollment_id_pharmacy_enrollments"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_pharmacy_products_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["organizations.id"],
            name=op.f("fk_pharmacy_products_store_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("store_id", "product_id", name=op.f("pk_pharmacy_products")),
    )
    op.create_index(
        op.f("ix_pharmacy_products_enrollment_id"),
        "pharmacy_products",
        ["enrollment_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_pharmacy_products_enrollment_id"), table_name="pharmacy_products")
    op.drop_table("pharmacy_products")
    op.drop_index("ix_pharmacy_sales_store_sold", table_name="pharmacy_sales")
    op.drop_table("pharmacy_sales")
    op.drop_index(op.f("ix_pharmacy_enrollments_tender_id"), table_name="pharmacy_enrollments")
    op.drop_index(op.f("ix_pharmacy_enrollments_org_id"), table_name="pharmacy_enrollments")
    op.drop_table("pharmacy_enrollments")
    op.drop_index(op.f("ix_finder_products_generic_name"), table_name="finder_products")
    op.drop_table("finder_products")
    op.drop_index("ix_finder_entries_lookup", table_name="finder_entries")
    op.drop_table("finder_entries")
    op.drop_table("finder_names")
