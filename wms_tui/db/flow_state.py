"""Saved RF flow state, one row per operator."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlmodel import Session

from wms_tui.db.repositories import _insert
from wms_tui.db.tables import FlowState, table_of, utcnow

F = table_of(FlowState)


class SqlFlowState:
    def __init__(self, session: Session) -> None:
        self.session = session

    def save(self, user_id: int, flow: str, state: str, terminal: str) -> None:
        stmt = _insert(self.session, F).values(
            user_id=user_id, flow=flow, state=state, terminal=terminal[:40], updated_at=utcnow()
        )
        self.session.execute(stmt.on_conflict_do_update(
            index_elements=["user_id"],
            set_={"flow": flow, "state": state, "terminal": terminal[:40], "updated_at": utcnow()},
        ))

    def load(self, user_id: int) -> tuple[str, str] | None:
        row = self.session.execute(
            select(F.c.flow, F.c.state).where(F.c.user_id == user_id)).first()
        return None if row is None else (row.flow, row.state)

    def clear(self, user_id: int) -> None:
        self.session.execute(delete(F).where(F.c.user_id == user_id))
