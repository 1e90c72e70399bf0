"""ERP exports: ledger events read from the transactional outbox, incrementally by cursor.

A cursor names the last event a consumer has; the next run starts after it, so an event is
never sent twice nor missed, whatever was posted meanwhile. It also names the database's
epoch (a random id each database gets once, and anew from `wms db restore`): positions only
mean something inside one history, so a cursor from another database, or from before a
restore, is refused rather than silently skipping the events up to its position.
"""

from __future__ import annotations

import enum
import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Protocol

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.errors import BadInput
from wms_tui.domain.model import MovementKind
from wms_tui.domain.reports import LedgerEntry

DEFAULT_BATCH = 1000


EPOCH = re.compile(r"[0-9a-f]{12}")


def utc_time(moment: datetime) -> str:
    """An instant as RFC 3339 in UTC ending in Z, as the feed's JSON spells it, so an event
    reads the same in the feed, a webhook body and an export; a naive time is taken as UTC."""
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat().replace("+00:00", "Z")


def new_epoch() -> str:
    """A fresh database epoch: 12 lowercase hex digits (migration 0018 writes the same)."""
    return secrets.token_hex(6)


@dataclass(frozen=True, order=True)
class Cursor:
    """A position in the outbox: (writing transaction, event id), in export order, and the
    epoch of the database it belongs to ("" for the start or a cursor from before epochs)."""

    txid: int = 0
    id: int = 0
    epoch: str = ""

    def text(self) -> str:
        position = f"{self.txid}.{self.id}"
        return f"{self.epoch}.{position}" if self.epoch else position

    @property
    def position(self) -> Cursor:
        return Cursor(self.txid, self.id)

    @property
    def at_start(self) -> bool:
        return self.txid == 0 and self.id == 0

    @classmethod
    def parse(cls, value: str | None) -> Cursor:
        """`EPOCH.TXID.ID` as `wms export` prints it; `TXID.ID` (before epochs) and `0` too."""
        if value is None or value.strip() in ("", "0"):
            return cls()
        parts = value.strip().split(".")
        epoch = parts.pop(0) if len(parts) == 3 else ""
        if (len(parts) != 2 or not all(is_ascii_digits(p) for p in parts)
                or (len(value.strip().split(".")) == 3 and not EPOCH.fullmatch(epoch))):
            raise BadInput(f"cursor {value!r} is not one `wms export` printed "
                           "(like 3f9c2a7b1e04.0.42)")
        return cls(int(parts[0]), int(parts[1]), epoch)


class EventKind(enum.StrEnum):
    RECEIPT = "receipt"
    # Stock left the building at ship confirm (docs/backup-and-export.md).
    SHIPMENT = "shipment"
    # Picked into a tote: stock is still in the building, so this is no shipment.
    PICK = "pick"
    ADJUSTMENT = "adjustment"
    MOVE = "move"
    STATUS = "status"


EVENT_OF = {
    MovementKind.RECEIVE: EventKind.RECEIPT,
    MovementKind.PICK: EventKind.PICK,
    MovementKind.SHIP: EventKind.SHIPMENT,
    MovementKind.ADJUST: EventKind.ADJUSTMENT,
    MovementKind.MOVE: EventKind.MOVE,
    MovementKind.STATUS: EventKind.STATUS,
}


@dataclass(frozen=True)
class ShippedDetail:
    """What a shipment event carries beyond its movement: the order line, the unit, the lot's
    expiry, the serials, the carton's SSCC and gross weight, and the shipment."""

    shipment: str
    order: str
    order_line: int
    unit: str
    sscc: str
    expiry: date | None = None
    serials: tuple[str, ...] = ()
    weight_kg: Decimal | None = None


# The columns only a shipment event fills (None on the others), after the movement's own.
SHIPMENT_COLUMNS = ("order", "order_line", "unit", "expiry", "serials", "sscc", "weight_kg",
                    "shipment")


@dataclass(frozen=True)
class ExportEvent:
    cursor: Cursor
    kind: EventKind
    movement: LedgerEntry
    shipped: ShippedDetail | None = None

    def record(self) -> dict[str, object]:
        """The flat row the ERP receives (CSV columns and JSON keys alike)."""
        m = self.movement
        signed = m.quantity if m.kind != MovementKind.ADJUST or m.to_location else -m.quantity
        record: dict[str, object] = {
            "cursor": self.cursor.text(), "event": self.kind.value, "movement_id": m.id,
            "time": utc_time(m.at), "sku": m.sku, "quantity": signed, "lot": m.lot,
            "from_location": m.from_location, "to_location": m.to_location,
            "lpn": m.to_lpn or m.from_lpn, "reference": m.reference, "reason": m.reason,
            "user": m.user,
        }
        record.update(dict.fromkeys(SHIPMENT_COLUMNS))
        if (d := self.shipped) is not None:
            record.update({
                "order": d.order, "order_line": d.order_line, "unit": d.unit,
                "expiry": d.expiry.isoformat() if d.expiry is not None else None,
                "serials": " ".join(d.serials) or None, "sscc": d.sscc,
                "weight_kg": f"{d.weight_kg:f}" if d.weight_kg is not None else None,
                "shipment": d.shipment,
            })
        return record


