"""Saved RF flow state, one row per operator."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from wms_tui.db.driver_sql import DriverStatement
from wms_tui.db.repositories import OnTransaction
from wms_tui.db.tables import FlowState, table_of, utcnow

F = table_of(FlowState)
_COLUMNS = ("user_id", "flow", "state", "terminal", "updated_at")


def _upsert(dialect: str) -> DriverStatement:
    stmt = (pg_insert if dialect == "postgresql" else sqlite_insert)(F)
    return DriverStatement(stmt.on_conflict_do_update(
        index_elements=["user_id"],
        set_={name: stmt.excluded[name] for name in _COLUMNS if name != "user_id"}), _COLUMNS)


# Saved after every scan step, so built once per dialect and run on the driver's cursor.
_SAVE = {dialect: _upsert(dialect) for dialect in ("sqlite", "postgresql")}


class SqlFlowState(OnTransaction):
    def save(self, user_id: int, flow: str, state: str, terminal: str) -> None:
        dialect = self.transaction.connection.dialect.name
        self.driver.execute(_SAVE[dialect], {
            "user_id": user_id, "flow": flow, "state": state, "terminal": terminal[:40],
            "updated_at": utcnow()})

    def load(self, user_id: int) -> tuple[str, str] | None:
        row = self.session.execute(
            select(F.c.flow, F.c.state).where(F.c.user_id == user_id)).first()
        return None if row is None else (row.flow, row.state)

    def clear(self, user_id: int) -> None:
        self.session.execute(delete(F).where(F.c.user_id == user_id))
