"""What each flow's walk in tests/tui/flow_walks.py needs on top of the small test warehouse.

The site (tests/tui/helpers.Site) starts with 30 WIDGET in A-01-01-1; MILK is lot- and
expiry-tracked, PHONE (added here) serial-tracked. Expiry dates are fixed, far from today.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from tests.factories import saved_id
from tests.tui.helpers import Site
from tests.unit.flows.pack_site import pack_backend, pick_into_tote
from wms_tui.db.tables import Item, ItemUom, Location, Lot
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.checkdigits import location_check_digits
from wms_tui.domain.counting import (
    CountPolicy,
    CountTrigger,
    create_count_task,
    request_count,
    submit_count,
)
from wms_tui.domain.inbound import import_inbound_orders
from wms_tui.domain.model import StockStatus
from wms_tui.domain.outbound import import_outbound_orders, release_wave
from wms_tui.domain.outbound.replenishment import replenish_face
from wms_tui.domain.stock import Receive, new_confirmation_key, post

MILK_GTIN = "05901234123457"
PHONE_GTIN = "09501101530010"
# The day waves are released and replenishments planned on; nothing on screen shows it.
SEED_DAY = date(2026, 3, 2)
EXPIRY_L1 = date(2035, 6, 30)
EXPIRY_L2 = date(2035, 9, 30)
COLUMNS = ("reference", "line_no", "sku", "quantity", "uom")
# A pallet's SSCC (GS1 check digit included), the LPN's code: 18 digits shown whole.
PALLET_SSCC = "095011010000000124"


def add_location(site: Site, code: str, kind: str, walk_seq: int) -> int:
    with Session(site.engine) as s:
        loc = Location(code=code, barcode=code, check_digits=location_check_digits(code),
                       type=kind, walk_seq=walk_seq, capacity=1000)
        s.add(loc)
        s.commit()
        return saved_id(loc.id)


def add_phone(site: Site) -> int:
    """PHONE: serial-tracked, in eaches."""
    with Session(site.engine) as s:
        phone = Item(sku="PHONE", description="Phone 5G, black", base_uom="EA",
                     serial_tracked=True)
        s.add(phone)
        s.flush()
        phone_id = saved_id(phone.id)
        s.add(ItemUom(item_id=phone_id, uom="EA", factor=1, gtin=PHONE_GTIN))
        s.commit()
    return phone_id


def receive(site: Site, item_id: int, qty: int, location_id: int, **extra: Any) -> None:
    post(uow_factory(site.engine), site.wh.admin,
         Receive(item_id, qty, location_id, "ASN-S", **extra))


def milk(site: Site, qty: int, location_id: int, lot: str = "L1",
         expiry: date = EXPIRY_L1, **extra: Any) -> None:
    receive(site, site.wh.lotted, qty, location_id, lot=lot, expiry=expiry, **extra)


def lot_id(site: Site, code: str) -> int:
    with Session(site.engine) as s:
        return saved_id(s.execute(select(Lot).where(col(Lot.code) == code)).scalar_one().id)


def seed_receive(site: Site) -> None:
    """PO-7 expects 10 WIDGET, 24 MILK and 2 PHONE."""
    add_phone(site)
    rows = [dict(zip(COLUMNS, line, strict=True)) for line in (
        ("PO-7", "1", "WIDGET", "10", "EA"), ("PO-7", "2", "MILK", "24", "EA"),
        ("PO-7", "3", "PHONE", "2", "EA"))]
    report = import_inbound_orders(uow_factory(site.engine), rows)
    assert report.ok, report.errors


def seed_putaway(site: Site) -> None:
    """WIDGET on two docks (12 on DOCK-1, 5 on DOCK-2) and a pallet of 6 on DOCK-1; two lots
    of MILK on DOCK-1."""
    dock2 = add_location(site, "DOCK-2", "dock", 5)
    receive(site, site.wh.widget, 12, site.wh.dock)
    receive(site, site.wh.widget, 6, site.wh.dock, lpn=PALLET_SSCC)
    receive(site, site.wh.widget, 5, dock2)
    milk(site, 4, site.wh.dock)
    milk(site, 3, site.wh.dock, lot="L2", expiry=EXPIRY_L2)


def seed_move(site: Site) -> None:
    milk(site, 6, site.wh.a1)


def seed_inquiry(site: Site) -> None:
    """WIDGET in three places, MILK by lot in A-01-01-1, so the item's pages run over."""
    receive(site, site.wh.widget, 10, site.wh.a2)
    receive(site, site.wh.widget, 8, site.wh.pick)
    receive(site, site.wh.widget, 12, site.wh.dock, lpn=PALLET_SSCC)
    milk(site, 6, site.wh.a1)
    milk(site, 3, site.wh.a1, lot="L2", expiry=EXPIRY_L2)


