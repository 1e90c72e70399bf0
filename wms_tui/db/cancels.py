"""Cancellations in the audit log, in the cancel's own transaction, so `wms audit` shows them."""

from __future__ import annotations

from sqlalchemy import insert
from sqlmodel import Session

from wms_tui.db.tables import AuditEvent, table_of, utcnow

AUDIT = table_of(AuditEvent)
EVENT = "cancel"


def record_cancel(session: Session, login: str, terminal: str, detail: str) -> None:
    """One audit row; the detail is clipped to its column, never refused for length."""
    session.execute(insert(AUDIT).values(
        at=utcnow(), event=EVENT, login=login[:20], peer=None, terminal=terminal[:40],
        detail=detail[:200]))
