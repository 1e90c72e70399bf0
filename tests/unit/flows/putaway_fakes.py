"""An in-memory warehouse for the putaway and inquiry flows, built on tests/flow_fakes.py."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from tests.flow_fakes import A1, A2, DOCK, MILK, PALLET, WIDGET, FakeCatalog, FakeServices
from wms_tui.domain.errors import InsufficientStock
from wms_tui.domain.model import Actor, LocationRef, LocationType, PostResult, StockLine
from wms_tui.domain.putaway import (
    INBOUND_TYPES,
    PutawayCandidate,
    suggest_putaway_location,
)
from wms_tui.domain.stock import Command, Move, MoveLpn

QC = LocationRef(4, "QC-1", "QC-1", "23", LocationType.QC, 5)
B1 = LocationRef(5, "B-01-01-1", "B-01-01-1", "68", LocationType.RESERVE, 30, "BULK", 500)
STAGE = LocationRef(6, "STAGE-1", "STAGE-1", "35", LocationType.STAGING, 1)
DOCK2 = LocationRef(7, "DOCK-2", "DOCK-2", "74", LocationType.DOCK, 2)
P1 = LocationRef(8, "P-01-01-1", "P-01-01-1", "91", LocationType.PICK, 40, "RES", 50)
ZONES = {"RES": 1, "BULK": 2, "COLD": 3}
MILK_GTIN = "05901234123457"


def line(item: str, loc: LocationRef, qty: int, **extra: object) -> StockLine:
    """A stock line of WIDGET or MILK at a location, in base units."""
    ref = {"WIDGET": WIDGET, "MILK": MILK}[item]
    return StockLine(ref.sku, ref.description, loc.code, qty, ref.base_uom, item_id=ref.id,
                     location_id=loc.id, **extra)  # type: ignore[arg-type]


def standard_lines() -> list[StockLine]:
    return [
        line("WIDGET", A1, 30),
        line("WIDGET", DOCK, 24, lpn=PALLET.code, lpn_id=PALLET.id),
        line("WIDGET", DOCK, 20),
        line("MILK", DOCK, 10, lot="L1", lot_id=11, expiry=date(2030, 1, 1)),
        line("MILK", DOCK, 5, lot="L2", lot_id=12, expiry=date(2029, 6, 1)),
        line("WIDGET", QC, 6, status="qc_hold"),
    ]


@dataclass
class PutawayFakeServices(FakeServices):
    """Adds the putaway services, directing with the real rule over the fake's stock lines."""

    item_zones: dict[int, int | None] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=lambda: ["BLOCKED", "FULL"])

    @classmethod
    def putaway(cls, lines: list[StockLine] | None = None) -> PutawayFakeServices:
        locations = (DOCK, A1, A2, QC, B1, STAGE, DOCK2, P1)
        catalog = FakeCatalog(
            items={"WIDGET": WIDGET, "MILK": MILK},
            gtins={"09501101530003": WIDGET,
                   "19501101530000": replace(WIDGET, uom="CS", factor=12),
                   MILK_GTIN: MILK},
            locations={loc.code: loc for loc in locations},
            lpns={PALLET.code: PALLET},
        )
        return cls(catalog, standard_lines() if lines is None else lines,
                   item_zones={WIDGET.id: ZONES["RES"], MILK.id: ZONES["RES"]})

    def location(self, location_id: int) -> LocationRef:
        return next(loc for loc in self.catalog.locations.values() if loc.id == location_id)

    def putaway_lines(
        self, *, item_id: int | None = None, lpn_id: int | None = None
    ) -> list[StockLine]:
        return [ln for ln in self.lines if ln.quantity > 0
                and self.location(ln.location_id).type in INBOUND_TYPES
                and (item_id is None or ln.item_id == item_id)
                and (lpn_id is None or ln.lpn_id == lpn_id)]

    def candidates(self, item_id: int | None, lot_id: int | None) -> list[PutawayCandidate]:
        found = []
        for loc in self.catalog.locations.values():
            here = [ln for ln in self.lines if ln.location_id == loc.id]
            mine = [ln for ln in here if ln.item_id == item_id and ln.status == "available"]
            found.append(PutawayCandidate(
                loc.id, loc.code, loc.type, loc.walk_seq,
                ZONES.get(loc.zone or ""), loc.capacity,
                on_hand=sum(ln.quantity for ln in here),
                item_qty=sum(ln.quantity for ln in mine),
                lot_qty=sum(ln.quantity for ln in mine if lot_id and ln.lot_id == lot_id),
            ))
        return found

    def suggest_putaway(
        self, source_location_id: int, quantity: int, item_id: int | None = None,
        lot_id: int | None = None,
    ) -> LocationRef | None:
        source = self.location(source_location_id)
        chosen = suggest_putaway_location(
            self.candidates(item_id, lot_id), quantity=quantity,
            item_zone_id=self.item_zones.get(item_id) if item_id is not None else None,
            source_location_id=source.id, source_walk_seq=source.walk_seq,
        )
        return None if chosen is None else self.location(chosen.location_id)

    def override_reasons(self) -> list[str]:
        return list(self.reasons)

    def post(self, actor: Actor, command: Command, key: str) -> PostResult:
        if key in self.posts:
            return replace(self.posts[key][1], replayed=True)
        if isinstance(command, Move):
            factor = 12 if command.uom == "CS" else 1
            self._shift(command.item_id, command.lot_id, command.from_lpn_id,
                        command.from_location_id, command.to_location_id,
                        int(command.quantity) * factor)
        elif isinstance(command, MoveLpn):
            for ln in [ln for ln in self.lines if ln.lpn_id == command.lpn_id]:
                self._shift(ln.item_id, ln.lot_id, ln.lpn_id, ln.location_id,
                            command.to_location_id, ln.quantity)
        result = PostResult(key, [len(self.posts) + 1], "ok")
        self.posts[key] = (command, result)
        return result

    def _shift(self, item_id: int, lot_id: int | None, lpn_id: int | None, from_id: int,
               to_id: int, qty: int) -> None:
        for i, ln in enumerate(self.lines):
            if (ln.location_id, ln.item_id, ln.lot_id, ln.lpn_id, ln.status) == (
                    from_id, item_id, lot_id, lpn_id, "available"):
                if ln.quantity - ln.reserved < qty:
                    raise InsufficientStock(f"only {ln.quantity - ln.reserved} free")
                self.lines[i] = replace(ln, quantity=ln.quantity - qty)
                to = self.location(to_id)
                self.lines.append(replace(ln, quantity=qty, location=to.code, location_id=to_id))
                return
        raise InsufficientStock("nothing here")
