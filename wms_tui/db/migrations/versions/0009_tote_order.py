"""Totes belong to orders: which outbound order each tote (staging location) collects.

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tote_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tote_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("bound_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["outbound_order.id"]),
        sa.ForeignKeyConstraint(["tote_id"], ["location.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    # Unique: two pickers binding one tote to two orders at once cannot both commit.
    op.create_index("ux_tote_order_tote", "tote_order", ["tote_id"], unique=True)
    op.create_index("ix_tote_order_order_id", "tote_order", ["order_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_tote_order_order_id", table_name="tote_order")
    op.drop_index("ux_tote_order_tote", table_name="tote_order")
    op.drop_table("tote_order")
