"""The supervisor dashboard in the RF app: opened from the menu, tiles, bars, exceptions,
refreshed by its timer and by U, and SVG snapshots at 24x80 and 40x120 (plus ASCII 24x80).

Update the snapshots with `pytest tests/tui/test_dashboard.py --snapshot-update`, then look at
the SVGs (tests/tui/__snapshots__/test_dashboard/) before committing them.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from tests.cli.test_cli_reports import post_at
from tests.dashboard_history import NOW, at, post_busy_fortnight, post_history
from tests.factories import build_warehouse
from tests.tui.helpers import Site, keys, login, run, screen_text, settle
from wms_tui.db.uow import uow_factory
from wms_tui.domain.dashboard import Dashboard
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.stock import Pick
from wms_tui.screens.dashboard import DailyBars, DashboardScreen
from wms_tui.screens.menu import MenuScreen


class FixedClockBackend(RfBackend):
    """The app's backend with the clock at NOW, counting its dashboard reads."""

    def __init__(self, engine: Engine, fail_after: int | None = None) -> None:
        super().__init__(uow_factory(engine), uow_factory(engine, readonly=True))
        self.reads = 0
        self.fail_after = fail_after

    def now(self) -> datetime:
        return NOW

    def dashboard(self, now: datetime | None = None, days: int = 14) -> Dashboard:
        self.reads += 1
        if self.fail_after is not None and self.reads > self.fail_after:
            raise RuntimeError("the database went away")
        return super().dashboard(now, days)


def desk_site(engine: Engine, busy: bool = False, fail_after: int | None = None) -> Site:
    wh = build_warehouse(engine)
    (post_busy_fortnight if busy else post_history)(engine, wh)
    return Site(engine, wh, FixedClockBackend(engine, fail_after))


def backend(site: Site) -> FixedClockBackend:
    """A desk site's backend, which counts its reads."""
    assert isinstance(site.services, FixedClockBackend)
    return site.services


def tile(text: str, label: str) -> tuple[str, str]:
    """The value and note under a tile's label (tiles are 20 columns wide at 80)."""
    lines = text.splitlines()
    row = next(n for n, line in enumerate(lines) if label in line)
    column = lines[row].index(label)
    value, note = (lines[row + k][column:column + 19].strip() for k in (1, 2))
    return value, note


async def open_dashboard(pilot: Pilot[Any]) -> None:
    await login(pilot, "SUP1")
    await keys(pilot, "8")
    await settle(pilot)


def test_a_supervisor_opens_it_from_the_menu(sqlite_engine: Engine) -> None:
    site = desk_site(sqlite_engine)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "SUP1")
        assert "8 Dashboard" in screen_text(app)
        await keys(pilot, "8")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        text = screen_text(app)
        assert text.startswith("Dashboard SUP1")
        # The hand-computed figures of tests/unit/test_dashboard.py.
        assert tile(text, "Picked today") == ("5", "lines")
        assert tile(text, "Picks/hour today") == ("15.0", "14 days: 12.5")
        assert tile(text, "Open pick tasks") == ("2", "")
        assert tile(text, "Open counts") == ("2", "1 to approve")
        assert tile(text, "Count accuracy") == ("75.0%", "14 days, 4 lines")
        assert tile(text, "Open exceptions") == ("2", "")
        assert tile(text, "Dock to stock") == ("1.8 h median", "1 still on dock")
        assert tile(text, "Low stock faces") == ("2", "below minimum")
        assert "Picks/hour, 14 days: today 15.0, high 15.0" in text
        assert "Count accuracy, 14 days: today 100.0%, low 50.0%" in text
        assert "Open exceptions: 2" in text
        assert "Override PUT-4 5 WIDGET A-01-02-1 FULL OP1" in text
        assert "Count to approve COUNT-2 A-01-02-1" in text
        assert "As of 2026-11-14 12:00 UTC" in text
        await keys(pilot, "escape")
        assert isinstance(app.screen, MenuScreen)

    run(app, (80, 24), script)


def test_an_operator_has_no_dashboard(sqlite_engine: Engine) -> None:
    site = desk_site(sqlite_engine)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1")
        assert "Dashboard" not in screen_text(app)
        await keys(pilot, "8")
        assert isinstance(app.screen, MenuScreen) and "! No such choice" in screen_text(app)

    run(app, (80, 24), script)


