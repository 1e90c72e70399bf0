"""The Serial step flows share: after the quantity of a serial-tracked item, one serial per unit.

A scan is a serial as keyed, or a GS1 label whose AI (21) is the serial (an AI (01) beside it
must be the item's). Each is checked at once, so a wrong one is refused with the bell while the
operator still holds the unit: twice in this entry, or (receiving) already in stock.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from wms_tui.domain.errors import N_, BadInput, InvalidQuantity, ScanRejected
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.serials import (
    MAX_SERIALS_PER_ENTRY,
    SerialHistory,
    SerialInStock,
    SerialNotHere,
    SerialRecord,
    check_serial,
    serial_from_scan,
)

# Serials in messages are cut to this, so a message fits the 38 cells of a message line.
SHOWN_SERIAL = 14


@runtime_checkable
class SerialLookup(Protocol):
    """The serial look-ups a flow asks (domain.serials.SerialServicesMixin provides them)."""

    def serials_in_stock(self, item_id: int, serials: Sequence[str]) -> list[str]: ...
    def serials_at(self, location_id: int, item_id: int) -> list[SerialRecord]: ...
    def serial_history(self, serial: str, item_id: int | None = None) -> list[SerialHistory]: ...


def serial_lookup(services: object) -> SerialLookup:
    """The flow's services as a SerialLookup; services without serials cannot capture them."""
    if not isinstance(services, SerialLookup):
        raise BadInput(N_("Serials not kept: call a supervisor"))
    return services


def shown_serial(serial: str) -> str:
    return serial if len(serial) <= SHOWN_SERIAL else serial[:SHOWN_SERIAL - 1] + "…"


def check_serial_count(units: int) -> None:
    """One entry is at most MAX_SERIALS_PER_ENTRY units of a serial-tracked item."""
    if units > MAX_SERIALS_PER_ENTRY:
        raise InvalidQuantity(N_("Key at most {n} serial units"), n=MAX_SERIALS_PER_ENTRY)


def scanned_serial(services: RfServices, text: str, item_id: int,
                   taken: Sequence[str]) -> str:
    """The serial one scan at a Serial step gives, refused if it is not one or is in this
    entry already."""
    scan = serial_from_scan(text)
    if scan.gtin is not None:
        found = services.resolve(text)
        if found.item is not None and not scan.from_gs1:
            # A bare GTIN of a known item is its barcode, scanned instead of the serial label.
            raise ScanRejected(N_("That is the item: scan serial"))
        if found.item is not None and found.item.id != item_id:
            raise ScanRejected(N_("Serial is for another item: scan next"))
    if scan.serial in taken:
        raise ScanRejected(N_("{serial} scanned twice: scan next"),
                           serial=shown_serial(scan.serial))
    return scan.serial


def new_serial(services: RfServices, text: str, item_id: int, taken: Sequence[str]) -> str:
    """A serial to receive: as scanned_serial, and not in stock for the item already."""
    return receivable(services, scanned_serial(services, text, item_id, taken), item_id)


def receivable(services: RfServices, serial: str, item_id: int) -> str:
    """The serial (as a label gave it), refused when it is not one or is in stock already."""
    serial = check_serial(serial)
    if serial_lookup(services).serials_in_stock(item_id, [serial]):
        raise SerialInStock(N_("{serial} in stock: scan next"), serial=shown_serial(serial))
    return serial


def serial_here(services: RfServices, text: str, item_id: int, location_id: int,
                taken: Sequence[str]) -> str:
    """A serial to pick or count out: as scanned_serial, and in stock at the location."""
    serial = scanned_serial(services, text, item_id, taken)
    here = {r.serial for r in serial_lookup(services).serials_at(location_id, item_id)}
    if serial not in here:
        raise SerialNotHere(N_("{serial} not here: scan next"), serial=shown_serial(serial))
    return serial
