"""ERP exports: ledger events read from the transactional outbox, incrementally by cursor.

A cursor names the last event a consumer has; the next run starts after it, so an event is
never sent twice nor missed, whatever was posted meanwhile.
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.errors import BadInput
from wms_tui.domain.model import MovementKind
from wms_tui.domain.reports import LedgerEntry

DEFAULT_BATCH = 1000


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the outbox: (writing transaction, event id), in export order."""

    txid: int = 0
    id: int = 0

    def text(self) -> str:
        return f"{self.txid}.{self.id}"

    @classmethod
    def parse(cls, value: str | None) -> Cursor:
        if value is None or value.strip() in ("", "0"):
            return cls()
        txid, dot, event = value.strip().partition(".")
        if not dot or not is_ascii_digits(txid) or not is_ascii_digits(event):
            raise BadInput(f"cursor {value!r} is not one `wms export` printed (like 0.42)")
        return cls(int(txid), int(event))


class EventKind(enum.StrEnum):
    RECEIPT = "receipt"
    SHIPMENT = "shipment"
    ADJUSTMENT = "adjustment"
    MOVE = "move"
    STATUS = "status"


EVENT_OF = {
    MovementKind.RECEIVE: EventKind.RECEIPT,
    MovementKind.PICK: EventKind.SHIPMENT,
    MovementKind.ADJUST: EventKind.ADJUSTMENT,
    MovementKind.MOVE: EventKind.MOVE,
    MovementKind.STATUS: EventKind.STATUS,
}


@dataclass(frozen=True)
class ExportEvent:
    cursor: Cursor
    kind: EventKind
    movement: LedgerEntry

    def record(self) -> dict[str, object]:
        """The flat row the ERP receives (CSV columns and JSON keys alike)."""
        m = self.movement
        signed = m.quantity if m.kind != MovementKind.ADJUST or m.to_location else -m.quantity
        return {
            "cursor": self.cursor.text(), "event": self.kind.value, "movement_id": m.id,
            "time": m.at.isoformat(), "sku": m.sku, "quantity": signed, "lot": m.lot,
            "from_location": m.from_location, "to_location": m.to_location,
            "lpn": m.to_lpn or m.from_lpn, "reference": m.reference, "reason": m.reason,
            "user": m.user,
        }


class OutboxReads(Protocol):
    def events_after(self, cursor: Cursor, limit: int) -> list[tuple[Cursor, LedgerEntry]]:
        """Committed, final outbox events after cursor, in cursor order."""
        ...


@dataclass(frozen=True)
class ExportBatch:
    events: tuple[ExportEvent, ...]
    # Where the next run starts: past every event read, kept or filtered out.
    cursor: Cursor


def next_batch(reads: OutboxReads, cursor: Cursor, limit: int = DEFAULT_BATCH,
               kinds: Collection[EventKind] = ()) -> ExportBatch:
    if limit < 1:
        raise BadInput("the batch limit must be at least 1")
    rows = reads.events_after(cursor, limit)
    events = tuple(ExportEvent(c, EVENT_OF[m.kind], m) for c, m in rows)
    kept = tuple(e for e in events if not kinds or e.kind in kinds)
    return ExportBatch(kept, rows[-1][0] if rows else cursor)
