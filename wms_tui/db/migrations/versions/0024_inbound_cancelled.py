"""A cancelled inbound order says cancelled: inbound_order.status takes 'cancelled', and the
orders `wms order cancel` left as closed (each has its audit row, "inbound order REF: closed")
become cancelled.

Revision ID: 0024
Revises: 0023
"""
from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

TABLE = "inbound_order"
NAME = "ck_inbound_order_status"
OLD = "status IN ('open', 'receiving', 'closed')"
NEW = "status IN ('open', 'receiving', 'closed', 'cancelled')"


def _cancel_audited(outcome: str) -> str:
    """An audit row of an inbound cancel ending in outcome, alone or followed by its reason."""
    said = f"'inbound order ' || {TABLE}.reference || ': {outcome}'"
    return (f"a.detail = {said} OR substr(a.detail, 1, length({said}) + 10) = "
            f"{said} || '; reason: '")


# Only an inbound cancel writes a cancel audit row "inbound order REF: closed" (one before this
# migration) or "...: cancelled" (one after it, closed again by a downgrade); a receipt that
# closes an order writes none, and a cancel is refused once anything was received.
CANCELLED_BY_AUDIT = (
    "status = 'closed' AND EXISTS (SELECT 1 FROM audit_event a WHERE a.event = 'cancel' "
    f"AND ({_cancel_audited('closed')} OR {_cancel_audited('cancelled')}))"
)


def _sqlite_check(old: str, new: str) -> None:
    """Swap the CHECK in inbound_order's stored definition, SQLite's documented way to change a
    constraint without rewriting rows (https://sqlite.org/lang_altertable.html#otheralter): a
    batch copy of inbound_order would trip the foreign keys of its lines."""
    bind = op.get_bind()

    def has(check: str) -> bool:
        return bool(bind.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ? "
            "AND instr(sql, ?) > 0", (TABLE, f"CHECK ({check})")).scalar())

    if has(new):
        # Made with the constraint already as wanted (tables created from the models): no change.
        return
    if not has(old):
        raise RuntimeError(f"{TABLE}'s {NAME} is not CHECK ({old}): change it by hand")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    op.execute("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
        (f"CHECK ({old})", f"CHECK ({new})", TABLE))
    # A new schema version makes every connection read the changed definition again.
    op.execute(f"PRAGMA schema_version = {int(version or 0) + 1}")
    op.execute("PRAGMA writable_schema = OFF")


def _check(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_check(old, new)
    else:
        op.drop_constraint(NAME, TABLE, type_="check")
        op.create_check_constraint(NAME, TABLE, new)


def upgrade() -> None:
    _check(OLD, NEW)
    op.execute(f"UPDATE {TABLE} SET status = 'cancelled' WHERE {CANCELLED_BY_AUDIT}")


def downgrade() -> None:
    op.execute(f"UPDATE {TABLE} SET status = 'closed' WHERE status = 'cancelled'")
    _check(NEW, OLD)
