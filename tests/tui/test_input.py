"""Scanned input is data: GS kept, markup and escape sequences inert, control characters dropped."""

from __future__ import annotations

import enum
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from tests.tui.helpers import (
    EA_GTIN,
    Site,
    enter,
    keys,
    login,
    run,
    screen_text,
    screen_words,
    settle,
    type_raw,
)
from wms_tui.domain.flows.base import Fact, Flow, FlowState, Step
from wms_tui.domain.flows.registry import FlowSpec
from wms_tui.screens.step import FlowScreen
from wms_tui.screens.widgets import MAX_INPUT, ScanInput

GS1_WITH_GS = "0109501101530003\x1d10LOT1\x1d3710"


class EchoStep(enum.StrEnum):
    SCAN = "scan"


class EchoState(FlowState, total=False):
    got: str


class EchoFlow(Flow[EchoState, EchoStep]):
    """Keeps exactly what the screen submitted, to see what reaches a flow."""

    name = "echo"

    def first_step(self) -> EchoStep:
        return EchoStep.SCAN

    def render(self) -> Step:
        got = self.state.get("got")
        facts = (Fact("Got", got),) if got is not None else ()
        return Step(self.name, "scan", "Echo", "Scan anything", facts=facts)

    def on_input(self, text: str) -> None:
        self.state["got"] = text


def echo_flows() -> list[FlowSpec]:
    def build(actor: Any, services: Any, t: Any, state: Any) -> EchoFlow:
        return EchoFlow(actor, services, t=t, state=state)

    return [FlowSpec("1", "echo", "Echo", None, build)]


def submitted(app: Any) -> Any:
    assert isinstance(app.screen, FlowScreen)
    return app.screen.flow.state.get("got")


def test_gs_typed_or_scanned_is_kept_and_shown_as_a_marker(site: Site) -> None:
    app = site.app(flows=echo_flows())

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        await enter(pilot, GS1_WITH_GS)
        assert submitted(app) == GS1_WITH_GS
        assert "Got: 0109501101530003¦10LOT1¦3710"[:20] in screen_text(app)
        # Ctrl-] typed on a keyboard is the same GS.
        await type_raw(pilot, "10A")
        await keys(pilot, "ctrl+right_square_bracket")
        await enter(pilot, "21B")
        assert submitted(app) == "10A\x1d21B"

    run(app, (40, 8), script)


def test_markup_escapes_and_controls_neither_restyle_nor_reach_the_screen(site: Site) -> None:
    app = site.app(flows=echo_flows())

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        await type_raw(pilot, "[bold]x[/]")
        entry = app.screen.query_one(ScanInput)
        shown = entry.render()
        assert shown.plain == ">[bold]x[/]_" and not shown.spans and not shown.style
        assert ">[bold]x[/]_" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert submitted(app) == "[bold]x[/]"
        assert "Got: [bold]x[/]" in screen_text(app)
        # An escape sequence, BEL, NUL and DEL from a scanner: the parser and the prompt drop them.
        await enter(pilot, "\x1b[31mA\x07B\x00C\x7fD\x1b[2JE")
        # Textual's parser drops a known sequence whole and only the ESC of an unknown one;
        # what is left is plain text, shown as typed.
        assert submitted(app) == "ABD[2JE"
        assert "Got: ABD[2JE" in screen_text(app)
        # Key events carrying control characters directly are not inserted either.
        for char in "\x01\x02\x1b\x1c\x1e\x1f":
            app.screen.query_one(ScanInput).post_message(events.Key("ctrl+x", char))
        await settle(pilot)
        assert app.screen.query_one(ScanInput).value == ""
        svg = app.export_screenshot()
        assert "\x1b" not in svg and "\x07" not in svg
        assert all(ch == "\n" or ch.isprintable() for ch in screen_text(app))

    run(app, (20, 16), script)


def test_an_entry_past_the_length_limit_is_refused_whole(site: Site) -> None:
    """Issue 18: an over-long entry is refused whole, never cut to the limit and submitted."""
    app = site.app(flows=echo_flows())

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        await type_raw(pilot, "9" * (MAX_INPUT + 5))
        assert app.screen.query_one(ScanInput).value == ""
        assert "9" * 20 not in screen_text(app)

    run(app, (20, 16), script)


class Broken:
    """Services whose database went away: every call raises something unexpected."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.broken = False

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.real, name)
        if name in ("resolve", "stock_at") and self.broken:
            def fail(*args: Any, **kwargs: Any) -> Any:
                raise RuntimeError("connection reset by peer")
            return fail
        return attr


def test_unexpected_service_error_shows_system_error_and_keeps_the_step(site: Site) -> None:
    services = Broken(site.services)
    app = site.app(services=services)

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "3")
        await enter(pilot, "A-01-01-1")
        services.broken = True
        await enter(pilot, EA_GTIN)
        assert isinstance(app.screen, FlowScreen)
        assert app.screen.step.name == "item"
        assert app.screen.flow.state["from_code"] == "A-01-01-1"
        text = screen_text(app)
        assert "! System error - try again" in screen_words(app)
        assert "Traceback" not in text and "RuntimeError" not in text
        assert app.bell_count == 1
        services.broken = False
        await enter(pilot, EA_GTIN)
        assert app.screen.step.name == "qty"

    run(app, (20, 16), script)


@pytest.mark.parametrize("size", [(20, 16), (40, 8)], ids=["16x20", "8x40"])
def test_ascii_mode_draws_only_ascii(site: Site, size: tuple[int, int]) -> None:
    app = site.app(ascii_mode=True, flows=echo_flows())

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        await enter(pilot, "LOT-WITH-A-VERY-LONG-NAME-THAT-IS-CUT-AT-FORTY")
        text = screen_text(app)
        assert text.isascii(), text
        assert text.splitlines()[1].endswith("~")
        await enter(pilot, "10A\x1d21B")
        assert "Got: 10A|21B" in screen_text(app)
        await keys(pilot, "f1")
        assert screen_text(app).isascii()

    run(app, size, script)
