"""buyers beyond hospitals: an organization's institution type, parent and address

``organizations.institution_type`` (buyers only: hospital, primary care types, medical
community, pharmacy store or chain; existing buyers become ``hospital``), ``parent_id`` (a
medical community's member, a chain's store) and ``address`` (where deliveries go).

Revision ID: a7c1e3b5d9f2
Revises: d6419a36d6b5
Create Date: 2026-12-02 12:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c1e3b5d9f2"
down_revision = "d6419a36d6b5"
branch_labels = None
depends_on = None

BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("institution_type", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("parent_id", BIGINT, nullable=True))
        batch.add_column(sa.Column("address", sa.String(length=200), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_organizations_parent_id_organizations"),
            "organizations",
            ["parent_id"],
            ["id"],
        )
        batch.create_index(batch.f("ix_organizations_parent_id"), ["parent_id"])
    op.execute("UPDATE organizations SET institution_type = 'hospital' WHERE kind = 'HOSPITAL'")


def downgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.drop_index(batch.f("ix_organizations_parent_id"))
        batch.drop_constraint(batch.f("fk_organizations_parent_id_organizations"), "foreignkey")
        batch.drop_column("address")
        batch.drop_column("parent_id")
        batch.drop_column("institution_type")
