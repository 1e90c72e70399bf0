"""Serial capture in the RF Count flow at 16x20: after the quantity of a serial-tracked item the
counter scans each unit's serial (a GS1 (21) label too), a serial scanned twice or the item's
own barcode is refused with the bell, and the count, once posted, moves the books' serials to
what was found: a unit booked elsewhere is here, a unit not found is missing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session
from textual.pilot import Pilot

from tests.factories import saved_id
from tests.tui.helpers import Site, enter, keys, login, run, screen_words
from wms_tui.db.tables import Item, ItemUom
from wms_tui.db.uow import uow_factory
from wms_tui.domain.counting import request_count
from wms_tui.domain.stock import Receive, post
from wms_tui.screens.step import FlowScreen

PHONE_GTIN = "09501101530010"


def add_phones(site: Site) -> None:
    """PHONE, serial-tracked: SN-1..SN-3 at A-01-01-1, SN-9 on the pick face; a count of PHONE
    at each location that holds it."""
    with Session(site.engine) as s:
        phone = Item(sku="PHONE", description="Phone", base_uom="EA", serial_tracked=True)
        s.add(phone)
        s.flush()
        phone_id = saved_id(phone.id)
        s.add(ItemUom(item_id=phone_id, uom="EA", factor=1, gtin=PHONE_GTIN))
        s.commit()
    factory = uow_factory(site.engine)
    post(factory, site.wh.admin,
         Receive(phone_id, 3, site.wh.a1, "ASN-7", serials=("SN-1", "SN-2", "SN-3")))
    post(factory, site.wh.admin, Receive(phone_id, 1, site.wh.pick, "ASN-8", serials=("SN-9",)))
    report = request_count(factory, site.wh.supervisor, item="PHONE")
    assert len(report.created) == 2


def serial_rows(site: Site) -> list[tuple[str, str, str | None]]:
    with site.engine.connect() as conn:
        return [(r.serial, r.status, r.code) for r in conn.execute(text(
            "SELECT s.serial, s.status, l.code FROM serial s "
            "LEFT JOIN location l ON l.id = s.location_id ORDER BY s.serial"))]


def step_name(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen)
    return str(app.screen.step.name)


def test_a_count_of_serial_units_with_refusals_settles_the_serials(site: Site) -> None:
    add_phones(site)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "6")
        await enter(pilot, "A-01-01-1")
        assert step_name(app) == "item" and "Only: PHONE" in screen_words(app)
        await enter(pilot, PHONE_GTIN)
        await enter(pilot, "3")
        assert step_name(app) == "serial" and "Serial 1 of 3" in screen_words(app)
        await enter(pilot, "SN-1")
        assert "Serial 2 of 3" in screen_words(app) and "Serial: SN-1" in screen_words(app)
        await enter(pilot, "SN-1")
        assert "! SN-1 scanned twice: scan next" in screen_words(app)
        assert app.bell_count == 1
        await enter(pilot, PHONE_GTIN)
        assert "! That is the item: scan serial" in screen_words(app)
        assert app.bell_count == 2 and "Serial 2 of 3" in screen_words(app)
        # The unit the books have on the pick face, by its GS1 label.
        await enter(pilot, f"]C101{PHONE_GTIN}21SN-9")
        assert "Serial 3 of 3" in screen_words(app)
        # Nothing is settled before the count is sent.
        assert ("SN-2", "in_stock", "A-01-01-1") in serial_rows(site)
        # The last serial of a one-item task completes the count: it is sent at once.
        await enter(pilot, "SN-3")
        assert step_name(app) == "task" and "* Count posted" in screen_words(app)
        assert app.bell_count == 2

    run(app, (20, 16), script)
    assert serial_rows(site) == [("SN-1", "in_stock", "A-01-01-1"), ("SN-2", "missing", None),
                                 ("SN-3", "in_stock", "A-01-01-1"),
                                 ("SN-9", "in_stock", "A-01-01-1")]
    assert site.ledger_exact()
