"""A lock-out that ends: wms_user.locked_until.

Accounts locked before this revision (a full failed-attempt count) stay locked until a
supervisor unlocks them, as they would have before.

Revision ID: 0012
Revises: 0011
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on SQLite too: a batch copy of wms_user would trip its foreign keys.
    op.add_column("wms_user", sa.Column("locked_until", sqlmodel.sql.sqltypes.UTCDateTime(),
                                        nullable=True))


def downgrade() -> None:
    op.drop_column("wms_user", "locked_until")