class OutboxReads(Protocol):
    def events_after(self, cursor: Cursor, limit: int) -> list[tuple[Cursor, LedgerEntry]]:
        """Committed, final outbox events after cursor's position, in cursor order."""
        ...

    def database_epoch(self) -> DatabaseEpoch | None:
        """The database's epoch row (None only before migration 0018)."""
        ...

    def has_event(self, cursor: Cursor) -> bool:
        """Whether an outbox event sits exactly at cursor's position."""
        ...

    def last_event(self) -> Cursor | None:
        """The position of the last event in export order, committed or not (none: None)."""
        ...

    def shipped_details(self, movement_ids: Collection[int]) -> dict[int, ShippedDetail]:
        """The shipment detail of each of these ship movements, by movement id."""
        ...


@dataclass(frozen=True)
class DatabaseEpoch:
    epoch: str
    # After `wms db restore`: the backup's epoch and the position of its last event.
    previous: str | None = None
    resumes_after: str | None = None


@dataclass(frozen=True)
class ExportBatch:
    events: tuple[ExportEvent, ...]
    # Where the next run starts: past every event read, kept or filtered out.
    cursor: Cursor
    # Accepted, but to be told: a cursor in the old format without an epoch.
    warnings: tuple[str, ...] = ()


def check_cursor(reads: OutboxReads, cursor: Cursor) -> tuple[str, tuple[str, ...]]:
    """This database's epoch and any warning; refuses a cursor it cannot honour exactly."""
    found = reads.database_epoch()
    if found is None:
        raise BadInput("this database has no export epoch yet: run `wms db upgrade`")
    epoch = found.epoch
    if cursor.epoch and cursor.epoch != epoch:
        raise BadInput(_foreign(cursor, found))
    warnings: tuple[str, ...] = ()
    if cursor.at_start:
        return epoch, warnings
    if not cursor.epoch:
        warnings = (f"cursor {cursor.text()} has no database epoch (an older wms printed it): "
                    "accepted this once; keep the new cursor printed with this run",)
    if not reads.has_event(cursor.position):
        last = reads.last_event()
        if last is None or last.position < cursor.position:
            end = "it has no events" if last is None else \
                f"its last is {replace(last, epoch=epoch).text()}"
            raise BadInput(f"cursor {cursor.text()} is past the end of this database's events "
                           f"({end}): it was printed by another or a newer copy of the "
                           "database; reconcile the ERP, then start again with "
                           f"--since {epoch}.0.0")
        raise BadInput(f"cursor {cursor.text()} names no event of this database: it was "
                       f"printed by another database; start again with --since {epoch}.0.0")
    return epoch, warnings


def _foreign(cursor: Cursor, found: DatabaseEpoch) -> str:
    """Why a cursor of another epoch is refused, and where the ERP can go on from."""
    head = (f"cursor {cursor.text()} belongs to database epoch {cursor.epoch}, but this "
            f"database is epoch {found.epoch}")
    if cursor.epoch == found.previous and found.resumes_after is not None:
        backup_end = Cursor.parse(found.resumes_after)
        restored = f"{head}: it was restored from a backup whose last event was " \
            f"{replace(backup_end, epoch=found.epoch).text()}"
        if cursor.position <= backup_end:
            # The ERP has nothing the backup lacks, so its place is the same in this history.
            return (f"{restored}; the ERP has nothing after that, so go on with "
                    f"--since {replace(cursor, epoch=found.epoch).text()}")
        return (f"{restored}. Events the ERP received after that are no longer here: "
                f"reverse them, then go on with "
                f"--since {replace(backup_end, epoch=found.epoch).text()}")
    return (f"{head} (restored from a backup, or another database): events may be missing "
            f"or numbered again; reconcile the ERP, then start again with "
            f"--since {found.epoch}.0.0")


def next_batch(reads: OutboxReads, cursor: Cursor, limit: int = DEFAULT_BATCH,
               kinds: Collection[EventKind] = ()) -> ExportBatch:
    if limit < 1:
        raise BadInput("the batch limit must be at least 1")
    epoch, warnings = check_cursor(reads, cursor)
    rows = reads.events_after(cursor.position, limit)
    ships = [m.id for _, m in rows if m.kind == MovementKind.SHIP]
    details = reads.shipped_details(ships) if ships else {}
    events = tuple(ExportEvent(replace(c, epoch=epoch), EVENT_OF[m.kind], m, details.get(m.id))
                   for c, m in rows)
    kept = tuple(e for e in events if not kinds or e.kind in kinds)
    last = events[-1].cursor if events else replace(cursor, epoch=epoch)
    return ExportBatch(kept, last, warnings)
