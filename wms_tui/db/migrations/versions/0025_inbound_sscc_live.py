"""One live inbound order per pallet SSCC, enforced by a partial unique index on the order's
SSCC (a cancelled order's pallet may come again on a new order).

Duplicates left by the old check-then-insert race are settled first: the oldest live order
keeps the SSCC, later ones lose their order-level SSCC (their lines keep theirs; receiving finds
them by reference), each with an audit row saying so.

Revision ID: 0025
Revises: 0024
"""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

INDEX = "ux_inbound_order_sscc_live"
LIVE = "sscc IS NOT NULL AND status <> 'cancelled'"
# A live order whose SSCC an older live order announces already.
LATER_DUPLICATE = (
    f"{LIVE} AND EXISTS (SELECT 1 FROM inbound_order o WHERE o.sscc = inbound_order.sscc "
    "AND o.status <> 'cancelled' AND o.id < inbound_order.id)"
)


def upgrade() -> None:
    op.execute(sa.text(
        "INSERT INTO audit_event (at, event, detail) SELECT :at, 'migration', "
        "'inbound order ' || reference || ': SSCC ' || sscc || ' dropped, an older order has it' "
        f"FROM inbound_order WHERE {LATER_DUPLICATE}",
    ).bindparams(sa.bindparam("at", datetime.now(UTC), type_=sa.DateTime())))
    op.execute(sa.text(f"UPDATE inbound_order SET sscc = NULL WHERE {LATER_DUPLICATE}"))
    op.create_index(INDEX, "inbound_order", ["sscc"], unique=True,
                    sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade() -> None:
    op.drop_index(INDEX, table_name="inbound_order")
