"""Small master-data builders for tests; they write tables directly, never post stock."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from wms_tui.db.tables import Item, ItemAlias, ItemUom, Location, User, Zone
from wms_tui.db.tables import Warehouse as WarehouseRow
from wms_tui.domain.checkdigits import location_check_digits
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.users import hash_pin

FAST_PIN_HASH = hash_pin("1234")


def saved_id(row_id: int | None) -> int:
    """The id of a row that has been flushed, so the database has given it one."""
    assert row_id is not None
    return row_id


@dataclass(frozen=True)
class Warehouse:
    """Ids of a tiny warehouse: a dock, two reserve bins, a pick face, three items, three users."""

    dock: int
    a1: int
    a2: int
    pick: int
    widget: int
    lotted: int
    heavy: int
    operator: Actor
    supervisor: Actor
    admin: Actor


def build_warehouse(engine: Engine) -> Warehouse:
    with Session(engine) as s:
        wh = WarehouseRow(code="WH1", name="Main")
        s.add(wh)
        s.flush()
        assert wh.id is not None
        zone = Zone(warehouse_id=wh.id, code="RES", name="Reserve")
        s.add(zone)
        s.flush()
        locs = {}
        for seq, (code, kind) in enumerate(
            [("DOCK-1", "dock"), ("A-01-01-1", "reserve"), ("A-01-02-1", "reserve"),
             ("P-01-01-1", "pick")]
        ):
            loc = Location(code=code, barcode=code, check_digits=location_check_digits(code),
                           type=kind, walk_seq=seq * 10, zone_id=zone.id, capacity=1000)
            s.add(loc)
            locs[code] = loc
        widget = Item(sku="WIDGET", description="Blue widget", base_uom="EA")
        lotted = Item(sku="MILK", description="Milk 1L", lot_tracked=True, expiry_tracked=True)
        heavy = Item(sku="BOLT", description="Bolt M8", base_uom="EA")
        s.add_all([widget, lotted, heavy])
        s.flush()
        widget_id, lotted_id, heavy_id = (saved_id(i.id) for i in (widget, lotted, heavy))
        s.add_all([
            ItemUom(item_id=widget_id, uom="EA", factor=1, gtin="09501101530003"),
            ItemUom(item_id=widget_id, uom="CS", factor=12, gtin="19501101530000"),
            ItemUom(item_id=lotted_id, uom="EA", factor=1, gtin="05901234123457"),
            ItemUom(item_id=heavy_id, uom="EA", factor=1),
            ItemUom(item_id=heavy_id, uom="BOX", factor=100),
            ItemAlias(item_id=widget_id, alias="SUP-W-1"),
        ])
        users = {}
        for login, role in (("OP1", "operator"), ("SUP1", "supervisor"), ("ADM1", "admin")):
            u = User(login=login, name=login.title(), role=role, pin_hash=FAST_PIN_HASH)
            s.add(u)
            users[login] = u
        s.commit()

        def actor(login: str) -> Actor:
            u = users[login]
            assert u.id is not None
            return Actor(u.id, u.login, Role(u.role), "T-TEST")

        ids = {k: saved_id(v.id) for k, v in locs.items()}
        return Warehouse(
            dock=ids["DOCK-1"], a1=ids["A-01-01-1"], a2=ids["A-01-02-1"], pick=ids["P-01-01-1"],
            widget=widget_id, lotted=lotted_id, heavy=heavy_id,
            operator=actor("OP1"), supervisor=actor("SUP1"), admin=actor("ADM1"),
        )
