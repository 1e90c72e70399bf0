"""Login: user ID then a masked PIN, refusals with the bell, lock-out, logout."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from textual.pilot import Pilot

from tests.tui.helpers import Site, enter, keys, login, run, screen_text, settle, type_raw
from wms_tui.app import RfApp
from wms_tui.domain.model import Actor
from wms_tui.screens.login import LoginScreen
from wms_tui.screens.menu import MenuScreen
from wms_tui.screens.step import FlowScreen


def test_wrong_pin_is_refused_with_the_bell_and_the_pin_never_shows(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        assert "User ID" in screen_text(app)
        await enter(pilot, "op1")
        assert "User: OP1" in screen_text(app)
        await type_raw(pilot, "9999")
        assert ">****_" in screen_text(app) and "9999" not in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        # The same answer as for an unknown user: a terminal cannot probe for user IDs.
        assert "! Wrong user ID or" in screen_text(app)
        assert app.bell_count == 1

    run(app, (20, 16), script)


def test_five_wrong_pins_lock_the_account(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for _ in range(5):
            await enter(pilot, "OP1")
            await enter(pilot, "0000")
        assert "Wrong user ID or PIN, or locked" in screen_text(app)
        await login(pilot, "OP1", "1234")
        assert isinstance(app.screen, LoginScreen)
        assert "Wrong user ID or PIN, or locked" in screen_text(app)
        assert app.bell_count == 6

    run(app, (40, 8), script)


def test_badge_scan_with_symbology_prefix_logs_in(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "]C0OP1", "1234")
        assert isinstance(app.screen, MenuScreen)
        assert app.screen.actor.login == "OP1"
        text = screen_text(app)
        assert text.splitlines()[0].endswith("RF01") and "Menu OP1" in text

    run(app, (20, 16), script)


def test_escape_at_pin_goes_back_to_user_id_and_f10_leaves_the_app(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await enter(pilot, "OP1")
        await keys(pilot, "escape")
        assert "User ID" in screen_text(app) and "OP1" not in screen_text(app)
        await keys(pilot, "f10")

    run(app, (20, 16), script)
    assert app.return_code == 0


def test_logout_from_the_menu_by_0_and_by_f10(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "0")
        assert isinstance(app.screen, LoginScreen)
        await login(pilot)
        assert isinstance(app.screen, MenuScreen)
        await keys(pilot, "f10")
        assert isinstance(app.screen, LoginScreen)

    run(app, (20, 16), script)


def test_a_menu_choice_keyed_while_the_pin_is_checked_is_not_lost(site: Site) -> None:
    checking = threading.Event()
    go_on = threading.Event()

    def slow_auth(login: str, pin: str, terminal: str) -> Actor:
        checking.set()
        go_on.wait(5)
        return site.auth(login, pin, terminal)

    app = RfApp(site.services, slow_auth, terminal_id="RF01")

    async def script(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await enter(pilot, "OP1")
        await type_raw(pilot, "1234")
        await pilot.press("enter")
        assert await asyncio.to_thread(checking.wait, 5)
        # The operator keys 3 (Move) before the menu is even on screen.
        await type_raw(pilot, "3")
        go_on.set()
        for _ in range(50):
            await settle(pilot)
            if isinstance(app.screen, FlowScreen):
                break
        assert isinstance(app.screen, FlowScreen)
        assert app.screen.flow.name == "move"

    run(app, (20, 16), script)
