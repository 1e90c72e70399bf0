"""Saved RF flow state, one row per operator."""

from __future__ import annotations

from sqlalchemy import delete, select

from wms_tui.db.repositories import OnTransaction, dialect_of, upserts
from wms_tui.db.tables import FlowState, table_of, utcnow

F = table_of(FlowState)
# Saved after every scan step, so built once per dialect and run on the driver's cursor.
_SAVE = upserts(F, ("user_id", "flow", "state", "terminal", "updated_at"), "user_id",
                lambda new: {name: new[name] for name in ("flow", "state", "terminal",
                                                          "updated_at")})


class SqlFlowState(OnTransaction):
    def save(self, user_id: int, flow: str, state: str, terminal: str) -> None:
        self.driver.execute(_SAVE[dialect_of(self.transaction)], {
            "user_id": user_id, "flow": flow, "state": state, "terminal": terminal[:40],
            "updated_at": utcnow()})

    def load(self, user_id: int) -> tuple[str, str] | None:
        row = self.session.execute(
            select(F.c.flow, F.c.state).where(F.c.user_id == user_id)).first()
        return None if row is None else (row.flow, row.state)

    def clear(self, user_id: int) -> None:
        self.session.execute(delete(F).where(F.c.user_id == user_id))
