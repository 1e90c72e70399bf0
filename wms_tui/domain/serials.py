"""Serial numbers of serial-tracked items: what a serial may look like, one serial per unit,
and a serial in stock at most once per item (the database's partial unique index makes it so).

Serials travel inside the posting that moves their units (stock.Receive / stock.Pick) and are
written in its transaction: each gets a row in `serial` (where it is, its status) and a link to
the ledger movement, which is its history.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from wms_tui.domain.errors import N_, BadInput, InvalidQuantity, NotFound, ScanRejected
from wms_tui.domain.model import ItemRef, MovementKind
from wms_tui.domain.scan import GS, normalize_scan, parse_gs1

if TYPE_CHECKING:
    from wms_tui.domain.ports import SerialRepository, UnitOfWork

# GS1 AI (21) allows up to 20 characters; so does the serial column.
MAX_SERIAL_LENGTH = 20
# One entry is keyed unit by unit at a terminal: more is a wrong quantity, not a real receipt.
MAX_SERIALS_PER_ENTRY = 100


class SerialStatus(enum.StrEnum):
    IN_STOCK = "in_stock"
    # Picked out of the warehouse's stock with no destination inside it.
    ISSUED = "issued"
    # A count did not find it where the books had it.
    MISSING = "missing"


class SerialInStock(BadInput):
    """A serial scanned or posted that is already in stock for the item."""


class SerialNotHere(ScanRejected):
    """A serial to pick that is not in stock at the location picked from."""


@dataclass(frozen=True)
class SerialRecord:
    """One serialised unit as stored: where it is (codes for people) and its status."""

    id: int
    item_id: int
    sku: str
    serial: str
    status: SerialStatus
    location_id: int | None = None
    location: str | None = None
    lpn_id: int | None = None
    lpn: str | None = None
    lot: str | None = None


@dataclass(frozen=True)
class SerialEvent:
    """One ledger movement that carried a serial, oldest first in a history."""

    movement_id: int
    kind: MovementKind
    at: datetime
    from_location: str | None
    to_location: str | None
    reference: str
    user: str


@dataclass(frozen=True)
class SerialHistory:
    """What `wms serial show` and the RF inquiry tell about one serial of one item."""

    record: SerialRecord
    events: tuple[SerialEvent, ...]


# Rules.


def normalise_serial(text: str) -> str:
    """A serial as keyed or scanned: outer blanks and a trailing GS dropped; case is kept, as
    GS1 serials are case-sensitive."""
    return text.strip().strip(GS).strip()


def check_serial(text: str) -> str:
    """The normalised serial, or BadInput naming what is wrong with it."""
    serial = normalise_serial(text)
    if not serial:
        raise BadInput(N_("Scan or key the serial"))
    if len(serial) > MAX_SERIAL_LENGTH:
        raise BadInput(N_("Serial: max 20 chars"))
    if not (serial.isascii() and serial.isprintable()) or " " in serial:
        raise BadInput(N_("Serial: letters, digits"))
    return serial


def duplicates(serials: Iterable[str]) -> list[str]:
    """Serials given more than once, in the order first seen."""
    counts = Counter(serials)
    return [serial for serial, n in counts.items() if n > 1]


def check_entry(serials: Sequence[str], quantity: int, sku: str) -> tuple[str, ...]:
    """The serials of one posting: each valid, none twice, one per base unit."""
    checked = tuple(check_serial(s) for s in serials)
    if twice := duplicates(checked):
        raise BadInput(N_("serial {serial} is given twice"), serial=twice[0])
    if len(checked) != quantity:
        raise InvalidQuantity(N_("{qty} units of {sku} need {qty} serials, not {n}"),
                              qty=quantity, sku=sku, n=len(checked))
    return checked


@dataclass(frozen=True)
class SerialScan:
    """The serial a scan carries; gtin is the item code beside it (AI 01), or the whole scan
    when it was a bare GTIN, which may be the item's barcode scanned by mistake."""

    serial: str
    gtin: str | None = None
    from_gs1: bool = False