def test_bars_show_each_day_and_mark_days_without_figures(sqlite_engine: Engine) -> None:
    site = desk_site(sqlite_engine)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_dashboard(pilot)
        lines = screen_text(app).splitlines()
        start = lines.index("Picks/hour, 14 days: today 15.0, high 15.0")
        top, bottom, axis = lines[start + 1:start + 4]
        # 5 columns a day; 13 Nov's 2 timed lines are too few for a rate, so no bar.
        assert axis.split() == [str(d) for d in range(1, 15)]
        assert bottom == "···· " * 13 + "████"
        assert top == " " * 65 + "████"
        start = lines.index("Count accuracy, 14 days: today 100.0%, low 50.0%")
        top, bottom = lines[start + 1:start + 3]
        assert bottom.split() == ["····"] * 9 + ["████", "····", "████", "····", "████"]
        assert top.split() == ["████", "████"]

    run(app, (80, 24), script)


def test_the_timer_refreshes_it(sqlite_engine: Engine) -> None:
    site = desk_site(sqlite_engine)
    services = backend(site)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "SUP1")
        assert isinstance(app.screen, MenuScreen)
        app.push_screen(DashboardScreen(app.screen.actor, refresh_seconds=0.2))
        await settle(pilot)
        assert tile(screen_text(app), "Picked today") == ("5", "lines")
        reads = services.reads
        post_at(site.engine, at(14, 11, 30), site.wh.operator,
                Pick(site.wh.widget, 1, site.wh.a1, "SO-17"))
        await pilot.pause(0.5)
        await settle(pilot)
        assert services.reads > reads
        assert tile(screen_text(app), "Picked today") == ("6", "lines")
        # Gone from the screen, it reads no more.
        await keys(pilot, "escape")
        reads = services.reads
        await pilot.pause(0.5)
        assert services.reads == reads

    run(app, (80, 24), script)


def test_u_refreshes_at_once(sqlite_engine: Engine) -> None:
    site = desk_site(sqlite_engine)
    services = backend(site)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_dashboard(pilot)
        assert services.reads == 1
        post_at(site.engine, at(14, 11, 30), site.wh.supervisor,
                Pick(site.wh.widget, 2, site.wh.a1, "SO-17"))
        await keys(pilot, "u")
        await settle(pilot)
        assert services.reads == 2
        assert tile(screen_text(app), "Picked today") == ("6", "lines")

    run(app, (80, 24), script)


def test_a_failed_read_says_so_and_keeps_the_figures(sqlite_engine: Engine) -> None:
    site = desk_site(sqlite_engine, fail_after=1)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_dashboard(pilot)
        await keys(pilot, "u")
        await settle(pilot)
        text = screen_text(app)
        assert "! System error - try again" in text and app.bell_count == 1
        assert tile(text, "Picked today") == ("5", "lines")

    run(app, (80, 24), script)


def test_a_handheld_is_told_it_needs_a_bigger_screen(sqlite_engine: Engine) -> None:
    site = desk_site(sqlite_engine)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_dashboard(pilot)
        text = screen_text(app)
        assert "Needs a 24x80" in text
        assert "Picked today" not in text and "Override" not in text
        await keys(pilot, "f3")
        assert isinstance(app.screen, MenuScreen)

    run(app, (20, 16), script)


class TestDashboardSnapshots:
    """A busier fortnight, the clock fixed at NOW; the 30 s timer never fires in a snapshot."""

    @pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["24x80", "40x120"])
    def test_dashboard(self, snap_compare: Any, sqlite_engine: Engine,
                       size: tuple[int, int]) -> None:
        app = desk_site(sqlite_engine, busy=True).app()
        assert snap_compare(app, terminal_size=size, run_before=open_dashboard)

    def test_ascii(self, snap_compare: Any, sqlite_engine: Engine) -> None:
        app = desk_site(sqlite_engine, busy=True).app(ascii_mode=True)
        assert snap_compare(app, terminal_size=(80, 24), run_before=open_dashboard)


class ZeroDay(App[None]):
    def compose(self) -> ComposeResult:
        yield DailyBars(id="bars")


def test_a_zero_day_is_drawn_and_told_apart_from_a_day_without_figures() -> None:
    async def main() -> None:
        app = ZeroDay()
        async with app.run_test(size=(15, 3)) as pilot:
            bars = app.query_one(DailyBars)
            bars.styles.height = 3
            bars.show([date(2026, 11, d) for d in (1, 2, 3)], (0.0, None, 1.0), top=1.0)
            await pilot.pause()
            top, bottom, axis = [str(line).rstrip() for line in bars.render().plain.split("\n")]
            assert bottom.split() == ["0000", "····", "████"]
            assert top.split() == ["████"]
            assert axis.split() == ["1", "2", "3"]

    asyncio.run(main())
