"""A cancelled wave says cancelled: wave.status takes 'cancelled', and the waves `wms wave
cancel` left as done (each has its audit row, "wave CODE: ...") become cancelled.

Revision ID: 0023
Revises: 0022
"""
from __future__ import annotations

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

NAME = "ck_wave_status"
OLD = "status IN ('released', 'picking', 'done')"
NEW = "status IN ('released', 'picking', 'done', 'cancelled')"
# Only a wave cancel writes a cancel audit row whose detail starts "wave CODE: " (an order's
# starts "order", a task's "pick task"), and a cancelled wave stays done until this migration.
CANCELLED_BY_AUDIT = (
    "status = 'done' AND EXISTS (SELECT 1 FROM audit_event a WHERE a.event = 'cancel' "
    "AND substr(a.detail, 1, length('wave ' || wave.code || ': ')) = 'wave ' || wave.code || ': ')"
)


def _sqlite_check(old: str, new: str) -> None:
    """Swap the CHECK in wave's stored definition, SQLite's documented way to change a constraint
    without rewriting rows (https://sqlite.org/lang_altertable.html#otheralter): a batch copy
    of wave would trip the foreign keys of its orders and tasks."""
    bind = op.get_bind()

    def has(check: str) -> bool:
        return bool(bind.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'wave' "
            "AND instr(sql, ?) > 0", (f"CHECK ({check})",)).scalar())

    if has(new):
        # Made with the constraint already as wanted (tables created from the models): no change.
        return
    if not has(old):
        raise RuntimeError(f"wave's {NAME} is not CHECK ({old}): change it by hand")
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    op.execute("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = 'wave'",
        (f"CHECK ({old})", f"CHECK ({new})"))
    # A new schema version makes every connection read the changed definition again.
    op.execute(f"PRAGMA schema_version = {int(version or 0) + 1}")
    op.execute("PRAGMA writable_schema = OFF")


def _check(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_check(old, new)
    else:
        op.drop_constraint(NAME, "wave", type_="check")
        op.create_check_constraint(NAME, "wave", new)


def upgrade() -> None:
    _check(OLD, NEW)
    op.execute(f"UPDATE wave SET status = 'cancelled' WHERE {CANCELLED_BY_AUDIT}")


def downgrade() -> None:
    op.execute("UPDATE wave SET status = 'done' WHERE status = 'cancelled'")
    _check(NEW, OLD)
