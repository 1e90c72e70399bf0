"""Items carry a unit cost (per base unit), so record accuracy can be reported by value.

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


CHECK = "unit_cost IS NULL OR unit_cost >= 0"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # A plain ADD COLUMN: a batch copy of item would trip the foreign keys of stocked items.
        op.execute("ALTER TABLE item ADD COLUMN unit_cost NUMERIC(14, 4) "
                   f"CONSTRAINT ck_item_cost CHECK ({CHECK})")
    else:
        op.add_column("item", sa.Column("unit_cost", sa.Numeric(precision=14, scale=4),
                                        nullable=True))
        op.create_check_constraint("ck_item_cost", "item", CHECK)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE item DROP COLUMN unit_cost")
    else:
        op.drop_constraint("ck_item_cost", "item", type_="check")
        op.drop_column("item", "unit_cost")
