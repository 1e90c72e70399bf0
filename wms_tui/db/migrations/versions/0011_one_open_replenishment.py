"""One open replenishment per pick face and item, enforced by a partial unique index.

Duplicates left by the old check-then-insert race are closed first: per face and item the task
an operator has claimed stays (else the oldest); the others are cancelled and the reserve stock
they held is freed, so no balance stays reserved for a task nobody will do.

Revision ID: 0011
Revises: 0010
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

OPEN_WHERE = "kind = 'replenish' AND status IN ('open', 'in_progress')"
KEPT = (
    "SELECT COALESCE(MIN(CASE WHEN status = 'in_progress' THEN id END), MIN(id)) "
    f"FROM task WHERE {OPEN_WHERE} GROUP BY to_location_id, item_id"
)
DUPLICATE = f"{OPEN_WHERE} AND id NOT IN ({KEPT})"
HELD = f"SELECT reservation FROM task WHERE {DUPLICATE}"


def upgrade() -> None:
    op.execute(sa.text(
        "UPDATE balance SET reserved = reserved - (SELECT SUM(r.quantity) FROM reservation r "
        f"WHERE r.balance_id = balance.id AND r.reference IN ({HELD})) "
        f"WHERE id IN (SELECT balance_id FROM reservation WHERE reference IN ({HELD}))"))
    op.execute(sa.text(f"DELETE FROM reservation WHERE reference IN ({HELD})"))
    op.execute(sa.text(f"UPDATE task SET status = 'cancelled' WHERE {DUPLICATE}"))
    op.create_index("ux_task_open_replenishment", "task", ["to_location_id", "item_id"],
                    unique=True, sqlite_where=sa.text(OPEN_WHERE),
                    postgresql_where=sa.text(OPEN_WHERE))


def downgrade() -> None:
    op.drop_index("ux_task_open_replenishment", table_name="task")
