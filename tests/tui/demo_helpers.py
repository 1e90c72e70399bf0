"""Driving the practice warehouse at 16x20: a seeded demo database, the demo app, F6 scans."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from textual.app import App
from textual.pilot import Pilot

from tests.tui.helpers import keys, screen_text, settle
from wms_tui.app import RfApp
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import uow_factory
from wms_tui.demo.launch import demo_app_options
from wms_tui.demo.seed import seed_demo
from wms_tui.domain.model import Actor
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.users import authenticate
from wms_tui.screens.scanner import ScannerModal

SIZE = (20, 16)
TODAY = date(2026, 3, 2)


def seed_file(path: Path) -> Path:
    """A practice database file as `wms demo` seeds it, for tests to copy."""
    engine = make_engine(f"sqlite:///{path}")
    seed_demo(engine, 1, TODAY)
    engine.dispose()
    return path


def demo_app(engine: Engine, scenario: str | None = None) -> RfApp:
    writer = uow_factory(engine)

    def auth(login: str, pin: str, terminal: str) -> Actor:
        return authenticate(writer(), login, pin, terminal)

    return RfApp(RfBackend(writer), auth, terminal_id="RF01",
                 **demo_app_options(engine, scenario))


def header(app: App[Any]) -> str:
    return screen_text(app).splitlines()[0]


async def scan_with_f6(pilot: Pilot[Any], pick: str) -> str:
    """Open the virtual scanner, choose the entry whose label or code contains pick."""
    await keys(pilot, "f6")
    modal = pilot.app.screen
    assert isinstance(modal, ScannerModal)
    assert "TRAINING" in header(pilot.app)
    number = next(n for n, (label, code) in enumerate(modal.codes, start=1)
                  if pick in label or pick in code)
    code = modal.codes[number - 1][1]
    await keys(pilot, str(number), "enter")
    await settle(pilot)
    return code
