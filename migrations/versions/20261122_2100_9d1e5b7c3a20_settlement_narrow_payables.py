"""settlement: narrow payables (drop the columns that can be derived)

A settlement run writes a payable per accepted receipt line, a million rows at a time
(benchmarks/settlement_run.py), and every byte of a row is written twice (heap and WAL). These
columns are derived and go: ``receipt_line_id`` (always the payable's id), ``currency`` (the
ledger's single currency), ``region_code`` (the contract's), ``deadline_days`` (``due_at`` -
``accepted_at``) and ``accrued_at`` (for the rows a run writes, its payment time; accruals are
in the audit trail).
Fillfactor 100 instead of 50: runs write their payables already paid, and such rows never need
room for an update (measured: see ``Payable``'s table arguments).

On PostgreSQL dropping a column changes only the catalog: existing rows keep their bytes until
they are rewritten (``VACUUM FULL payables`` reclaims them at once, under an exclusive lock).

Revision ID: 9d1e5b7c3a20
Revises: 7c4f2a9e8d15
Create Date: 2026-11-22 21:00:00
"""

import sqlalchemy as sa
from alembic import op

import procurement.db

revision = "9d1e5b7c3a20"
down_revision = "7c4f2a9e8d15"
branch_labels = None
depends_on = None

DROPPED = ("receipt_line_id", "region_code", "currency", "accrued_at", "deadline_days")
FILLFACTOR, FORMER_FILLFACTOR = 100, 50


def upgrade() -> None:
    with op.batch_alter_table("payables") as batch:
        for column in DROPPED:
            batch.drop_column(column)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE payables SET (fillfactor = {FILLFACTOR})")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    big = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
    stamp = procurement.db.UtcDateTime(timezone=True)
    with op.batch_alter_table("payables") as batch:
        batch.add_column(sa.Column("receipt_line_id", big, nullable=True))
        batch.add_column(sa.Column("region_code", sa.String(length=6), nullable=True))
        batch.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
        batch.add_column(sa.Column("accrued_at", stamp, nullable=True))
        batch.add_column(sa.Column("deadline_days", big, nullable=True))
    days = (
        "CAST(ROUND(EXTRACT(EPOCH FROM due_at - accepted_at) / 86400) AS BIGINT)"
        if postgresql
        else "CAST(ROUND(julianday(due_at) - julianday(accepted_at)) AS INTEGER)"
    )
    op.execute(
        "UPDATE payables SET receipt_line_id = id, currency = 'CNY', "
        "region_code = (SELECT c.region_code FROM contracts c WHERE c.id = payables.contract_id), "
        f"accrued_at = COALESCE(paid_at, accepted_at), deadline_days = {days}"
    )
    with op.batch_alter_table("payables") as batch:
        batch.alter_column("receipt_line_id", existing_type=big, nullable=False)
        batch.alter_column("region_code", existing_type=sa.String(length=6), nullable=False)
        batch.alter_column("currency", existing_type=sa.String(length=3), nullable=False)
        batch.alter_column("accrued_at", existing_type=stamp, nullable=False)
        batch.alter_column("deadline_days", existing_type=big, nullable=False)
    if postgresql:
        op.execute(f"ALTER TABLE payables SET (fillfactor = {FORMER_FILLFACTOR})")
