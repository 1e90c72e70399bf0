"""Who did what, when: the movement ledger and the log-in audit log as one timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wms_tui.domain.reports import LedgerFilter, ReportReads


@dataclass(frozen=True)
class TrailEvent:
    """A movement (source "ledger") or a connect, log-in or log-out (source "audit")."""

    at: datetime
    source: str
    event: str
    user: str | None
    sku: str | None = None
    quantity: int | None = None
    from_location: str | None = None
    to_location: str | None = None
    reference: str | None = None
    reason: str | None = None
    terminal: str | None = None
    detail: str | None = None


def audit_trail(reads: ReportReads, where: LedgerFilter, limit: int = 0) -> list[TrailEvent]:
    """Both logs within where, oldest first (at one moment, log-ins before movements); with a
    limit, only the newest that many."""
    movements = [
        TrailEvent(e.at, "ledger", e.kind.value, e.user, e.sku, e.quantity, e.from_location,
                   e.to_location, e.reference, e.reason)
        for e in reads.ledger(where)
    ]
    # Log-ins name no item or location, so an item or location filter leaves them out.
    sessions = [] if where.sku or where.location else [
        TrailEvent(a.at, "audit", a.event, a.login, terminal=a.terminal,
                   detail=" ".join(filter(None, (a.peer, a.detail))))
        for a in reads.audit_events(where.since, where.until, where.user)
    ]
    trail = sorted(movements + sessions, key=lambda t: (t.at, t.source))
    return trail[-limit:] if limit else trail
