"""The Inquiry flow driven through the RF app at 16x20, 8x40 and 24x80: item, location, paging."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.helpers import (
    EA_GTIN,
    SIZES,
    Site,
    enter,
    keys,
    login,
    run,
    screen_text,
    screen_words,
)
from wms_tui.db.uow import uow_factory
from wms_tui.domain.stock import Receive, post
from wms_tui.screens.step import FlowScreen

LOTS = [f"L{n}" for n in range(1, 11)]


def step_name(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen)
    return app.screen.step.name


async def open_inquiry(pilot: Pilot[Any]) -> None:
    await login(pilot)
    await keys(pilot, "4")


def ten_lots_in_a2(site: Site) -> None:
    """Ten milk lots in A-01-02-1: more stock lines than one 16x20 page (8) holds."""
    for n, lot in enumerate(LOTS, start=1):
        post(uow_factory(site.engine), site.wh.admin,
             Receive(site.wh.lotted, n, site.wh.a2, f"ASN-M{n}", lot=lot,
                     expiry=date(2030, 1, n)))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[1]}x{s[0]}")
def test_an_item_scan_shows_where_it_is(site: Site, size: tuple[int, int]) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_inquiry(pilot)
        assert step_name(app) == "scan"
        await enter(pilot, EA_GTIN)
        assert step_name(app) == "result"
        words = screen_words(app)
        assert "Item: WIDGET" in words and "A-01-01-1: 30 EA" in words
        assert app.bell_count == 0

    run(app, size, script)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[1]}x{s[0]}")
def test_a_location_scan_shows_its_contents(site: Site, size: tuple[int, int]) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_inquiry(pilot)
        await enter(pilot, "A-01-01-1")
        words = screen_words(app)
        assert "Loc: A-01-01-1" in words and "WIDGET: 30 EA" in words
        # A scan on the result starts a new inquiry at once; an unknown one is refused.
        await enter(pilot, "NOPE")
        assert "! Unknown NOPE: scan another" in screen_words(app) and app.bell_count == 1

    run(app, size, script)


def test_more_lines_than_fit_are_paged_at_16x20(site: Site) -> None:
    ten_lots_in_a2(site)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_inquiry(pilot)
        await enter(pilot, "A-01-02-1")
        words = screen_words(app)
        # 11 fact rows less 3 headings: each lot line takes two rows, its expiry on the second.
        assert "Page: 1/3" in words
        assert "MILK: 1 EA L1 2030-01-01" in words and "MILK: 4 EA L4 2030-01-04" in words
        assert "L5" not in words
        await enter(pilot, "")
        words = screen_words(app)
        assert "Page: 2/3" in words
        assert "MILK: 5 EA L5" in words and "MILK: 8 EA L8" in words and "L4 " not in words
        await enter(pilot, "")
        words = screen_words(app)
        assert "Page: 3/3" in words
        assert "MILK: 9 EA L9" in words and "MILK: 10 EA L10" in words and "L1 " not in words
        # Enter after the last page: a new inquiry.
        await enter(pilot, "")
        assert step_name(app) == "scan"
        assert app.bell_count == 0

    run(app, (20, 16), script)


def test_a_long_lot_and_its_expiry_are_never_cut_at_16x20(site: Site) -> None:
    """Lots of 20 characters, each with an expiry: at 20 columns a line takes three rows (sku
    and quantity, lot, expiry), a page holds whole lines and every line is shown once."""
    lots = [f"LOT-2035-0042-ABCD{n:02}" for n in range(1, 6)]
    for n, lot in enumerate(lots, start=1):
        post(uow_factory(site.engine), site.wh.admin,
             Receive(site.wh.lotted, n, site.wh.a2, f"ASN-L{n}", lot=lot,
                     expiry=date(2035, 6, 20 + n)))
    app = site.app()
    rows_shown: list[str] = []

    async def script(pilot: Pilot[Any]) -> None:
        await open_inquiry(pilot)
        await enter(pilot, "A-01-02-1")
        for page in (1, 2, 3):
            rows = screen_text(app).splitlines()
            assert f"Page: {page}/3" in rows
            assert not any("…" in row for row in rows), rows
            rows_shown.extend(rows)
            await enter(pilot, "")
        assert step_name(app) == "scan" and app.bell_count == 0

    run(app, (20, 16), script)
    for n, lot in enumerate(lots, start=1):
        at = rows_shown.index(f"MILK: {n} EA")
        assert rows_shown[at + 1:at + 3] == [lot, f"2035-06-{20 + n}"]
        assert rows_shown.count(lot) == 1
