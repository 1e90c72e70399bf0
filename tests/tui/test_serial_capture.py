"""Serial capture in the RF Receive flow at 16x20: one serial per unit, a GS1 (21) label fills
one, a serial twice or already in stock is refused with the bell, and the serials post with the
receipt; the inquiry finds a serial's location and history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session
from textual.pilot import Pilot

from tests.factories import saved_id
from tests.tui.helpers import Site, burst, enter, keys, login, run, screen_words
from wms_tui.db.tables import Item, ItemUom
from wms_tui.db.uow import uow_factory
from wms_tui.domain.inbound import import_inbound_orders
from wms_tui.domain.stock import Receive, post
from wms_tui.screens.step import FlowScreen

PHONE_GTIN = "09501101530010"
SMALL = (20, 16)


def add_phone(site: Site, quantity: int) -> int:
    """PHONE, serial-tracked, and order PO-9 expecting quantity of it."""
    with Session(site.engine) as s:
        phone = Item(sku="PHONE", description="Phone", base_uom="EA", serial_tracked=True)
        s.add(phone)
        s.flush()
        phone_id = saved_id(phone.id)
        s.add(ItemUom(item_id=phone_id, uom="EA", factor=1, gtin=PHONE_GTIN))
        s.commit()
    row = {"reference": "PO-9", "line_no": "1", "sku": "PHONE", "quantity": str(quantity),
           "uom": "EA"}
    report = import_inbound_orders(uow_factory(site.engine), [row])
    assert report.ok, report.errors
    return phone_id


def step_name(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen)
    return app.screen.step.name


def serial_rows(site: Site) -> list[tuple[str, str, str]]:
    """(serial, status, location) of every stored serial, by serial."""
    with site.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT s.serial, s.status, l.code FROM serial s "
            "JOIN location l ON l.id = s.location_id ORDER BY s.serial"))]


def receipts_of(site: Site, item_id: int) -> int:
    with site.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM movement WHERE kind = 'receive' AND item_id = :item"),
            {"item": item_id}).scalar_one())


async def to_serial_step(pilot: Pilot[Any], quantity: str) -> None:
    await login(pilot)
    await keys(pilot, "1")
    await enter(pilot, "PO-9")
    await enter(pilot, PHONE_GTIN)
    await enter(pilot, quantity)


def test_receive_three_serial_units_with_a_gs1_label_and_a_duplicate_refused(
    site: Site,
) -> None:
    phone = add_phone(site, 5)
    post(uow_factory(site.engine), site.wh.admin,
         Receive(phone, 1, site.wh.a1, "ASN-0", serials=("SN-900",)))
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await to_serial_step(pilot, "3")
        assert step_name(app) == "serial" and "Serial 1 of 3" in screen_words(app)
        await enter(pilot, "SN-100")
        assert "Serial 2 of 3" in screen_words(app) and app.bell_count == 0
        await enter(pilot, "SN-100")
        assert "! SN-100 scanned twice: scan next" in screen_words(app)
        assert app.bell_count == 1 and "Serial 2 of 3" in screen_words(app)
        await enter(pilot, "SN-900")
        assert "! SN-900 in stock: scan next" in screen_words(app)
        assert app.bell_count == 2
        # A GS1 label: the item's GTIN (01) and the unit's serial (21).
        await enter(pilot, f"]C101{PHONE_GTIN}21SN-200")
        assert "Serial 3 of 3" in screen_words(app) and app.bell_count == 2
        assert receipts_of(site, phone) == 1
        await enter(pilot, "SN-300")
        assert step_name(app) == "item"
        assert "* Rcvd 3 EA PHONE" in screen_words(app)

    run(app, SMALL, script)
    assert serial_rows(site) == [("SN-100", "in_stock", "DOCK-1"), ("SN-200", "in_stock", "DOCK-1"),
                                 ("SN-300", "in_stock", "DOCK-1"),
                                 ("SN-900", "in_stock", "A-01-01-1")]
    assert receipts_of(site, phone) == 2
    assert site.ledger_exact()


def test_a_burst_of_one_serial_scan_twice_posts_one_serial_once(site: Site) -> None:
    """Quantity 1: the serial scan is the confirmation, and a double read posts nothing more."""
    phone = add_phone(site, 5)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await to_serial_step(pilot, "1")
        assert "Serial 1 of 1" in screen_words(app)
        await burst(pilot, "SN-500\rSN-500\r")
        assert step_name(app) == "item"
        assert "Rcvd 1 EA PHONE" in screen_words(app) or "Scan an item, not" in screen_words(app)

    run(app, SMALL, script)
    assert serial_rows(site) == [("SN-500", "in_stock", "DOCK-1")]
    assert receipts_of(site, phone) == 1


def test_inquiry_finds_a_serial_where_it_is_and_what_carried_it(site: Site) -> None:
    phone = add_phone(site, 5)
    post(uow_factory(site.engine), site.wh.admin,
         Receive(phone, 1, site.wh.a1, "ASN-0", serials=("SN-777",)))
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        inquiry = next(spec.key for spec in app.flows if spec.name == "inquiry")
        await keys(pilot, inquiry)
        await enter(pilot, "SN-777")
        words = screen_words(app)
        assert "Serial: SN-777" in words and "Item: PHONE" in words
        assert "At: A-01-01-1" in words and "Rcvd:" in words and "A-01-01-1" in words
        assert app.bell_count == 0

    run(app, SMALL, script)
