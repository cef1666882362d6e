"""demand reported by brand (带量报名, batch 11)

``demand_brand_lines``: the parts of a hospital's demand report named by product; if the product
wins, its manufacturer supplies that part directly (RULES.md 10).

Revision ID: e4a1c7b9d352
Revises: 5b8e2d4f7a16
Create Date: 2026-12-02 05:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "e4a1c7b9d352"
down_revision = "5b8e2d4f7a16"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "demand_brand_lines",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("report_id", ID, nullable=False),
        sa.Column("lot_id", ID, nullable=False),
        sa.Column("hospital_id", ID, nullable=False),
        sa.Column("product_id", ID, nullable=False),
        sa.Column("quantity", ID, nullable=False),
        sa.CheckConstraint(
            "quantity > 0", name=op.f("ck_demand_brand_lines_brand_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["demand_reports.id"],
            name=op.f("fk_demand_brand_lines_report_id_demand_reports"),
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lots.id"], name=op.f("fk_demand_brand_lines_lot_id_lots")
        ),
        sa.ForeignKeyConstraint(
            ["hospital_id"],
            ["organizations.id"],
            name=op.f("fk_demand_brand_lines_hospital_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_demand_brand_lines_product_id_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_demand_brand_lines")),
        sa.UniqueConstraint(
            "report_id", "product_id", name=op.f("uq_demand_brand_lines_report_id_product_id")
        ),
    )
    op.create_index(op.f("ix_demand_brand_lines_report_id"), "demand_brand_lines", ["report_id"])
    op.create_index(op.f("ix_demand_brand_lines_lot_id"), "demand_brand_lines", ["lot_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_demand_brand_lines_lot_id"), table_name="demand_brand_lines")
    op.drop_index(op.f("ix_demand_brand_lines_report_id"), table_name="demand_brand_lines")
    op.drop_table("demand_brand_lines")
