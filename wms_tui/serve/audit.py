"""The audit log of RF sessions: connects, disconnects, log-ins, failed log-ins and log-outs.

Only devices that authenticated get rows of their own. What happens before that (connects
that never authenticate, wrong device passwords, unknown keys, refused connections) is
counted in memory by `ConnectTally` and written as one summary row per address and door a
minute, so a flood of connections costs the database nothing per connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from wms_tui.db.tables import AuditEvent, utcnow
from wms_tui.domain.text import shown

log = logging.getLogger(__name__)

SUMMARY = "connect_summary"
EVENTS = frozenset({"connect", "disconnect", "login", "login_failed", "logout", "refused",
                    SUMMARY})
# The peer of a summary row for addresses beyond the tally's limit, counted together.
OTHER_ADDRESSES = "other addresses"


def _clip(text: str | None, limit: int) -> str | None:
    """Printable text that fits its column: control characters from a client never land raw."""
    return shown(text)[:limit] if text else None


def audit_row(event: str, *, login: str | None = None, peer: str | None = None,
              terminal: str | None = None, detail: str = "") -> AuditEvent:
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}")
    return AuditEvent(event=event, login=_clip(login, 20), peer=_clip(peer, 60),
                      terminal=_clip(terminal, 40), detail=_clip(detail, 200) or "")


class AuditLog:
    """Appends AuditEvent rows, each call in its own short transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(self, event: str, *, login: str | None = None, peer: str | None = None,
               terminal: str | None = None, detail: str = "") -> None:
        self.record_rows([audit_row(event, login=login, peer=peer, terminal=terminal,
                                    detail=detail)])

    def record_rows(self, rows: list[AuditEvent]) -> None:
        if not rows:
            return
        with Session(self.engine) as session:
            session.add_all(rows)
            session.commit()

    @staticmethod
    def stage(session: Session, event: str, *, login: str | None = None,
              peer: str | None = None, terminal: str | None = None, detail: str = "") -> None:
        """Add a row to another unit of work's open transaction (the API's writes): it commits
        with that work or rolls back with it, so a write is never kept without its row."""
        session.add(AuditEvent(event=event[:20], login=_clip(login, 20), peer=_clip(peer, 60),
                               terminal=_clip(terminal, 40), detail=_clip(detail, 200) or ""))

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


@dataclass
class DoorCounts:
    """One address's activity at one door before (or instead of) device authentication."""

    connects: int = 0
    wrong_passwords: int = 0
    unknown_keys: int = 0
    refused: int = 0

    def describe(self) -> str:
        parts = [f"{n} {one if n == 1 else many}" for n, one, many in (
            (self.connects, "connect without device auth", "connects without device auth"),
            (self.wrong_passwords, "wrong device password", "wrong device passwords"),
            (self.unknown_keys, "unknown device key", "unknown device keys"),
            (self.refused, "refused while locked out", "refused while locked out")) if n]
        return ", ".join(parts)


COUNTS = frozenset(f.name for f in fields(DoorCounts))


class ConnectTally:
    """Counts what happens before device authentication, in memory, until it is drained."""

    def __init__(self, *, max_addresses: int = 1000,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.max_addresses = max_addresses
        self.clock = clock
        self.since = clock()
        self._counts: dict[tuple[str, str], DoorCounts] = {}

    def count(self, protocol: str, address: str, what: str) -> None:
        """One more of `what` (a DoorCounts field) from address at the door (ssh or telnet)."""
        if what not in COUNTS:
            raise ValueError(f"unknown count {what!r}")
        key = (address, protocol)
        if key not in self._counts and len(self._counts) >= self.max_addresses:
            key = (OTHER_ADDRESSES, protocol)
        counts = self._counts.setdefault(key, DoorCounts())
        setattr(counts, what, getattr(counts, what) + 1)

    def counts(self, protocol: str, address: str) -> DoorCounts:
        """What was counted from address at the door since the last drain (a copy)."""
        found = self._counts.get((address, protocol))
        return DoorCounts() if found is None else DoorCounts(**vars(found))

    def __bool__(self) -> bool:
        return bool(self._counts)

    def drain(self) -> list[AuditEvent]:
        """One summary row per address and door since the last drain, and start counting anew."""
        since, self.since = self.since, self.clock()
        counts, self._counts = self._counts, {}
        return [audit_row(SUMMARY, peer=address,
                          detail=f"{protocol}: {c.describe()} since {since:%H:%M:%S} UTC")
                for (address, protocol), c in sorted(counts.items())]
