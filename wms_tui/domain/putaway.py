"""Directed putaway: which location the system sends stock from the dock to, and why.

The rule, in `suggest_putaway_location`:

- Candidates are active locations of type reserve or pick, never dock, QC or staging, and never
  the location the stock comes from.
- Capacity is always respected: a location fits when its capacity minus everything on hand
  there (every item, every status) is at least the quantity; no capacity means unlimited.
- First choice: a location that already holds the same item, available, with room; among those,
  one holding the same lot comes first.
- Second choice: an empty location in the item's zone (any zone when the item has none, or when
  a mixed pallet has no single item).
- Within each choice, the nearest by walk sequence to the source location (the dock or QC
  bay the stock is on), ties going to the lower walk sequence, then the location code.
- Nothing fits: None; the flow then needs a supervisor to scan any location.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from wms_tui.domain.errors import N_, InvalidQuantity
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.model import LocationRef, LocationType, StockLine
from wms_tui.domain.ports import UnitOfWork

PUTAWAY_TYPES = frozenset({LocationType.RESERVE, LocationType.PICK})
INBOUND_TYPES = frozenset({LocationType.DOCK, LocationType.QC})


@dataclass(frozen=True)
class PutawayCandidate:
    """A location with what is on it now, as the rule needs it."""

    location_id: int
    code: str
    type: LocationType
    walk_seq: int
    zone_id: int | None = None
    capacity: int | None = None
    active: bool = True
    # Everything on hand there, every item and status, in base units.
    on_hand: int = 0
    # Available stock of the item being put away, and of its lot.
    item_qty: int = 0
    lot_qty: int = 0

    def has_room_for(self, quantity: int) -> bool:
        return self.capacity is None or self.capacity - self.on_hand >= quantity


def suggest_putaway_location(
    candidates: Iterable[PutawayCandidate],
    *,
    quantity: int,
    item_zone_id: int | None,
    source_location_id: int,
    source_walk_seq: int,
) -> PutawayCandidate | None:
    """The location to direct `quantity` base units to, by the rule in this module's docstring."""
    if quantity <= 0:
        raise InvalidQuantity(N_("put away a quantity above 0, not {qty}"), qty=quantity)
    ranked: list[tuple[int, int, int, str, PutawayCandidate]] = []
    for c in candidates:
        if (not c.active or c.type not in PUTAWAY_TYPES or c.location_id == source_location_id
                or not c.has_room_for(quantity)):
            continue
        if c.item_qty > 0:
            tier = 0 if c.lot_qty > 0 else 1
        elif c.on_hand == 0 and (item_zone_id is None or c.zone_id == item_zone_id):
            tier = 2
        else:
            continue
        ranked.append((tier, abs(c.walk_seq - source_walk_seq), c.walk_seq, c.code, c))
    if not ranked:
        return None
    return min(ranked, key=lambda r: r[:4])[4]


class PutawayRepository(Protocol):
    """What the putaway rule reads from storage; it never writes."""

    def candidates(self, item_id: int | None, lot_id: int | None) -> list[PutawayCandidate]:
        """Reserve and pick locations that hold the item or are empty, with their occupancy."""
        ...

    def item_zone(self, item_id: int) -> int | None: ...

    def inbound_location_ids(self) -> set[int]:
        """Dock and QC locations: where putaway starts."""
        ...

    def override_reasons(self) -> list[str]:
        """Active reason codes of kind "override" (FULL, BLOCKED), in code order."""
        ...


class PutawayUnitOfWork(UnitOfWork, Protocol):
    # Read-only, as ports.UnitOfWork's members are, so the SQL unit of work type-checks as one.
    @property
    def putaway(self) -> PutawayRepository: ...


class PutawayServices(RfServices, Protocol):
    """RfServices plus what the putaway flow asks the warehouse."""

    def putaway_lines(
        self, *, item_id: int | None = None, lpn_id: int | None = None
    ) -> list[StockLine]: ...

    def suggest_putaway(
        self, source_location_id: int, quantity: int, item_id: int | None = None,
        lot_id: int | None = None,
    ) -> LocationRef | None: ...

    def override_reasons(self) -> list[str]: ...


class PutawayServicesMixin:
    """Putaway services on top of WarehouseServices' unit-of-work factories."""

    read_factory: Callable[[], PutawayUnitOfWork]

    def _read(self) -> PutawayUnitOfWork:
        return self.read_factory()

    def putaway_lines(
        self, *, item_id: int | None = None, lpn_id: int | None = None
    ) -> list[StockLine]:
        """Stock of an item or on an LPN that sits on a dock or QC location, every status."""
        with self._read() as uow:
            inbound = uow.putaway.inbound_location_ids()
            if lpn_id is not None:
                lpn = uow.catalog.lpn(lpn_id)
                if lpn.location_id is None or lpn.location_id not in inbound:
                    return []
                lines = uow.inquiry.stock_lines(location_id=lpn.location_id)
                return [ln for ln in lines if ln.lpn_id == lpn_id]
            if item_id is None:
                return []
            return [ln for ln in uow.inquiry.stock_lines(item_id=item_id)
                    if ln.location_id in inbound]

    def suggest_putaway(
        self, source_location_id: int, quantity: int, item_id: int | None = None,
        lot_id: int | None = None,
    ) -> LocationRef | None:
        """The directed location; item_id None (a mixed pallet) only gets empty locations."""
        with self._read() as uow:
            source = uow.catalog.location(source_location_id)
            zone = uow.putaway.item_zone(item_id) if item_id is not None else None
            chosen = suggest_putaway_location(
                uow.putaway.candidates(item_id, lot_id), quantity=quantity, item_zone_id=zone,
                source_location_id=source.id, source_walk_seq=source.walk_seq,
            )
            return None if chosen is None else uow.catalog.location(chosen.location_id)

    def override_reasons(self) -> list[str]:
        with self._read() as uow:
            return uow.putaway.override_reasons()
