"""One open count task per location, enforced by a partial unique index.

Duplicates left by the old check-then-insert race are closed first: the oldest open task of a
location stays, later ones are cancelled (their lines, if any, stay for the record).

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OPEN_WHERE = "status IN ('open', 'recount', 'pending_approval')"


def upgrade() -> None:
    op.execute(sa.text(
        f"UPDATE count_task SET status = 'cancelled' WHERE {OPEN_WHERE} AND id NOT IN ("
        f"SELECT MIN(id) FROM count_task WHERE {OPEN_WHERE} GROUP BY location_id)"))
    op.create_index("ux_count_task_open_location", "count_task", ["location_id"], unique=True,
                    sqlite_where=sa.text(OPEN_WHERE), postgresql_where=sa.text(OPEN_WHERE))


def downgrade() -> None:
    op.drop_index("ux_count_task_open_location", table_name="count_task")
