"""shortage reports, backup activations and alert levels

``shortage_reports``: a manufacturer's month per product (production, stock, supply capacity);
``shortage_list_entries``: the regulator's shortage-risk products; ``shortage_backup_activations``
and ``shortage_backup_contracts``: a backup supplier activated for a shortage and the contracts
it opened; ``compliance_alert_levels`` and ``compliance_alerts.level``: a graded alert's level
and its history (RULES.md 14).

Revision ID: 94fda4751438
Revises: ad900f8f3857
Create Date: 2026-12-02 12:12:20.614368
"""

import sqlalchemy as sa
from alembic import op

import procurement.db

revision = "94fda4751438"
down_revision = "ad900f8f3857"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shortage_list_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("added_at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "added_by_org_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["added_by_org_id"],
            ["organizations.id"],
            name=op.f("fk_shortage_list_entries_added_by_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_shortage_list_entries_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortage_list_entries")),
        sa.UniqueConstraint("product_id", name=op.f("uq_shortage_list_entries_product_id")),
    )
    op.create_table(
        "shortage_reports",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "manufacturer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "product_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column(
            "production", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("stock", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("capacity", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reported_at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "reported_by_user_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_shortage_reports_capacity_not_negative")),
        sa.CheckConstraint(
            "production >= 0", name=op.f("ck_shortage_reports_production_not_negative")
        ),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_shortage_reports_stock_not_negative")),
        sa.ForeignKeyConstraint(
            ["manufacturer_id"],
            ["organizations.id"],
            name=op.f("fk_shortage_reports_manufacturer_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"], name=op.f("fk_shortage_reports_product_id_products")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_user_id"],
            ["users.id"],
            name=op.f("fk_shortage_reports_reported_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortage_reports")),
        sa.UniqueConstraint(
            "manufacturer_id",
            "product_id",
            "period",
            name=op.f("uq_shortage_reports_manufacturer_id_product_id_period"),
        ),
    )
    op.create_index(
        op.f("ix_shortage_reports_manufacturer_id"),
        "shortage_reports",
        ["manufacturer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_shortage_reports_product_id"), "shortage_reports", ["product_id"], unique=False
    )
    op.create_table(
        "compliance_alert_levels",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["compliance_alerts.id"],
            name=op.f("fk_compliance_alert_levels_alert_id_compliance_alerts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_compliance_alert_levels")),
    )
    op.create_index(
        op.f("ix_compliance_alert_levels_alert_id"),
        "compliance_alert_levels",
        ["alert_id"],
        unique=False,
    )
    op.create_table(
        "shortage_backup_activations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("alert_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("lot_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("bid_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "manufacturer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("activated_at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "activated_by_org_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "activated_by_user_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["activated_by_org_id"],
            ["organizations.id"],
            name=op.f("fk_shortage_backup_activations_activated_by_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["activated_by_user_id"],
            ["users.id"],
            name=op.f("fk_shortage_backup_activations_activated_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["compliance_alerts.id"],
            name=op.f("fk_shortage_backup_activations_alert_id_compliance_alerts"),
        ),
        sa.ForeignKeyConstraint(
            ["bid_id"], ["bids.id"], name=op.f("fk_shortage_backup_activations_bid_id_bids")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lots.id"], name=op.f("fk_shortage_backup_activations_lot_id_lots")
        ),
        sa.ForeignKeyConstraint(
            ["manufacturer_id"],
            ["organizations.id"],
            name=op.f("fk_shortage_backup_activations_manufacturer_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortage_backup_activations")),
        sa.UniqueConstraint("alert_id", name=op.f("uq_shortage_backup_activations_alert_id")),
    )
    op.create_index(
        op.f("ix_shortage_backup_activations_lot_id"),
        "shortage_backup_activations",
        ["lot_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_shortage_backup_activations_manufacturer_id"),
        "shortage_backup_activations",
        ["manufacturer_id"],
        unique=False,
    )
    op.create_table(
        "shortage_backup_contracts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "activation_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "contract_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["activation_id"],
            ["shortage_backup_activations.id"],
            name=op.f("fk_shortage_backup_contracts_activation_id_shortage_backup_activations"),
        ),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_shortage_backup_contracts_contract_id_contracts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortage_backup_contracts")),
        sa.UniqueConstraint("contract_id", name=op.f("uq_shortage_backup_contracts_contract_id")),
    )
    op.create_index(
        op.f("ix_shortage_backup_contracts_activation_id"),
        "shortage_backup_contracts",
        ["activation_id"],
        unique=False,
    )
    op.add_column("compliance_alerts", sa.Column("level", sa.String(length=10), nullable=True))


def downgrade() -> None:
    op.drop_column("compliance_alerts", "level")
    op.drop_index(
        op.f("ix_shortage_backup_contracts_activation_id"), table_name="shortage_backup_contracts"
    )
    op.drop_table("shortage_backup_contracts")
    op.drop_index(
        op.f("ix_shortage_backup_activations_manufacturer_id"),
        table_name="shortage_backup_activations",
    )
    op.drop_index(
        op.f("ix_shortage_backup_activations_lot_id"), table_name="shortage_backup_activations"
    )
    op.drop_table("shortage_backup_activations")
    op.drop_index(op.f("ix_compliance_alert_levels_alert_id"), table_name="compliance_alert_levels")
    op.drop_table("compliance_alert_levels")
    op.drop_index(op.f("ix_shortage_reports_product_id"), table_name="shortage_reports")
    op.drop_index(op.f("ix_shortage_reports_manufacturer_id"), table_name="shortage_reports")
    op.drop_table("shortage_reports")
    op.drop_table("shortage_list_entries")
