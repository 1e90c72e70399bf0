"""Demo mode at 16x20: TRAINING on every screen, the virtual scanner (F6), guided scenarios."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select
from textual.pilot import Pilot

from tests.tui.demo_helpers import SIZE, demo_app, header, scan_with_f6
from tests.tui.helpers import (
    keys,
    login,
    run,
    screen_text,
    screen_words,
    settle,
    type_raw,
)
from wms_tui.app import RfApp
from wms_tui.db import tables
from wms_tui.db.uow import uow_factory
from wms_tui.demo.launch import demo_app_options
from wms_tui.demo.scanner import WRONG_CODE
from wms_tui.domain.model import Actor
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.stock import ledger_mismatches
from wms_tui.domain.users import authenticate
from wms_tui.screens.scanner import ScannerModal
from wms_tui.screens.step import FlowScreen


def step_name(pilot: Pilot[Any]) -> str:
    """The name of the step on screen (the screen must be a flow's)."""
    screen = pilot.app.screen
    assert isinstance(screen, FlowScreen)
    return screen.step.name


def test_training_marker_and_demo_users_on_every_screen(demo_engine: Engine) -> None:
    app = demo_app(demo_engine)

    async def script(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        assert header(pilot.app).endswith("TRAINING")
        assert "OP1 PIN 1111" in screen_text(pilot.app)
        assert "SUP1 PIN 2222" in screen_text(pilot.app)
        await login(pilot, "OP1", "1111")
        assert header(pilot.app).startswith("Menu OP1")
        assert header(pilot.app).endswith("TRAINING")
        await keys(pilot, "1")
        assert isinstance(pilot.app.screen, FlowScreen)
        assert header(pilot.app).endswith("TRAINING")
        await keys(pilot, "f1")
        assert header(pilot.app).endswith("TRAINING")

    run(app, SIZE, script)


def test_virtual_scanner_lists_right_codes_and_one_wrong(demo_engine: Engine) -> None:
    app = demo_app(demo_engine)

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1", "1111")
        await keys(pilot, "1")
        await keys(pilot, "f6")
        modal = pilot.app.screen
        assert isinstance(modal, ScannerModal)
        codes = [code for _label, code in modal.codes]
        assert "ASN-1001" in codes
        assert codes[-1] == WRONG_CODE
        assert "WRONG-0000" in screen_text(pilot.app)
        # The wrong code is refused like any bad scan: same step, error line, bell.
        await keys(pilot, str(len(codes)), "enter")
        assert isinstance(pilot.app.screen, FlowScreen)
        assert pilot.app.screen.step.name == "order"
        assert "!" in screen_text(pilot.app)
        # A right code advances the step.
        await scan_with_f6(pilot, "ASN-1001")
        assert pilot.app.screen.step.name == "item"
        assert "ASN-1001" in screen_words(pilot.app)

    run(app, SIZE, script)


def test_receive_scenario_with_only_the_virtual_scanner(demo_engine: Engine) -> None:
    app = demo_app(demo_engine, "receive")
    with Session(demo_engine) as s:
        before = len(s.exec(select(tables.Movement)).all())

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1", "1111")
        # The scenario opens Receive at once, with a short instruction on the message line.
        assert isinstance(pilot.app.screen, FlowScreen)
        assert pilot.app.screen.step.name == "order"
        assert "F6: scan an ASN" in screen_words(pilot.app)
        await scan_with_f6(pilot, "ASN-1001")
        assert "F6: scan an item" in screen_words(pilot.app)
        await scan_with_f6(pilot, "GTIN")
        assert pilot.app.screen.step.name == "qty"
        await scan_with_f6(pilot, "Qty")
        assert pilot.app.screen.step.name == "item"
        assert "* Rcvd" in screen_text(pilot.app) or "Rcvd" in screen_words(pilot.app)
        assert header(pilot.app).endswith("TRAINING")

    run(app, SIZE, script)
    with Session(demo_engine) as s:
        assert len(s.exec(select(tables.Movement)).all()) == before + 1
    with uow_factory(demo_engine)() as uow:
        assert ledger_mismatches(uow) == []


def test_demo_options_refuse_a_database_without_the_marker(tmp_path: Path) -> None:
    from tests.conftest import fresh_sqlite_engine
    from wms_tui.demo.seed import NotADemoDatabase

    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    with pytest.raises(NotADemoDatabase):
        demo_app_options(engine, None)
    engine.dispose()


def test_putaway_scenario_with_only_the_virtual_scanner(demo_engine: Engine) -> None:
    app = demo_app(demo_engine, "putaway")

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1", "1111")
        assert step_name(pilot) == "source"
        await scan_with_f6(pilot, "LPN9000001")
        assert step_name(pilot) == "confirm"
        await scan_with_f6(pilot, "Loc")
        assert step_name(pilot) == "source"
        assert "*" in screen_text(pilot.app)
        assert header(pilot.app).endswith("TRAINING")

    run(app, SIZE, script)
    with uow_factory(demo_engine)() as uow:
        assert ledger_mismatches(uow) == []


class SlowToSave(RfBackend):
    """Saving the resume point waits for the test, as a loaded database would make it wait."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(uow_factory(engine))
        self.saving = threading.Event()
        self.go_on = threading.Event()

    def save_flow(self, user_id: int, flow: str, state: dict[str, object],
                  terminal: str) -> None:
        self.saving.set()
        self.go_on.wait(5)
        super().save_flow(user_id, flow, state, terminal)


def test_f6_pressed_as_the_step_opens_is_kept_until_the_screen_is_ready(
        demo_engine: Engine) -> None:
    backend = SlowToSave(demo_engine)
    writer = uow_factory(demo_engine)

    def auth(login: str, pin: str, terminal: str) -> Actor:
        return authenticate(writer(), login, pin, terminal)

    app = RfApp(backend, auth, terminal_id="RF01", **demo_app_options(demo_engine, None))

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1", "1111")
        await pilot.press("1")
        assert await asyncio.to_thread(backend.saving.wait, 5)
        # The step is drawn but its first save is still running when F6 comes.
        assert "Scan order or SSCC" in screen_text(pilot.app)
        await pilot.press("f6")
        backend.go_on.set()
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScannerModal)
        assert "ASN-1001" in [code for _label, code in pilot.app.screen.codes]

    run(app, SIZE, script)


def test_the_virtual_scanner_speaks_the_trainees_language(demo_engine: Engine) -> None:
    """A zh_CN trainee's F6 list is labelled in Chinese; the codes are the same barcodes."""
    from wms_tui.i18n import translator

    writer = uow_factory(demo_engine)
    app = RfApp(RfBackend(writer), lambda login, pin, terminal: authenticate(
        writer(), login, pin, terminal), terminal_id="RF01", translator=translator,
        language="zh_CN", **demo_app_options(demo_engine, None))
    app.language_fixed = True  # as `wms demo --lang zh_CN` fixes it

    async def script(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await login(pilot, "OP1", "1111")
        await keys(pilot, "1", "f6")
        assert isinstance(app.screen, ScannerModal)
        words = screen_words(app)
        assert "ASN " in words and "错误条码" in words and WRONG_CODE in words
        assert "Wrong code" not in words

    run(app, SIZE, script)


def test_f6_looks_codes_up_off_the_ui_thread_and_a_scan_meanwhile_waits_for_the_list(
        demo_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from wms_tui.demo import scanner

    looked_up_on: list[threading.Thread] = []
    looking, go_on = threading.Event(), threading.Event()
    real = scanner.suggestions

    def slow(flow: Any, catalog: Any) -> list[tuple[str, str]]:
        looked_up_on.append(threading.current_thread())
        looking.set()
        go_on.wait(5)
        return real(flow, catalog)

    monkeypatch.setattr(scanner, "suggestions", slow)
    app = demo_app(demo_engine)

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1", "1111")
        await keys(pilot, "1")
        await pilot.press("f6")
        assert await asyncio.to_thread(looking.wait, 5)
        # The screen still takes keys while the database is asked; the scan waits its turn.
        assert isinstance(pilot.app.screen, FlowScreen)
        await type_raw(pilot, "ASN-1001")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(pilot.app.screen, FlowScreen)
        assert pilot.app.screen.step.name == "order" and pilot.app.screen.pending
        go_on.set()
        await settle(pilot)
        assert isinstance(pilot.app.screen, ScannerModal)
        assert looked_up_on and looked_up_on[0] is not threading.current_thread()
        # Esc closes the list; the scan keyed meanwhile then goes to the step.
        await keys(pilot, "escape")
        assert isinstance(pilot.app.screen, FlowScreen)
        assert pilot.app.screen.step.name == "item"

    run(app, SIZE, script)
