"""The database epoch: one row with a random id, so export cursors name their database.

A database made before this revision gets its epoch here; cursors it printed before (without
an epoch) are still accepted, with a warning, for one release (docs/import-formats.md).

Revision ID: 0018
Revises: 0016
"""
from __future__ import annotations

import secrets
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0018"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "database_epoch",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("epoch", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("previous", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("resumes_after", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_database_epoch_one_row"),
        sa.PrimaryKeyConstraint("id"),
    )
    # The same rule as domain.exports.new_epoch, written out: a migration never imports the app.
    op.bulk_insert(table, [{"id": 1, "epoch": secrets.token_hex(6),
                            "created_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("database_epoch")