def seed_pick(site: Site) -> None:
    """SO-1 for 4 WIDGET, 6 MILK and 2 PHONE, each from its own pick face, as one wave."""
    add_location(site, "TOTE-1", "staging", 900)
    milk_face = add_location(site, "P-01-02-1", "pick", 40)
    phone_face = add_location(site, "P-01-03-1", "pick", 50)
    phone = add_phone(site)
    receive(site, site.wh.widget, 10, site.wh.pick)
    milk(site, 6, milk_face)
    receive(site, phone, 2, phone_face, serials=("SN-1", "SN-2"))
    rows = [dict(zip(COLUMNS, line, strict=True)) for line in (
        ("SO-1", "1", "WIDGET", "4", "EA"), ("SO-1", "2", "MILK", "6", "EA"),
        ("SO-1", "3", "PHONE", "2", "EA"))]
    factory = uow_factory(site.engine)
    assert import_outbound_orders(factory, rows).ok
    release_wave(factory, site.wh.supervisor, today=SEED_DAY)


def seed_count(site: Site) -> None:
    """A count of A-01-01-1, which holds WIDGET, a lot of MILK and a PHONE."""
    phone = add_phone(site)
    milk(site, 6, site.wh.a1)
    receive(site, phone, 1, site.wh.a1, serials=("SN-1",))
    request_count(uow_factory(site.engine), site.wh.supervisor, location="A-01-01-1")


def seed_replenish(site: Site) -> None:
    """MILK's pick face P-01-01-1 is empty; its lot L1 waits in A-01-02-1 (min 10, max 40)."""
    with Session(site.engine) as s:
        s.execute(update(Item).where(Item.id == site.wh.lotted)  # type: ignore[arg-type]
                  .values(min_qty=10, max_qty=40))
        s.commit()
    milk(site, 20, site.wh.a2)
    with SqlUnitOfWork(site.engine) as uow:
        face = uow.catalog.location(site.wh.pick)
        assert replenish_face(uow, site.wh.lotted, face, SEED_DAY)
        uow.commit()


def seed_qc(site: Site) -> None:
    """12 WIDGET and 4 MILK of lot L1 on QC hold in A-01-01-1."""
    receive(site, site.wh.widget, 12, site.wh.a1, status=StockStatus.QC_HOLD)
    milk(site, 4, site.wh.a1, status=StockStatus.QC_HOLD)


def seed_approve(site: Site) -> None:
    """Two counts waiting: A-01-01-1 (WIDGET and MILK) and A-01-02-1 (WIDGET), by OP1."""
    milk(site, 6, site.wh.a1)
    receive(site, site.wh.widget, 10, site.wh.a2)
    with Session(site.engine) as s:
        s.execute(update(Item).where(Item.id == site.wh.widget)  # type: ignore[arg-type]
                  .values(unit_cost=Decimal("4.5")))
        s.commit()
    milk_lot = lot_id(site, "L1")
    waiting(site, site.wh.a1, [(site.wh.widget, None, 27), (site.wh.lotted, milk_lot, 5)])
    waiting(site, site.wh.a2, [(site.wh.widget, None, 12)])


def waiting(site: Site, location_id: int, lines: list[tuple[int, int | None, int]]) -> None:
    """A count keyed twice by the same operator, so it waits for a supervisor."""
    factory = uow_factory(site.engine)
    with factory() as uow:
        task = create_count_task(uow, location_id, CountTrigger.SUPERVISOR)
        uow.commit()
    assert task is not None
    for _ in range(2):
        submit_count(factory, site.wh.operator, task, lines, new_confirmation_key(),
                     policy=CountPolicy(recount_by_other_operator=False))


def seed_pack(site: Site) -> Any:
    """SO-1 picked into TOTE-1 (12 WIDGET, 4 BOLT); a pack station with no scale."""
    return pack_backend(pick_into_tote(site.engine, site.wh, receive_widgets=False))
