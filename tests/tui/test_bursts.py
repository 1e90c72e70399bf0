"""Scanner bursts on the practice warehouse at 16x20: a whole code and its suffix in one read,
at prompts and with pop-ups open. A burst never crashes, never answers a question, never posts.

Each test reproduces a bug an operator met with a real scanner over SSH."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select
from textual.pilot import Pilot

from tests.tui.demo_helpers import SIZE, demo_app
from tests.tui.helpers import burst, enter, keys, run, screen_text, screen_words, settle
from wms_tui.db.tables import Movement
from wms_tui.demo.scanner import suggestions
from wms_tui.screens.menu import MenuScreen
from wms_tui.screens.modals import ConfirmModal, HelpModal
from wms_tui.screens.scanner import ScannerModal
from wms_tui.screens.step import FlowScreen


def movement_count(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Movement.id)).all())


def flow_screen(app: Any) -> FlowScreen:
    assert isinstance(app.screen, FlowScreen), type(app.screen).__name__
    return app.screen


async def open_flow(pilot: Pilot[Any], key: str, user: str = "OP1", pin: str = "1111") -> None:
    await settle(pilot)
    await enter(pilot, user)
    await enter(pilot, pin)
    await keys(pilot, key)


def right_code(app: Any) -> str:
    """The first code the current step accepts, as the virtual scanner lists it."""
    screen = flow_screen(app)
    return suggestions(screen.flow, app.demo)[0][1]


async def to_receive_item(pilot: Pilot[Any]) -> None:
    """Receive, scan the first open ASN with F6's list: the item step."""
    await open_flow(pilot, "1")
    await keys(pilot, "f6")
    modal = pilot.app.screen
    assert isinstance(modal, ScannerModal)
    await keys(pilot, "1", "enter")
    assert flow_screen(pilot.app).step.name == "item"


async def to_receive_qty(pilot: Pilot[Any]) -> None:
    """One step further: the item scanned, work that Back would lose."""
    await to_receive_item(pilot)
    await burst(pilot, right_code(pilot.app) + "\r")
    assert flow_screen(pilot.app).step.unsaved_work


def test_help_then_a_scan_burst_closes_the_help_only(demo_engine: Engine) -> None:
    app = demo_app(demo_engine)
    before = movement_count(demo_engine)

    async def script(pilot: Pilot[Any]) -> None:
        await to_receive_item(pilot)
        code = right_code(app)
        await keys(pilot, "f1")
        assert isinstance(app.screen, HelpModal)
        await burst(pilot, code + "\r")
        # The help closed; the rest of that scan went nowhere, the step is as it was.
        screen = flow_screen(app)
        assert screen.step.name == "item"
        assert ">_" in screen_text(app)
        await burst(pilot, code + "\r\n")
        assert flow_screen(app).step.name != "item"

    run(app, SIZE, script)
    assert app.return_code in (0, None)
    assert movement_count(demo_engine) == before


def test_the_virtual_scanner_refuses_two_digits_in_one_burst(demo_engine: Engine) -> None:
    app = demo_app(demo_engine)

    async def script(pilot: Pilot[Any]) -> None:
        await open_flow(pilot, "1")
        await keys(pilot, "f6")
        assert isinstance(app.screen, ScannerModal)
        await burst(pilot, "11")
        await burst(pilot, "1\r")
        assert isinstance(app.screen, ScannerModal)
        assert "A scan does not answer" in screen_words(app)
        await keys(pilot, "escape")
        screen = flow_screen(app)
        assert screen.step.name == "order"

    run(app, SIZE, script)
    assert app.return_code in (0, None)


def test_two_digits_at_lose_this_work_answer_nothing_and_leave_no_one_out(
        demo_engine: Engine) -> None:
    app = demo_app(demo_engine)

    async def script(pilot: Pilot[Any]) -> None:
        await to_receive_qty(pilot)
        step = flow_screen(app).step.name
        await keys(pilot, "escape")
        assert isinstance(app.screen, ConfirmModal)
        await burst(pilot, "22")
        await burst(pilot, "2\r")
        assert isinstance(app.screen, ConfirmModal)
        await keys(pilot, "ctrl+u", "2", "enter")
        # No: back on the step, the work kept, nobody thrown out of the flow.
        assert flow_screen(app).step.name == step

    run(app, SIZE, script)
    assert app.return_code in (0, None)


def test_no_then_enter_does_not_fall_through_to_the_step(demo_engine: Engine) -> None:
    app = demo_app(demo_engine)
    before = movement_count(demo_engine)

    async def script(pilot: Pilot[Any]) -> None:
        await to_receive_qty(pilot)
        step = flow_screen(app).step.name
        await keys(pilot, "escape")
        # The operator's habit: 2 and Enter. The Enter belongs to the question.
        await keys(pilot, "2", "enter")
        screen = flow_screen(app)
        assert screen.step.name == step
        assert not screen.step.message

    run(app, SIZE, script)
    assert movement_count(demo_engine) == before


def test_two_digits_in_one_burst_at_a_prompt_are_typed_not_submitted(
        demo_engine: Engine) -> None:
    """Without a suffix a burst is only typed: the operator still decides to submit."""
    app = demo_app(demo_engine)

    async def script(pilot: Pilot[Any]) -> None:
        await open_flow(pilot, "1")
        await burst(pilot, "12")
        # Two digits at the order prompt are only typed, never submitted.
        assert "12" in screen_text(app)
        await keys(pilot, "ctrl+u")
        screen = flow_screen(app)
        assert screen.step.name == "order"

    run(app, SIZE, script)


def test_a_scan_at_the_menu_opens_nothing(demo_engine: Engine) -> None:
    app = demo_app(demo_engine)

    async def script(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await enter(pilot, "OP1")
        await enter(pilot, "1111")
        assert isinstance(app.screen, MenuScreen)
        bells = app.bell_count
        await burst(pilot, "5555\r")
        assert isinstance(app.screen, MenuScreen)
        assert app.bell_count == bells + 1
        await keys(pilot, "5")
        assert flow_screen(app).flow.name == "pick"

    run(app, SIZE, script)
