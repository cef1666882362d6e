"""what-if rules simulations (政策仿真)

``simulations``: one run of rule variants on a tender's opened bids or on an uploaded file of
bids (kept as read), with the inputs' digest and who ran it when; ``simulation_variants``: each
variant's name, preset, overrides and resolved rules (position 0 the baseline);
``simulation_lot_results``: each lot's winners, agreed volume and expected spend per variant.

Revision ID: d2a8f4c6e1b3
Revises: fe71c9e82833
Create Date: 2026-12-02 07:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d2a8f4c6e1b3"
down_revision = "fe71c9e82833"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
STAMP = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "simulations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("org_id", ID, nullable=False),
        sa.Column("tender_id", ID, nullable=True),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("uploaded", sa.JSON(), nullable=True),
        sa.Column("inputs_digest", sa.String(64), nullable=False),
        sa.Column("ran_at", STAMP, nullable=False),
        sa.Column("ran_by_user_id", ID, nullable=True),
        sa.Column("rerun_of_id", ID, nullable=True),
        _fk("simulations", "org_id", "organizations"),
        _fk("simulations", "tender_id", "tenders"),
        _fk("simulations", "ran_by_user_id", "users"),
        _fk("simulations", "rerun_of_id", "simulations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_simulations")),
    )
    op.create_index(op.f("ix_simulations_org_id"), "simulations", ["org_id"])
    op.create_index(op.f("ix_simulations_tender_id"), "simulations", ["tender_id"])
    op.create_table(
        "simulation_variants",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("simulation_id", ID, nullable=False),
        sa.Column("position", ID, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("baseline", sa.Boolean(), nullable=False),
        sa.Column("preset", sa.String(40), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        _fk("simulation_variants", "simulation_id", "simulations"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_simulation_variants")),
        sa.UniqueConstraint(
            "simulation_id", "position", name=op.f("uq_simulation_variants_simulation_id_position")
        ),
    )
    op.create_index(
        op.f("ix_simulation_variants_simulation_id"), "simulation_variants", ["simulation_id"]
    )
    op.create_table(
        "simulation_lot_results",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("variant_id", ID, nullable=False),
        sa.Column("lot_code", sa.String(20), nullable=False),
        sa.Column("lot_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("winner_count", ID, nullable=False),
        sa.Column("anchor_price", sa.Numeric(18, 4), nullable=True),
        sa.Column("volume_ratio", sa.Numeric(9, 4), nullable=True),
        sa.Column("total_demand", ID, nullable=False),
        sa.Column("agreed", ID, nullable=False),
        sa.Column("spend", sa.Numeric(18, 2), nullable=True),
        sa.Column("reference_spend", sa.Numeric(18, 2), nullable=True),
        sa.Column("winners", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        _fk("simulation_lot_results", "variant_id", "simulation_variants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_simulation_lot_results")),
        sa.UniqueConstraint(
            "variant_id", "lot_code", name=op.f("uq_simulation_lot_results_variant_id_lot_code")
        ),
    )
    op.create_index(
        op.f("ix_simulation_lot_results_variant_id"), "simulation_lot_results", ["variant_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_simulation_lot_results_variant_id"), table_name="simulation_lot_results")
    op.drop_table("simulation_lot_results")
    op.drop_index(op.f("ix_simulation_variants_simulation_id"), table_name="simulation_variants")
    op.drop_table("simulation_variants")
    op.drop_index(op.f("ix_simulations_tender_id"), table_name="simulations")
    op.drop_index(op.f("ix_simulations_org_id"), table_name="simulations")
    op.drop_table("simulations")
