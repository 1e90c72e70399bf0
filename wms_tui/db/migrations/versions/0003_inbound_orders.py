"""Inbound orders (ASN / PO) and their lines, so receipts count against what was announced.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("supplier", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("sscc", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("expected_date", sa.Date(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'receiving', 'closed')", name="ck_inbound_order_status"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_index(op.f("ix_inbound_order_sscc"), "inbound_order", ["sscc"], unique=False)
    op.create_table(
        "inbound_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("tolerance_pct", sa.Integer(), nullable=False),
        sa.Column("lot", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("sscc", sqlmodel.sql.sqltypes.AutoString(length=18), nullable=True),
        sa.CheckConstraint("quantity > 0", name="ck_inbound_line_quantity"),
        sa.CheckConstraint("received >= 0", name="ck_inbound_line_received"),
        sa.CheckConstraint("tolerance_pct >= 0", name="ck_inbound_line_tolerance"),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.ForeignKeyConstraint(["order_id"], ["inbound_order.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("order_id", "line_no"),
    )
    op.create_index(op.f("ix_inbound_line_sscc"), "inbound_line", ["sscc"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_inbound_line_sscc"), table_name="inbound_line")
    op.drop_table("inbound_line")
    op.drop_index(op.f("ix_inbound_order_sscc"), table_name="inbound_order")
    op.drop_table("inbound_order")
