"""Driving the RF app in tests: a real migrated SQLite warehouse, keys as a terminal sends them."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from sqlalchemy import Engine
from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from tests.factories import Warehouse, build_warehouse
from wms_tui.app import RfApp
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.flows.registry import FlowSpec
from wms_tui.domain.model import Actor, BalanceKey, MovementRecord
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.stock import Receive, ledger_mismatches, post
from wms_tui.domain.users import authenticate
from wms_tui.screens.bursts import one_read
from wms_tui.textual_compat import driver_of, full_frame, xterm_parser

SIZES = [(20, 16), (40, 8), (80, 24)]
EA_GTIN = "09501101530003"


@dataclass
class Site:
    """A warehouse with 30 widgets in A-01-01-1 and the services an RF app runs on."""

    engine: Engine
    wh: Warehouse
    services: RfBackend

    @classmethod
    def build(cls, engine: Engine) -> Site:
        wh = build_warehouse(engine)
        post(uow_factory(engine), wh.admin, Receive(wh.widget, 30, wh.a1, "ASN-1"))
        return cls(engine, wh, RfBackend(uow_factory(engine)))

    def auth(self, login: str, pin: str, terminal: str) -> Actor:
        return authenticate(uow_factory(self.engine)(), login, pin, terminal)

    def app(self, *, flows: Sequence[FlowSpec] | None = None, ascii_mode: bool = False,
            services: Any = None) -> RfApp:
        return RfApp(services or self.services, self.auth, terminal_id="RF01", flows=flows,
                     ascii_mode=ascii_mode)

    def on_hand(self, item_id: int, location_id: int) -> int:
        with SqlUnitOfWork(self.engine) as uow:
            row = uow.stock.balance(BalanceKey(item_id, location_id))
            return 0 if row is None else row.quantity

    def movements(self) -> list[MovementRecord]:
        with SqlUnitOfWork(self.engine) as uow:
            return list(uow.stock.movements(item_id=self.wh.widget))

    def ledger_exact(self) -> bool:
        with uow_factory(self.engine)() as uow:
            return ledger_mismatches(uow) == []


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and their messages repaint the screen. A worker cancelled because
    its screen left (the log-in check once the menu replaces it) is finished too."""
    for _ in range(3):
        for worker in list(pilot.app.workers):
            with contextlib.suppress(WorkerCancelled):
                await worker.wait()
        await pilot.pause()


async def enter(pilot: Pilot[Any], text: str, submit: str = "enter") -> None:
    """Type text as a terminal would send it (each character a key), then Enter."""
    await type_raw(pilot, text)
    await pilot.press(submit)
    await settle(pilot)


async def type_raw(pilot: Pilot[Any], data: str) -> None:
    """Feed raw terminal input through Textual's own xterm parser, as the real driver does."""
    if not data:
        return
    parser = xterm_parser()
    driver = driver_of(pilot.app)
    assert driver is not None
    for event in [*parser.feed(data), *parser.feed("")]:
        event.set_sender(pilot.app)
        driver.send_message(event)
        await pilot.pause()


async def burst(pilot: Pilot[Any], data: str) -> None:
    """Feed data as one read from the terminal, as a scanner sends it: keys numbered as one
    burst, a plain scan as one event, by the driver's own rule, all queued before the app
    handles the first."""
    parser = xterm_parser()
    driver = driver_of(pilot.app)
    assert driver is not None
    batch = [*parser.feed(data), *parser.feed("")]
    same_read(batch)
    for event in one_read(batch):
        event.set_sender(pilot.app)
        driver.send_message(event)
    await settle(pilot)


def same_read(batch: list[Any]) -> None:
    """One read arrives at one instant: its keys get the first one's time, so a loaded test
    machine pausing the parser mid-burst cannot make it look like two entries."""
    for event in batch[1:]:
        event.time = batch[0].time


async def keys(pilot: Pilot[Any], *names: str) -> None:
    await pilot.press(*names)
    await settle(pilot)


async def login(pilot: Pilot[Any], user: str = "OP1", pin: str = "1234") -> None:
    await settle(pilot)
    await enter(pilot, user)
    await enter(pilot, pin)


def screen_text(app: App[Any]) -> str:
    """The screen as the operator sees it, one line per row, trailing spaces removed."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False)
    console.print(full_frame(app))
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def screen_words(app: App[Any]) -> str:
    """The screen as one line of words, for text that wraps differently at each size."""
    return " ".join(screen_text(app).split())


def run(app: RfApp, size: tuple[int, int],
        script: Callable[[Pilot[Any]], Awaitable[None]]) -> None:
    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await script(pilot)

    asyncio.run(main())
