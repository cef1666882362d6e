"""settlement: a payable's id is its receipt line's id; payables keep only their primary key

Runs accrue and pay a receipt line in one INSERT (benchmarks/settlement_run.py): every index on
payables costs such a run about one GROUP BY over the same rows. The primary key (now the
receipt line's id, no sequence) makes one payable per line hold, so the unique
receipt_line_id constraint and the (manufacturer, accepted_at) / (hospital, accepted_at)
indexes go (fillfactor 50 stays, for HOT claiming UPDATEs of accrued payables).

Revision ID: 3b9e1c2d4a61
Revises: 205371724f01
Create Date: 2026-11-22 19:00:00
"""

from alembic import op

revision = "3b9e1c2d4a61"
down_revision = "205371724f01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.drop_index("ix_payables_manufacturer_accepted", table_name="payables")
    op.drop_index("ix_payables_hospital_accepted", table_name="payables")
    with op.batch_alter_table("payables") as batch:
        batch.drop_constraint("uq_payables_receipt_line_id", type_="unique")
    # Two steps, so that no intermediate row collides with another's primary key.
    op.execute("UPDATE payables SET id = -id")
    op.execute("UPDATE payables SET id = receipt_line_id")
    if postgresql:
        op.execute("ALTER TABLE payables ALTER COLUMN id DROP DEFAULT")
        op.execute("DROP SEQUENCE IF EXISTS payables_id_seq")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("CREATE SEQUENCE payables_id_seq OWNED BY payables.id")
        last = "COALESCE((SELECT MAX(id) FROM payables), 0)"
        op.execute(f"SELECT setval('payables_id_seq', {last} + 1, false)")
        op.execute("ALTER TABLE payables ALTER COLUMN id SET DEFAULT nextval('payables_id_seq')")
    with op.batch_alter_table("payables") as batch:
        batch.create_unique_constraint("uq_payables_receipt_line_id", ["receipt_line_id"])
    op.create_index(
        "ix_payables_hospital_accepted", "payables", ["hospital_id", "accepted_at"], unique=False
    )
    op.create_index(
        "ix_payables_manufacturer_accepted",
        "payables",
        ["manufacturer_id", "accepted_at"],
        unique=False,
    )
