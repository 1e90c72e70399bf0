"""Ledger indexes in id order per item and per location, so ledger queries stay flat at 1M rows.

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("movement") as batch_op:
        batch_op.create_index("ix_movement_item_id", ["item_id", "id"], unique=False)
        batch_op.drop_index("ix_movement_from_loc")
        batch_op.drop_index("ix_movement_to_loc")
        batch_op.create_index("ix_movement_from_loc", ["from_location_id", "id"], unique=False)
        batch_op.create_index("ix_movement_to_loc", ["to_location_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("movement") as batch_op:
        batch_op.drop_index("ix_movement_to_loc")
        batch_op.drop_index("ix_movement_from_loc")
        batch_op.drop_index("ix_movement_item_id")
        batch_op.create_index("ix_movement_from_loc", ["from_location_id"], unique=False)
        batch_op.create_index("ix_movement_to_loc", ["to_location_id"], unique=False)
