"""monthly reconciliation (对账) and invoices (两票制)

``reconciliations``: one per hospital, manufacturer and business month, with its deadline and
each side's confirmation; ``reconciliation_lines``: one per accepted receipt line, its status,
dispute, resolution and hold (``held_reason``, ``released_at``); ``invoices`` and
``invoice_lines``: invoices of manufacturers and distributors and the receipt lines they cover.

Revision ID: d6419a36d6b5
Revises: f1a9c3e5b7d2
Create Date: 2026-12-02 08:28:17.225776
"""

import sqlalchemy as sa
from alembic import op

import procurement.db

revision = "d6419a36d6b5"
down_revision = "f1a9c3e5b7d2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "invoices",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column(
            "issuer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "recipient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("recorded_at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("voided_at", procurement.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount > 0", name=op.f("ck_invoices_amount_positive")),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["organizations.id"], name=op.f("fk_invoices_issuer_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"],
            ["organizations.id"],
            name=op.f("fk_invoices_recipient_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("issuer_id", "number", name=op.f("uq_invoices_issuer_id_number")),
    )
    op.create_index(op.f("ix_invoices_issuer_id"), "invoices", ["issuer_id"], unique=False)
    op.create_index(op.f("ix_invoices_recipient_id"), "invoices", ["recipient_id"], unique=False)
    op.create_table(
        "reconciliations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "hospital_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "manufacturer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "confirmed", name="reconciliationstatus", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("total_amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("issued_at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("deadline_at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("auto_confirm", sa.Boolean(), nullable=False),
        sa.Column(
            "hospital_confirmed_at", procurement.db.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "manufacturer_confirmed_at", procurement.db.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("confirmed_at", procurement.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("auto_confirmed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hospital_id"],
            ["organizations.id"],
            name=op.f("fk_reconciliations_hospital_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["manufacturer_id"],
            ["organizations.id"],
            name=op.f("fk_reconciliations_manufacturer_id_organizations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliations")),
        sa.UniqueConstraint(
            "hospital_id",
            "manufacturer_id",
            "month",
            name=op.f("uq_reconciliations_hospital_id_manufacturer_id_month"),
        ),
    )
    op.create_index(
        op.f("ix_reconciliations_hospital_id"), "reconciliations", ["hospital_id"], unique=False
    )
    op.create_index(
        op.f("ix_reconciliations_manufacturer_id"),
        "reconciliations",
        ["manufacturer_id"],
        unique=False,
    )
    op.create_table(
        "invoice_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "invoice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "receipt_line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("quantity", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_invoice_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_lines_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["receipt_line_id"],
            ["receipt_lines.id"],
            name=op.f("fk_invoice_lines_receipt_line_id_receipt_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
        sa.UniqueConstraint(
            "invoice_id",
            "receipt_line_id",
            name=op.f("uq_invoice_lines_invoice_id_receipt_line_id"),
        ),
    )
    op.create_index(
        op.f("ix_invoice_lines_invoice_id"), "invoice_lines", ["invoice_id"], unique=False
    )
    op.create_index(
        op.f("ix_invoice_lines_receipt_line_id"), "invoice_lines", ["receipt_line_id"], unique=False
    )
    op.create_table(
        "reconciliation_lines",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "reconciliation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "receipt_line_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "contract_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("quantity", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.Column("accepted_at", procurement.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open", "confirmed", "disputed", name="linestatus", native_enum=False, length=10
            ),
            nullable=False,
        ),
        sa.Column(
            "held_reason",
            sa.Enum(
                "unconfirmed",
                "disputed",
                "mismatch",
                name="heldreason",
                native_enum=False,
                length=12,
            ),
            nullable=True,
        ),
        sa.Column("released_at", procurement.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("dispute_reason", sa.Text(), nullable=True),
        sa.Column(
            "disputed_by_org_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("disputed_at", procurement.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "resolution",
            sa.Enum("corrected", "withdrawn", name="resolution", native_enum=False, length=10),
            nullable=True,
        ),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("resolved_at", procurement.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_reconciliation_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_reconciliation_lines_contract_id_contracts"),
        ),
        sa.ForeignKeyConstraint(
            ["disputed_by_org_id"],
            ["organizations.id"],
            name=op.f("fk_reconciliation_lines_disputed_by_org_id_organizations"),
        ),
        sa.ForeignKeyConstraint(
            ["receipt_line_id"],
            ["receipt_lines.id"],
            name=op.f("fk_reconciliation_lines_receipt_line_id_receipt_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["reconciliation_id"],
            ["reconciliations.id"],
            name=op.f("fk_reconciliation_lines_reconciliation_id_reconciliations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reconciliation_lines")),
        sa.UniqueConstraint(
            "receipt_line_id", name=op.f("uq_reconciliation_lines_receipt_line_id")
        ),
    )
    op.create_index(
        op.f("ix_reconciliation_lines_reconciliation_id"),
        "reconciliation_lines",
        ["reconciliation_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_reconciliation_lines_reconciliation_id"), table_name="reconciliation_lines"
    )
    op.drop_table("reconciliation_lines")
    op.drop_index(op.f("ix_invoice_lines_receipt_line_id"), table_name="invoice_lines")
    op.drop_index(op.f("ix_invoice_lines_invoice_id"), table_name="invoice_lines")
    op.drop_table("invoice_lines")
    op.drop_index(op.f("ix_reconciliations_manufacturer_id"), table_name="reconciliations")
    op.drop_index(op.f("ix_reconciliations_hospital_id"), table_name="reconciliations")
    op.drop_table("reconciliations")
    op.drop_index(op.f("ix_invoices_recipient_id"), table_name="invoices")
    op.drop_index(op.f("ix_invoices_issuer_id"), table_name="invoices")
    op.drop_table("invoices")
