"""Serial numbers: one row per serialised unit (serial) and the movements that carried it
(serial_movement); a serial is in stock at most once per item (partial unique index).

Revision ID: 0016
Revises: 0014
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None

IN_STOCK_WHERE = "status = 'in_stock'"


def upgrade() -> None:
    op.create_table(
        "serial",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("serial", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=True),
        sa.Column("lpn_id", sa.Integer(), nullable=True),
        sa.Column("lot_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("status IN ('in_stock', 'issued', 'missing')",
                           name="ck_serial_status"),
        sa.ForeignKeyConstraint(["item_id"], ["item.id"]),
        sa.ForeignKeyConstraint(["location_id"], ["location.id"]),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"]),
        sa.ForeignKeyConstraint(["lpn_id"], ["lpn.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    # Unique among serials in stock: two receipts of one serial cannot both commit.
    op.create_index("ux_serial_in_stock", "serial", ["item_id", "serial"], unique=True,
                    sqlite_where=sa.text(IN_STOCK_WHERE),
                    postgresql_where=sa.text(IN_STOCK_WHERE))
    op.create_index("ix_serial_serial", "serial", ["serial"], unique=False)
    op.create_index("ix_serial_location", "serial", ["location_id", "item_id"], unique=False)
    op.create_table(
        "serial_movement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("serial_id", sa.Integer(), nullable=False),
        sa.Column("movement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["serial_id"], ["serial.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("serial_id", "movement_id"),
    )
    op.create_index("ix_serial_movement_movement_id", "serial_movement", ["movement_id"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_serial_movement_movement_id", table_name="serial_movement")
    op.drop_table("serial_movement")
    op.drop_index("ix_serial_location", table_name="serial")
    op.drop_index("ix_serial_serial", table_name="serial")
    op.drop_index("ux_serial_in_stock", table_name="serial")
    op.drop_table("serial")