def serial_from_scan(raw: str, separator: str | None = None) -> SerialScan:
    """A GS1 element string gives AI (21), and one without it is refused; anything else is
    the serial as keyed (digits that look like a GTIN included: plain serials often are)."""
    scan = normalize_scan(raw, separator=separator)
    gs1 = parse_gs1(scan)
    if gs1 is not None and gs1.fields:
        if gs1.serial is None:
            raise ScanRejected(N_("No serial (21) in scan"))
        return SerialScan(check_serial(gs1.serial), gs1.gtin, from_gs1=True)
    return SerialScan(check_serial(scan.text), gs1.gtin if gs1 is not None else None)


# Storage, inside a posting's transaction.


def serial_repository(uow: object) -> SerialRepository:
    """The unit of work's serial store; a store without one cannot post serials."""
    repo: SerialRepository | None = getattr(uow, "serials", None)
    if repo is None:
        raise BadInput(N_("this store keeps no serials"))
    return repo


def store_received_serials(
    repo: SerialRepository, item: ItemRef, quantity: int, serials: Sequence[str],
    movement_id: int, *, location_id: int, lpn_id: int | None, lot_id: int | None,
) -> list[int]:
    """Put serials in stock for a posted receipt (or opening stock) and link them to its
    movement; refuses a serial already in stock. Returns the serial ids."""
    if not item.serial_tracked:
        raise BadInput(N_("{sku} is not serial-tracked"), sku=item.sku)
    checked = check_entry(serials, quantity, item.sku)
    ids = []
    for serial in checked:
        serial_id = repo.add_in_stock(item.id, serial, location_id=location_id, lpn_id=lpn_id,
                                      lot_id=lot_id)
        if serial_id is None:
            raise SerialInStock(N_("Serial {serial} in stock"), serial=serial)
        repo.link(serial_id, movement_id)
        ids.append(serial_id)
    return ids


def take_serials(
    repo: SerialRepository, item: ItemRef, quantity: int, serials: Sequence[str],
    movement_id: int, *, from_location_id: int, from_lpn_id: int | None,
    to_location_id: int | None,
) -> list[int]:
    """Move picked serials off their location (into a tote, or out of stock when there is no
    destination) and link them to the pick's movement; each must be in stock there."""
    checked = check_entry(serials, quantity, item.sku)
    found = {r.serial: r for r in repo.in_stock(item.id, checked)}
    ids = []
    for serial in checked:
        record = found.get(serial)
        if record is None or record.location_id != from_location_id or (
                from_lpn_id is not None and record.lpn_id != from_lpn_id):
            raise SerialNotHere(N_("Serial {serial} not here"), serial=serial)
        if not repo.take(record.id, from_location_id, to_location_id):
            raise SerialNotHere(N_("Serial {serial} not here"), serial=serial)
        repo.link(record.id, movement_id)
        ids.append(record.id)
    return ids


# Reading.


def serial_history(
    read: Callable[[], UnitOfWork], serial: str, item_id: int | None = None, *,
    sku: str | None = None,
) -> list[SerialHistory]:
    """Every stored unit with this serial (of one item, by id or SKU, when given), newest
    first, each with the movements that carried it; NotFound when there is none."""
    text = check_serial(serial)
    with read() as uow:
        if sku is not None:
            item = uow.catalog.item_by_code(sku.strip())
            if item is None:
                raise BadInput(N_("no item {sku}"), sku=sku.strip()[:40])
            item_id = item.id
        repo = serial_repository(uow)
        found = [SerialHistory(r, tuple(repo.history(r.id))) for r in repo.find(text, item_id)]
    if not found:
        raise NotFound(N_("No serial {serial}"), serial=text)
    return found


class SerialServicesMixin:
    """The RF flows' serial look-ups (flows.serial_step.SerialLookup) over the warehouse."""

    read_factory: Callable[[], UnitOfWork]

    def serials_in_stock(self, item_id: int, serials: Sequence[str]) -> list[str]:
        """Which of these serials the item has in stock (anywhere)."""
        with self.read_factory() as uow:
            return [r.serial for r in serial_repository(uow).in_stock(item_id, serials)]

    def serials_at(self, location_id: int, item_id: int) -> list[SerialRecord]:
        with self.read_factory() as uow:
            return serial_repository(uow).at_location(location_id, item_id)

    def serial_history(self, serial: str, item_id: int | None = None) -> list[SerialHistory]:
        return serial_history(self.read_factory, serial, item_id)
