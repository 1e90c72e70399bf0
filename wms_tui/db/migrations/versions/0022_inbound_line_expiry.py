"""The expiry an ASN announces per line: inbound_line.expiry, so a receipt of the announced lot
takes it without asking.

Revision ID: 0022
Revises: 0021
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inbound_line", sa.Column("expiry", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbound_line") as batch:
        batch.drop_column("expiry")
