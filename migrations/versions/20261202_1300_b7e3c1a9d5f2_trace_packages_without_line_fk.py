"""trace_packages: no foreign key from a package to its shipment line

A package's ``shipment_line_id`` is written only by the code ingest, which has the line locked
(``SELECT ... FOR UPDATE``) in the same transaction, and shipment lines are never deleted; the
key's per-row check (one trigger and one lookup a package) was half of PostgreSQL's time in a
million-code ingest (docs/trace_codes_scale.md). ``product_id`` and ``holder_org_id`` carry no
key for the same reason. The index on the column stays (a line's codes).

Revision ID: b7e3c1a9d5f2
Revises: a7c1e3b5d9f2
Create Date: 2026-12-02 12:20:00
"""

from alembic import op

revision = "b7e3c1a9d5f2"
down_revision = "a7c1e3b5d9f2"
branch_labels = None
depends_on = None

FK = "fk_trace_packages_shipment_line_id_shipment_lines"


def upgrade() -> None:
    with op.batch_alter_table("trace_packages") as batch:
        batch.drop_constraint(FK, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("trace_packages") as batch:
        batch.create_foreign_key(FK, "shipment_lines", ["shipment_line_id"], ["id"])
