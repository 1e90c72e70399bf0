"""An in-memory warehouse for flow unit tests: no database, no Textual, no mocks."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from wms_tui.domain.errors import InsufficientStock
from wms_tui.domain.flows.services import StockLine
from wms_tui.domain.model import (
    Actor,
    ItemRef,
    LocationRef,
    LocationType,
    LpnRef,
    PostResult,
    Role,
)
from wms_tui.domain.scan import Resolution, normalize_scan, resolve_scan
from wms_tui.domain.stock import Command, Move, MoveLpn

OPERATOR = Actor(1, "OP1", Role.OPERATOR, "RF01")
SUPERVISOR = Actor(2, "SUP1", Role.SUPERVISOR, "RF02")

WIDGET = ItemRef(1, "WIDGET", "Blue widget", "EA", False, False, False)
MILK = ItemRef(2, "MILK", "Milk 1L", "EA", True, True, False)
DOCK = LocationRef(1, "DOCK-1", "DOCK-1", "11", LocationType.DOCK, 0)
A1 = LocationRef(2, "A-01-01-1", "A-01-01-1", "42", LocationType.RESERVE, 10, "RES", 100)
A2 = LocationRef(3, "A-01-02-1", "A-01-02-1", "57", LocationType.RESERVE, 20, "RES", 100)
PALLET = LpnRef(1, "LPN0001", None, 1)


@dataclass
class FakeCatalog:
    items: dict[str, ItemRef] = field(default_factory=dict)
    gtins: dict[str, ItemRef] = field(default_factory=dict)
    locations: dict[str, LocationRef] = field(default_factory=dict)
    lpns: dict[str, LpnRef] = field(default_factory=dict)

    def item_by_gtin(self, gtin14: str) -> ItemRef | None:
        return self.gtins.get(gtin14)

    def item_by_code(self, code: str) -> ItemRef | None:
        return self.items.get(code)

    def location_by_code(self, code: str) -> LocationRef | None:
        return self.locations.get(code)

    def lpn_by_code(self, code: str) -> LpnRef | None:
        return self.lpns.get(code)


@dataclass
class FakeServices:
    """Holds stock lines and records every posted command with its confirmation key."""

    catalog: FakeCatalog = field(default_factory=FakeCatalog)
    lines: list[StockLine] = field(default_factory=list)
    posts: dict[str, tuple[Command, PostResult]] = field(default_factory=dict)

    @classmethod
    def standard(cls) -> FakeServices:
        catalog = FakeCatalog(
            items={"WIDGET": WIDGET, "MILK": MILK},
            gtins={"09501101530003": WIDGET,
                   "19501101530000": replace(WIDGET, uom="CS", factor=12)},
            locations={loc.code: loc for loc in (DOCK, A1, A2)},
            lpns={PALLET.code: PALLET},
        )
        lines = [
            StockLine("WIDGET", "Blue widget", "A-01-01-1", 30, "EA", item_id=1, location_id=2),
            StockLine("WIDGET", "Blue widget", "DOCK-1", 24, "EA", item_id=1, location_id=1,
                      lpn="LPN0001", lpn_id=1),
        ]
        return cls(catalog, lines)

    def resolve(self, raw: str, expected_location: LocationRef | None = None) -> Resolution:
        return resolve_scan(normalize_scan(raw), self.catalog, expected_location=expected_location)

    def post(self, actor: Actor, command: Command, key: str) -> PostResult:
        if key in self.posts:
            return replace(self.posts[key][1], replayed=True)
        if isinstance(command, Move):
            self._take(command.from_location_id, command.item_id, int(command.quantity))
        result = PostResult(key, [len(self.posts) + 1], "ok")
        self.posts[key] = (command, result)
        return result

    def _take(self, location_id: int, item_id: int, qty: int) -> None:
        for i, line in enumerate(self.lines):
            if line.location_id == location_id and line.item_id == item_id and line.lpn_id is None:
                if line.quantity - line.reserved < qty:
                    raise InsufficientStock(f"only {line.quantity} free")
                self.lines[i] = replace(line, quantity=line.quantity - qty)
                return
        raise InsufficientStock("nothing here")

    def posted(self, key: str) -> PostResult | None:
        found = self.posts.get(key)
        return None if found is None else found[1]

    def stock_at(self, location_id: int, item_id: int | None = None) -> list[StockLine]:
        return [ln for ln in self.lines if ln.location_id == location_id and ln.quantity > 0
                and (item_id is None or ln.item_id == item_id)]

    def stock_of(self, item_id: int) -> list[StockLine]:
        return [ln for ln in self.lines if ln.item_id == item_id and ln.quantity > 0]

    def lot_id(self, item_id: int, code: str) -> int | None:
        return None

    def receiving_dock(self) -> str | None:
        docks = [loc for loc in self.catalog.locations.values() if loc.type == LocationType.DOCK]
        return min(docks, key=lambda loc: loc.walk_seq).code if docks else None

    def commands(self) -> list[Command]:
        return [cmd for cmd, _ in self.posts.values()]


__all__ = ["A1", "A2", "DOCK", "OPERATOR", "PALLET", "FakeServices", "MoveLpn"]
