"""drop two indexes nothing reads: audit_events.action and order_lines.order_id

Every state change of the platform appends an audit event and every order writes its lines;
each index on those tables is one more insertion per write. Nothing looks audit events up by
action (the chain is read by chain and seq), and order lines are looked up by order through the
unique (order_id, line_no) index, whose first column is order_id.

Revision ID: b4e8a2f61c37
Revises: 9d1e5b7c3a20
Create Date: 2026-11-22 21:30:00
"""

from alembic import op

revision = "b4e8a2f61c37"
down_revision = "9d1e5b7c3a20"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_audit_events_action", table_name="audit_events")
    op.drop_index("ix_order_lines_order_id", table_name="order_lines")


def downgrade() -> None:
    op.create_index("ix_order_lines_order_id", "order_lines", ["order_id"], unique=False)
    op.create_index("ix_audit_events_action", "audit_events", ["action"], unique=False)
