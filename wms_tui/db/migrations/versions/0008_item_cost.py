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


def upgrade() -> None:
    with op.batch_alter_table("item") as batch_op:
        batch_op.add_column(sa.Column("unit_cost", sa.Numeric(precision=14, scale=4),
                                      nullable=True))
        batch_op.create_check_constraint("ck_item_cost", "unit_cost IS NULL OR unit_cost >= 0")


def downgrade() -> None:
    with op.batch_alter_table("item") as batch_op:
        batch_op.drop_constraint("ck_item_cost", type_="check")
        batch_op.drop_column("unit_cost")
