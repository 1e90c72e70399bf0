"""Serials in a count: the serial of every counted unit of a serial-tracked item, and what the
books learn from them when the count settles.

A count with serials names every unit it found; when the location's count is posted (at once,
or when a supervisor approves it) the books follow it: a serial the books had here and the
count did not find is marked missing, and a serial found here that the books had elsewhere or
not at all is put in stock here. A count without serials (a command-line count) leaves the
serials as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from wms_tui.domain.counting.model import CountLineRecord, CountTaskRef, LineKey
from wms_tui.domain.errors import N_, BadInput
from wms_tui.domain.model import ItemRef
from wms_tui.domain.ports import CatalogRepository, SerialRepository
from wms_tui.domain.serials import check_entry, duplicates, serial_repository

# Serials counted per item/lot, as the count flow keyed them.
CountedSerials = Mapping[LineKey, Sequence[str]]
# A posted count adjustment: (item_id, delta in base units, its movement id).
Adjustment = tuple[int, int, int]


def checked_serials(catalog: CatalogRepository, counted: Mapping[LineKey, int],
                    serials: CountedSerials) -> dict[LineKey, tuple[str, ...]]:
    """Every counted line of a serial-tracked item with one valid serial per unit, none of an
    item twice in the count; serials of an item that is not serial-tracked are refused."""
    checked: dict[LineKey, tuple[str, ...]] = {}
    for key, given in serials.items():
        if given and key not in counted:
            raise BadInput(N_("serials for an item not counted"))
    per_item: dict[int, list[str]] = {}
    for key, qty in counted.items():
        item = catalog.item(key[0])
        given = serials.get(key, ())
        if not item.serial_tracked:
            if given:
                raise BadInput(N_("{sku} is not serial-tracked"), sku=item.sku)
            continue
        checked[key] = check_entry(given, qty, item.sku)
        per_item.setdefault(key[0], []).extend(checked[key])
    for listed in per_item.values():
        if twice := duplicates(listed):
            raise BadInput(N_("serial {serial} is given twice"), serial=twice[0])
    return checked


def serial_items(catalog: CatalogRepository, task: CountTaskRef,
                 keys: Iterable[LineKey]) -> list[ItemRef]:
    """The serial-tracked items a count of the task settles serials for."""
    items = {item_id for item_id, _lot in keys
             if task.item_id is None or item_id == task.item_id}
    return [item for item in map(catalog.item, sorted(items)) if item.serial_tracked]


def reconcile_serials(
    uow: object, catalog: CatalogRepository, task: CountTaskRef,
    lines: Sequence[CountLineRecord], adjustments: Sequence[Adjustment],
) -> None:
    """Make the serials at the task's location those the settled count found. Each change is
    linked to the item's count adjustment in that direction, when the count posted one."""
    if not any(line.serials is not None for line in lines):
        return
    repo = serial_repository(uow)
    moved_by = _movements_by_item(adjustments)
    for item in serial_items(catalog, task, ((ln.item_id, ln.lot_id) for ln in lines)):
        found = {serial: line.lot_id for line in lines if line.item_id == item.id
                 for serial in line.serials or ()}
        _settle_item(repo, item, task.location_id, found, moved_by.get(item.id, {}))


def _movements_by_item(adjustments: Sequence[Adjustment]) -> dict[int, dict[bool, int]]:
    """Per item, the first count adjustment that took stock off (False) and put it on (True)."""
    by_item: dict[int, dict[bool, int]] = {}
    for item_id, delta, movement_id in adjustments:
        by_item.setdefault(item_id, {}).setdefault(delta > 0, movement_id)
    return by_item


def _settle_item(repo: SerialRepository, item: ItemRef, location_id: int,
                 found: Mapping[str, int | None], movements: Mapping[bool, int]) -> None:
    booked = {record.serial: record for record in repo.at_location(location_id, item.id)}
    for serial, record in booked.items():
        if serial not in found and repo.lose(record.id, location_id):
            _link(repo, record.id, movements.get(False))
    elsewhere = {r.serial: r for r in repo.in_stock(item.id, [s for s in found
                                                               if s not in booked])}
    for serial, lot_id in found.items():
        if serial in booked:
            continue
        other = elsewhere.get(serial)
        if other is not None and other.location_id is not None:
            # The books had it at another location: it is here, so it moves here.
            moved = repo.take(other.id, other.location_id, location_id)
            serial_id: int | None = other.id if moved else None
        else:
            serial_id = repo.add_in_stock(item.id, serial, location_id=location_id,
                                          lpn_id=None, lot_id=lot_id)
        if serial_id is not None:
            _link(repo, serial_id, movements.get(True))


def _link(repo: SerialRepository, serial_id: int, movement_id: int | None) -> None:
    if movement_id is not None:
        repo.link(serial_id, movement_id)
