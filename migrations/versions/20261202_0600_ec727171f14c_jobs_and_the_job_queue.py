"""jobs and the job queue

``jobs``: one row per piece of long work asked for (status, progress, result or failure, who
asked). On PostgreSQL, procrastinate's own schema (its tables, types and functions, from the
installed procrastinate's ``schema.sql``): the queue ``procurement worker`` reads. SQLite gets
no queue (jobs run inline there).

Revision ID: ec727171f14c
Revises: b7c3e9a1f264
Create Date: 2026-12-02 06:00:00
"""

import sqlalchemy as sa
from alembic import op

from procurement import migrate

revision = "ec727171f14c"
down_revision = "b7c3e9a1f264"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=80), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "succeeded",
                "failed",
                name="jobstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("org_id", ID, nullable=True),
        sa.Column("user_id", ID, nullable=True),
        sa.Column("actor", sa.JSON(), nullable=True),
        sa.Column("subject_type", sa.String(length=40), nullable=True),
        sa.Column("subject_id", ID, nullable=True),
        sa.Column("outcome_type", sa.String(length=40), nullable=True),
        sa.Column("outcome_id", ID, nullable=True),
        sa.Column("queue_job_id", ID, nullable=True),
        sa.Column("input_name", sa.String(length=255), nullable=True),
        sa.Column("input_file", sa.LargeBinary(), nullable=True),
        sa.Column("output_name", sa.String(length=255), nullable=True),
        sa.Column("output_file", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("started_at", STAMP, nullable=True),
        sa.Column("finished_at", STAMP, nullable=True),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_jobs_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_jobs_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    op.create_index("ix_jobs_org_id_id", "jobs", ["org_id", "id"])
    op.create_index("ix_jobs_subject", "jobs", ["subject_type", "subject_id"])
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager

        op.execute(sa.text(SchemaManager.get_schema()))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(sa.text(migrate.QUEUE_DROP))
    op.drop_index("ix_jobs_subject", table_name="jobs")
    op.drop_index("ix_jobs_org_id_id", table_name="jobs")
    op.drop_table("jobs")
