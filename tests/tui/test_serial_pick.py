"""Serial capture in the RF Pick flow at 16x20: a wave line of a serial-tracked item asks one
serial per unit after the quantity, a GS1 (21) label fills one, a serial not at the location or
scanned twice is refused with the bell, and the serials move with the pick into the tote."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session
from textual.pilot import Pilot

from tests.factories import saved_id
from tests.tui.helpers import Site, enter, keys, login, run, screen_words
from tests.tui.test_pick import pick_spec, step_name
from wms_tui.db.tables import Item, ItemUom, Location
from wms_tui.db.uow import uow_factory
from wms_tui.domain.checkdigits import location_check_digits
from wms_tui.domain.outbound import OutboundStatus, import_outbound_orders, release_wave
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.stock import Receive, post

PHONE_GTIN = "09501101530010"
SMALL = (20, 16)


def add_phones(site: Site) -> int:
    """PHONE, serial-tracked: SN-1..SN-3 on the pick face, SN-9 in reserve, a tote, and order
    SO-7 for 2 of it released as a wave."""
    with Session(site.engine) as s:
        phone = Item(sku="PHONE", description="Phone", base_uom="EA", serial_tracked=True)
        s.add(phone)
        s.flush()
        phone_id = saved_id(phone.id)
        s.add(ItemUom(item_id=phone_id, uom="EA", factor=1, gtin=PHONE_GTIN))
        s.add(Location(code="TOTE-1", barcode="TOTE-1", type="staging", walk_seq=900,
                       check_digits=location_check_digits("TOTE-1")))
        s.commit()
    factory = uow_factory(site.engine)
    post(factory, site.wh.admin,
         Receive(phone_id, 3, site.wh.pick, "ASN-7", serials=("SN-1", "SN-2", "SN-3")))
    post(factory, site.wh.admin, Receive(phone_id, 1, site.wh.a1, "ASN-8", serials=("SN-9",)))
    row = {"reference": "SO-7", "line_no": "1", "sku": "PHONE", "quantity": "2", "uom": "EA"}
    report = import_outbound_orders(factory, [row])
    assert report.ok, report.errors
    release_wave(factory, site.wh.supervisor)
    return phone_id


def serial_rows(site: Site) -> list[tuple[str, str, str]]:
    """(serial, status, location) of every stored serial, by serial."""
    with site.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT s.serial, s.status, l.code FROM serial s "
            "JOIN location l ON l.id = s.location_id ORDER BY s.serial"))]


def picks_of(site: Site, item_id: int) -> int:
    with site.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM movement WHERE kind = 'pick' AND item_id = :item"),
            {"item": item_id}).scalar_one())


def order_status(site: Site, ref: str) -> OutboundStatus:
    with uow_factory(site.engine)() as uow:
        order = uow.outbound.order_by_reference(ref)
        assert order is not None
        return order.status


def test_a_wave_line_of_two_serial_units_picked_with_a_gs1_label_and_refusals(
    site: Site,
) -> None:
    phone = add_phones(site)
    app = site.app(flows=[pick_spec()], services=RfBackend(uow_factory(site.engine)))

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        await enter(pilot, "")
        assert step_name(app) == "loc" and "P-01-01-1" in screen_words(app)
        for scan in ("P-01-01-1", PHONE_GTIN, ""):
            await enter(pilot, scan)
        assert step_name(app) == "serial" and "Serial 1 of 2" in screen_words(app)
        # In stock, but in reserve: not where this pick is taken from.
        await enter(pilot, "SN-9")
        assert "! SN-9 not here: scan next" in screen_words(app)
        assert app.bell_count == 1 and "Serial 1 of 2" in screen_words(app)
        await enter(pilot, "SN-2")
        assert "Serial 2 of 2" in screen_words(app) and app.bell_count == 1
        await enter(pilot, "SN-2")
        assert "! SN-2 scanned twice: scan next" in screen_words(app)
        assert app.bell_count == 2 and "Serial 2 of 2" in screen_words(app)
        # A GS1 label: the item's GTIN (01) and the unit's serial (21).
        await enter(pilot, f"]C101{PHONE_GTIN}21SN-3")
        assert step_name(app) == "drop" and app.bell_count == 2
        assert picks_of(site, phone) == 0
        await enter(pilot, "TOTE-1")
        assert step_name(app) == "start"
        assert "Picked 2 EA" in screen_words(app)

    run(app, SMALL, script)
    assert serial_rows(site) == [("SN-1", "in_stock", "P-01-01-1"),
                                 ("SN-2", "in_stock", "TOTE-1"),
                                 ("SN-3", "in_stock", "TOTE-1"),
                                 ("SN-9", "in_stock", "A-01-01-1")]
    assert picks_of(site, phone) == 1
    assert order_status(site, "SO-7") is OutboundStatus.PICKED
    assert site.ledger_exact()


def test_a_short_pick_of_serial_units_asks_the_serials_of_what_was_taken(site: Site) -> None:
    phone = add_phones(site)
    app = site.app(flows=[pick_spec()], services=RfBackend(uow_factory(site.engine)))

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        for scan in ("", "P-01-01-1", PHONE_GTIN, "1"):
            await enter(pilot, scan)
        assert step_name(app) == "reason"
        await enter(pilot, "1")
        await enter(pilot, "1")
        assert step_name(app) == "serial" and "Serial 1 of 1" in screen_words(app)
        await enter(pilot, "SN-9")
        assert "! SN-9 not here: scan next" in screen_words(app)
        # Back goes to the short's question, and the serials are asked again after it.
        await keys(pilot, "f3", "1", "enter")
        assert step_name(app) == "confirm"
        await enter(pilot, "1")
        assert step_name(app) == "serial" and "Serial 1 of 1" in screen_words(app)
        await enter(pilot, "SN-3")
        assert step_name(app) == "drop" and picks_of(site, phone) == 0
        await enter(pilot, "TOTE-1")
        assert picks_of(site, phone) == 1

    run(app, SMALL, script)
    assert serial_rows(site) == [("SN-1", "in_stock", "P-01-01-1"),
                                 ("SN-2", "in_stock", "P-01-01-1"),
                                 ("SN-3", "in_stock", "TOTE-1"),
                                 ("SN-9", "in_stock", "A-01-01-1")]
    assert site.ledger_exact()
