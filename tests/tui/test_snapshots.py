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
