"""The main menu shows only what the role allows; a digit opens a flow at once."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.tui.helpers import Site, keys, login, run, screen_text
from wms_tui.domain.flows.move import MoveFlow
from wms_tui.domain.flows.registry import FlowSpec, default_flows
from wms_tui.domain.permissions import Action
from wms_tui.screens.menu import MenuScreen
from wms_tui.screens.step import FlowScreen


def flows_with_a_supervisor_entry() -> list[FlowSpec]:
    def build(actor: Any, services: Any, t: Any, state: Any) -> MoveFlow:
        return MoveFlow(actor, services, t=t, state=state)

    # Key 8 is the dashboard's in the shipped menu; this test puts a step flow there instead.
    shipped = [spec for spec in default_flows() if spec.key != "8"]
    return [*shipped, FlowSpec("8", "adjust", "Adjust", Action.ADJUST, build)]


def test_operator_does_not_see_supervisor_entries(site: Site) -> None:
    app = site.app(flows=flows_with_a_supervisor_entry())

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1")
        text = screen_text(app)
        assert "3 Move" in text and "0 Logout" in text and "Adjust" not in text
        await keys(pilot, "8")
        assert isinstance(app.screen, MenuScreen)
        assert "! No such choice" in screen_text(app) and app.bell_count == 1

    run(app, (20, 16), script)


def test_supervisor_sees_and_opens_supervisor_entries(site: Site) -> None:
    app = site.app(flows=flows_with_a_supervisor_entry())

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "SUP1")
        assert "8 Adjust" in screen_text(app)
        await keys(pilot, "8")
        assert isinstance(app.screen, FlowScreen)

    run(app, (40, 8), script)


def test_every_menu_title_fits_at_8_rows(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "ADM1")
        text = screen_text(app)
        assert text.startswith("Menu ADM1") and text.splitlines()[0].endswith("RF01")
        # The dashboard and supervisor's desk are 24x80 screens: a handheld's menu has none.
        steps = [spec for spec in app.flows if spec.factory is not None]
        for entry in [f"{spec.key} {spec.title}" for spec in steps] + ["0 Logout"]:
            assert entry in text
        assert "Dashboard" not in text and "Supervisor" not in text
        assert len(steps) >= 4  # enough entries to need two columns at 8 rows
        await keys(pilot, "9")
        assert "! Needs a 24x80 screen or larger" in screen_text(app)
    run(app, (40, 8), script)
