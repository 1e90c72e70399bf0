"""Directed putaway against a real database, and the putaway flow posting through it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine, select, update
from sqlmodel import Session, col

from tests.factories import Warehouse
from wms_tui.db.tables import Item, Location, Lpn, Movement, Zone
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.checkdigits import location_check_digits
from wms_tui.domain.flows.base import Tone
from wms_tui.domain.flows.putaway import PutawayFlow
from wms_tui.domain.putaway import PutawayServicesMixin
from wms_tui.domain.rf_services import WarehouseServices
from wms_tui.domain.stock import Receive, ledger_mismatches, post

Uow = Callable[[], SqlUnitOfWork]


class Services(PutawayServicesMixin, WarehouseServices):
    """The combination the app uses: RF services plus putaway."""


def add_location(engine: Engine, code: str, walk_seq: int, zone: str, *,
                 type: str = "reserve", capacity: int | None = 1000) -> int:
    with Session(engine) as s:
        found = s.execute(select(Zone).where(col(Zone.code) == zone)).scalar()
        if found is None:
            found = Zone(warehouse_id=1, code=zone)
            s.add(found)
            s.flush()
        loc = Location(code=code, barcode=code, check_digits=location_check_digits(code),
                       type=type, walk_seq=walk_seq, zone_id=found.id, capacity=capacity)
        s.add(loc)
        s.commit()
        assert loc.id is not None
        return loc.id


def set_item_zone(engine: Engine, item_id: int, zone: str | None) -> None:
    with Session(engine) as s:
        zone_id = None if zone is None else s.execute(
            select(col(Zone.id)).where(col(Zone.code) == zone)).scalar()
        s.execute(update(Item).where(col(Item.id) == item_id).values(zone_id=zone_id))
        s.commit()


def directed(uow: Uow, wh: Warehouse, qty: int, item_id: int | None = None,
             lot_id: int | None = None) -> str | None:
    to = Services(uow).suggest_putaway(wh.dock, qty, item_id, lot_id)
    return None if to is None else to.code


def test_same_item_with_room_comes_before_a_nearer_empty_location(uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.widget, 10, wh.a2, "ASN-1"))
    assert directed(uow, wh, 50, wh.widget) == "A-01-02-1"
    # BOLT has none stored: the nearest empty location, and A-01-02-1 is not empty.
    assert directed(uow, wh, 50, wh.heavy) == "A-01-01-1"


def test_capacity_counts_everything_on_hand(uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.widget, 900, wh.a2, "ASN-1"))
    post(uow, wh.operator, Receive(wh.heavy, 95, wh.a2, "ASN-2"))
    assert directed(uow, wh, 5, wh.widget) == "A-01-02-1"
    assert directed(uow, wh, 6, wh.widget) == "A-01-01-1"


def test_nothing_fits_gives_none(engine: Engine, uow: Uow, wh: Warehouse) -> None:
    for loc in (wh.a1, wh.a2, wh.pick):
        post(uow, wh.operator, Receive(wh.heavy, 1, loc, "ASN-1"))
    assert directed(uow, wh, 1, wh.widget) is None
    assert directed(uow, wh, 1) is None  # a mixed pallet only gets empty locations


def test_item_zone_is_respected_for_empty_locations(
    engine: Engine, uow: Uow, wh: Warehouse
) -> None:
    add_location(engine, "B-01-01-1", 5, "BULK")
    add_location(engine, "STAGE-1", 1, "RES", type="staging")
    set_item_zone(engine, wh.widget, "RES")
    assert directed(uow, wh, 10, wh.widget) == "A-01-01-1"
    set_item_zone(engine, wh.widget, "BULK")
    assert directed(uow, wh, 10, wh.widget) == "B-01-01-1"
    set_item_zone(engine, wh.widget, None)
    assert directed(uow, wh, 10, wh.widget) == "B-01-01-1"


def test_unlimited_capacity_and_inactive_locations(
    engine: Engine, uow: Uow, wh: Warehouse
) -> None:
    add_location(engine, "FLOOR-1", 40, "RES", capacity=None)
    with Session(engine) as s:
        s.execute(update(Location).where(col(Location.code) == "A-01-01-1")
                  .values(active=False))
        s.commit()
    assert directed(uow, wh, 10, wh.widget) == "A-01-02-1"
    assert directed(uow, wh, 5000, wh.widget) == "FLOOR-1"


def test_same_lot_preferred(uow: Uow, wh: Warehouse) -> None:
    op = wh.operator
    post(uow, op, Receive(wh.lotted, 5, wh.a1, "ASN-1", lot="L2", expiry=date(2031, 1, 1)))
    post(uow, op, Receive(wh.lotted, 5, wh.a2, "ASN-1", lot="L1", expiry=date(2030, 1, 1)))
    services = Services(uow)
    lot1 = services.lot_id(wh.lotted, "L1")
    assert directed(uow, wh, 5, wh.lotted, lot1) == "A-01-02-1"
    assert directed(uow, wh, 5, wh.lotted) == "A-01-01-1"


def test_putaway_lines_are_the_dock_stock_only(uow: Uow, wh: Warehouse) -> None:
    op = wh.operator
    post(uow, op, Receive(wh.widget, 7, wh.dock, "ASN-1"))
    post(uow, op, Receive(wh.widget, 24, wh.dock, "ASN-1", lpn="LPN-7"))
    post(uow, op, Receive(wh.widget, 3, wh.a1, "ASN-1"))
    services = Services(uow)
    assert sorted(ln.quantity for ln in services.putaway_lines(item_id=wh.widget)) == [7, 24]
    pallet = services.resolve("LPN-7").lpn
    assert pallet is not None
    [on_pallet] = services.putaway_lines(lpn_id=pallet.id)
    assert (on_pallet.quantity, on_pallet.lpn) == (24, "LPN-7")
    assert services.override_reasons() == ["BLOCKED", "FULL"]


def test_flow_puts_away_an_lpn_and_an_item_exactly(engine: Engine, uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.widget, 24, wh.dock, "ASN-1", lpn="LPN-1"))
    post(uow, wh.operator, Receive(wh.widget, 10, wh.dock, "ASN-1"))
    services = Services(uow)
    flow = PutawayFlow(wh.operator, services)
    step = flow.submit("LPN-1")
    assert {f.label: f.value for f in step.facts}["To"] == "A-01-01-1"
    assert flow.submit(location_check_digits("A-01-01-1")).tone is Tone.SUCCESS
    flow.submit("WIDGET")
    step = flow.submit("")
    # The LPN's 24 WIDGET now sit in A-01-01-1: same item with room.
    assert {f.label: f.value for f in step.facts}["To"] == "A-01-01-1"
    flow.submit("A-01-01-1")
    with uow() as u:
        assert ledger_mismatches(u) == []
        at_a1 = sum(ln.quantity for ln in u.inquiry.stock_lines(location_id=wh.a1))
    assert at_a1 == 34
    with Session(engine) as s:
        lpn_at = s.execute(
            select(col(Lpn.location_id)).where(col(Lpn.code) == "LPN-1")).scalar()
    assert lpn_at == wh.a1


def test_supervisor_override_records_the_reason(engine: Engine, uow: Uow, wh: Warehouse) -> None:
    post(uow, wh.operator, Receive(wh.widget, 24, wh.dock, "ASN-1", lpn="LPN-1"))
    post(uow, wh.operator, Receive(wh.heavy, 5, wh.dock, "ASN-1", lpn="LPN-1"))
    post(uow, wh.operator, Receive(wh.widget, 10, wh.dock, "ASN-1"))
    flow = PutawayFlow(wh.supervisor, Services(uow))
    flow.submit("LPN-1")
    assert flow.submit("P-01-01-1").name == "reason"
    assert flow.submit("2").message == "Put away to P-01-01-1"
    flow.submit("WIDGET")
    flow.submit("4")
    flow.submit("A-01-02-1")
    assert flow.submit("1").tone is Tone.SUCCESS
    with Session(engine) as s:
        moves = s.execute(select(Movement).where(col(Movement.kind) == "move")
                          .order_by(col(Movement.id))).scalars().all()
        lpn_at = s.execute(select(col(Lpn.location_id)).where(col(Lpn.code) == "LPN-1")).scalar()
    assert [(m.quantity, m.to_location_id, m.reason_code) for m in moves] == [
        (24, wh.pick, "FULL"), (5, wh.pick, "FULL"), (4, wh.a2, "BLOCKED")]
    assert lpn_at == wh.pick
    with uow() as u:
        assert ledger_mismatches(u) == []
