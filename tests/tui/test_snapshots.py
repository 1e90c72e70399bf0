"""SVG snapshots of every RF screen at 16x20, 8x40 and 24x80, and ASCII mode at 16x20.

Update with `pytest tests/tui/test_snapshots.py --snapshot-update`, then look at the SVGs
(tests/tui/__snapshots__/) before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.helpers import EA_GTIN, SIZES, Site, enter, keys, login, settle

Steps = Callable[[Pilot[Any]], Awaitable[None]]
SIZE_IDS = [f"{rows}x{cols}" for cols, rows in SIZES]


async def at_login(pilot: Pilot[Any]) -> None:
    await settle(pilot)


async def at_pin_refused(pilot: Pilot[Any]) -> None:
    await login(pilot, "OP1", "9999")


async def at_menu(pilot: Pilot[Any]) -> None:
    await login(pilot, "SUP1")


async def at_move_start(pilot: Pilot[Any]) -> None:
    await login(pilot)
    await keys(pilot, "3")


async def at_move_quantity(pilot: Pilot[Any]) -> None:
    await at_move_start(pilot)
    await enter(pilot, "A-01-01-1")
    await enter(pilot, EA_GTIN)
    await pilot.press("1")


async def at_move_wrong_item(pilot: Pilot[Any]) -> None:
    await at_move_start(pilot)
    await enter(pilot, "A-01-01-1")
    await enter(pilot, "[b]NOT-AN-ITEM")


async def at_move_to(pilot: Pilot[Any]) -> None:
    await at_move_quantity(pilot)
    await keys(pilot, "enter")


async def at_move_done(pilot: Pilot[Any]) -> None:
    await at_move_to(pilot)
    await enter(pilot, "A-01-02-1")


async def at_move_help(pilot: Pilot[Any]) -> None:
    await at_move_start(pilot)
    await enter(pilot, "A-01-01-1")
    await keys(pilot, "f1")


async def at_move_confirm_back(pilot: Pilot[Any]) -> None:
    await at_move_start(pilot)
    await enter(pilot, "A-01-01-1")
    await keys(pilot, "escape")


def snapshot(snap_compare: Any, site: Site, size: tuple[int, int], steps: Steps,
             ascii_mode: bool = False) -> bool:
    app = site.app(ascii_mode=ascii_mode)
    return bool(snap_compare(app, terminal_size=size, run_before=steps))


class TestLogin:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_user_id(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        assert snapshot(snap_compare, site, size, at_login)

    def test_wrong_pin(self, snap_compare: Any, site: Site) -> None:
        assert snapshot(snap_compare, site, (20, 16), at_pin_refused)


class TestMenu:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_menu(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        assert snapshot(snap_compare, site, size, at_menu)


class TestMove:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_from(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        assert snapshot(snap_compare, site, size, at_move_start)

    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_quantity(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        assert snapshot(snap_compare, site, size, at_move_quantity)

    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_wrong_item(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        assert snapshot(snap_compare, site, size, at_move_wrong_item)

    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_done(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        assert snapshot(snap_compare, site, size, at_move_done)

    def test_help(self, snap_compare: Any, site: Site) -> None:
        assert snapshot(snap_compare, site, (20, 16), at_move_help)

    def test_confirm_back(self, snap_compare: Any, site: Site) -> None:
        assert snapshot(snap_compare, site, (20, 16), at_move_confirm_back)


class TestAsciiMode:
    @pytest.mark.parametrize("steps", [at_login, at_menu, at_move_quantity, at_move_wrong_item,
                                       at_move_done, at_move_help],
                             ids=["login", "menu", "quantity", "wrong_item", "done", "help"])
    def test_screen(self, snap_compare: Any, site: Site, steps: Steps) -> None:
        assert snapshot(snap_compare, site, (20, 16), steps, ascii_mode=True)


# Receive, putaway, inquiry, count and pick (English), one set in Chinese, ASCII receive.

RECEIVE_COLUMNS = ("reference", "line_no", "sku", "quantity", "uom")
PICK_COLUMNS = ("reference", "line_no", "sku", "quantity", "uom")


def seed_inbound(site: Site) -> None:
    from wms_tui.db.uow import uow_factory
    from wms_tui.domain.inbound import import_inbound_orders

    rows = [dict(zip(RECEIVE_COLUMNS, ("PO-7", "1", "WIDGET", "10", "EA"), strict=True))]
    assert import_inbound_orders(uow_factory(site.engine), rows).ok


def seed_dock(site: Site) -> None:
    from wms_tui.db.uow import uow_factory
    from wms_tui.domain.stock import Receive, post

    post(uow_factory(site.engine), site.wh.admin,
         Receive(site.wh.widget, 12, site.wh.dock, "ASN-2"))


def seed_count(site: Site) -> None:
    from wms_tui.db.uow import uow_factory
    from wms_tui.domain.counting import request_count

    request_count(uow_factory(site.engine), site.wh.supervisor, location="A-01-01-1")


def seed_wave(site: Site) -> None:
    """Ten widgets on the pick face, a tote, two orders released as one wave."""
    from sqlmodel import Session

    from wms_tui.db.tables import Location
    from wms_tui.db.uow import uow_factory
    from wms_tui.domain.checkdigits import location_check_digits
    from wms_tui.domain.outbound import import_outbound_orders, release_wave
    from wms_tui.domain.stock import Receive, post

    with Session(site.engine) as s:
        s.add(Location(code="TOTE-1", barcode="TOTE-1",
                       check_digits=location_check_digits("TOTE-1"), type="staging",
                       walk_seq=900))
        s.commit()
    post(uow_factory(site.engine), site.wh.admin,
         Receive(site.wh.widget, 10, site.wh.pick, "ASN-2"))
    rows = [dict(zip(PICK_COLUMNS, line, strict=True)) for line in (
        ("SO-1", "1", "WIDGET", "3", "EA"), ("SO-2", "1", "WIDGET", "4", "EA"))]
    assert import_outbound_orders(uow_factory(site.engine), rows).ok
    release_wave(uow_factory(site.engine), site.wh.supervisor)


async def at_receive_order(pilot: Pilot[Any]) -> None:
    await login(pilot)
    await keys(pilot, "1")


async def at_receive_quantity(pilot: Pilot[Any]) -> None:
    await at_receive_order(pilot)
    await enter(pilot, "PO-7")
    await enter(pilot, EA_GTIN)
    await pilot.press("4")


async def at_receive_done(pilot: Pilot[Any]) -> None:
    await at_receive_quantity(pilot)
    await keys(pilot, "enter")


async def at_receive_wrong_order(pilot: Pilot[Any]) -> None:
    await at_receive_order(pilot)
    await enter(pilot, "PO-99")


async def at_putaway_confirm(pilot: Pilot[Any]) -> None:
    await login(pilot)
    await keys(pilot, "2")
    await enter(pilot, EA_GTIN)
    await enter(pilot, "")


async def at_inquiry_result(pilot: Pilot[Any]) -> None:
    await login(pilot)
    await keys(pilot, "4")
    await enter(pilot, EA_GTIN)


async def at_count_item(pilot: Pilot[Any]) -> None:
    await login(pilot)
    await keys(pilot, "6")
    await enter(pilot, "")
    await enter(pilot, "A-01-01-1")


async def at_pick_loc(pilot: Pilot[Any]) -> None:
    await login(pilot)
    await keys(pilot, "5")
    await enter(pilot, "")


class TestReceive:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_order(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        seed_inbound(site)
        assert snapshot(snap_compare, site, size, at_receive_order)

    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_quantity(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        seed_inbound(site)
        assert snapshot(snap_compare, site, size, at_receive_quantity)

    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_done(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        seed_inbound(site)
        assert snapshot(snap_compare, site, size, at_receive_done)


class TestPutaway:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_confirm(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        seed_dock(site)
        assert snapshot(snap_compare, site, size, at_putaway_confirm)


class TestInquiry:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_result(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        assert snapshot(snap_compare, site, size, at_inquiry_result)


class TestCount:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_item(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        seed_count(site)
        assert snapshot(snap_compare, site, size, at_count_item)


class TestPick:
    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_loc(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        seed_wave(site)
        assert snapshot(snap_compare, site, size, at_pick_loc)


class TestChinese:
    """One set in Simplified Chinese, the language fixed as `--lang zh_CN` fixes it."""

    @staticmethod
    def chinese(snap_compare: Any, site: Site, size: tuple[int, int], steps: Steps) -> bool:
        from wms_tui.app import RfApp
        from wms_tui.i18n import translator

        app = RfApp(site.services, site.auth, terminal_id="RF01", language="zh_CN",
                    translator=translator)
        app.language_fixed = True
        return bool(snap_compare(app, terminal_size=size, run_before=steps))

    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_login(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        assert self.chinese(snap_compare, site, size, at_login)

    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_menu(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        assert self.chinese(snap_compare, site, size, at_menu)

    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_move_quantity(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        assert self.chinese(snap_compare, site, size, at_move_quantity)

    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_receive_quantity(self, snap_compare: Any, site: Site,
                              size: tuple[int, int]) -> None:
        seed_inbound(site)
        assert self.chinese(snap_compare, site, size, at_receive_quantity)

    @pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
    def test_error(self, snap_compare: Any, site: Site, size: tuple[int, int]) -> None:
        assert self.chinese(snap_compare, site, size, at_move_wrong_item)


class TestAsciiReceive:
    def test_quantity(self, snap_compare: Any, site: Site) -> None:
        seed_inbound(site)
        assert snapshot(snap_compare, site, (20, 16), at_receive_quantity, ascii_mode=True)

    def test_wrong_order(self, snap_compare: Any, site: Site) -> None:
        seed_inbound(site)
        assert snapshot(snap_compare, site, (20, 16), at_receive_wrong_order, ascii_mode=True)
