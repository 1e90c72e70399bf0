"""The audit log of RF sessions: connects, disconnects, log-ins, failed log-ins and log-outs."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from wms_tui.db.tables import AuditEvent

log = logging.getLogger(__name__)

EVENTS = frozenset({"connect", "disconnect", "login", "login_failed", "logout", "refused"})


class AuditLog:
    """Appends one AuditEvent row per call, in its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, event: str, *, login: str | None = None, peer: str | None = None,
               terminal: str | None = None, detail: str = "") -> None:
        if event not in EVENTS:
            raise ValueError(f"unknown audit event {event!r}")
        row = AuditEvent(event=event, login=login[:20] if login else None,
                         peer=peer[:60] if peer else None,
                         terminal=terminal[:40] if terminal else None, detail=detail[:200])
        with Session(self.engine) as session:
            session.add(row)
            session.commit()

    def for_session(self, peer: str, terminal: str) -> Callable[[str, str, str], None]:
        """The callback an RF app reports log-ins and log-outs through, for one connection."""

        def report(event: str, login: str, detail: str = "") -> None:
            self.record(event, login=login, peer=peer, terminal=terminal, detail=detail)

        return report

    def events(self, *, event: str | None = None) -> list[AuditEvent]:
        """Stored events, oldest first (for tests and the admin)."""
        with Session(self.engine) as session:
            query = select(AuditEvent).order_by(col(AuditEvent.id))
            if event is not None:
                query = query.where(AuditEvent.event == event)
            return list(session.exec(query))
