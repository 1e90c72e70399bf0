"""The serials a count found: count_line.serials, so an approved count settles them too.

Revision ID: 0019
Revises: 0018
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("count_line", sa.Column(
        "serials", sqlmodel.sql.sqltypes.AutoString(length=2100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("count_line") as batch:
        batch.drop_column("serials")
