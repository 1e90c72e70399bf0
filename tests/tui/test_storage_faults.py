"""A post onto a full disk, a read-only or an unreachable database: the operator is told which,
never "System error", the flow keeps its place with nothing half posted, and the log names it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from sqlalchemy import Engine
from textual.pilot import Pilot

from tests.storage_faults import closed_port_url, disk_full, read_only
from tests.tui.helpers import EA_GTIN, Site, enter, keys, login, run, screen_text, screen_words
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import uow_factory
from wms_tui.domain.rf_services import RfBackend
from wms_tui.screens.step import FlowScreen

Fault = Callable[[Engine], AbstractContextManager[None]]
FAULTS: list[tuple[Fault, str, str]] = [
    (disk_full, "Cannot save: disk full. Call a supervisor.", "disk full"),
    (read_only, "Cannot save: database read-only. Call a supervisor.", "database read-only"),
]


def flow_screen(app: Any) -> FlowScreen:
    assert isinstance(app.screen, FlowScreen)
    return app.screen


def fault_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]


@pytest.mark.parametrize(("fault", "shown", "logged"), FAULTS, ids=["disk-full", "read-only"])
def test_a_move_that_cannot_be_saved_says_why_and_keeps_the_step(
    site: Site, caplog: pytest.LogCaptureFixture, fault: Fault, shown: str, logged: str,
) -> None:
    app = site.app()
    wh = site.wh
    caplog.set_level(logging.ERROR)

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "3")
        for scan in ("A-01-01-1", EA_GTIN, "5"):
            await enter(pilot, scan)
        screen = flow_screen(app)
        assert screen.step.name == "to"
        before = dict(screen.flow.state)
        with fault(site.engine):
            await enter(pilot, "A-01-02-1")
            assert screen.step.name == "to" and screen.flow.state == before
            words = screen_words(app)
            assert f"! {shown}" in words
            assert "System error" not in words and "Traceback" not in screen_text(app)
            assert app.bell_count == 1
        # Mended: the same scan posts the move, once.
        await enter(pilot, "A-01-02-1")
        assert "* Moved 5 EA to A-01-02-1" in screen_words(app)

    run(app, (20, 16), script)
    assert (site.on_hand(wh.widget, wh.a1), site.on_hand(wh.widget, wh.a2)) == (25, 5)
    assert [m.kind.value for m in site.movements()].count("move") == 1
    assert site.ledger_exact()
    assert any("terminal RF01" in line and logged in line for line in fault_logs(caplog))


def test_an_unreachable_database_says_so_and_keeps_the_step(
    site: Site, caplog: pytest.LogCaptureFixture,
) -> None:
    """The operator logs in while the server is there; then it is gone."""
    gone = make_engine(closed_port_url())
    services = RfBackend(uow_factory(gone))
    app = site.app(services=services)
    caplog.set_level(logging.ERROR)

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "3")
        await enter(pilot, "A-01-01-1")
        screen = flow_screen(app)
        assert screen.step.name == "from"
        words = screen_words(app)
        assert "! Database unreachable. Call a supervisor." in words
        assert "System error" not in words

    try:
        run(app, (20, 16), script)
    finally:
        gone.dispose()
    assert any("terminal RF01" in line and "database unreachable (" in line
               for line in fault_logs(caplog))


def test_a_log_in_the_database_cannot_count_says_why_and_audits_nothing(
    site: Site, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A read-only database cannot count the attempt: the operator is told that, not that the
    PIN was wrong, and no failed log-in is reported for a PIN nobody checked."""
    reported: list[tuple[str, str]] = []
    app = site.app()
    monkeypatch.setattr(app, "report", lambda event, login, detail="": reported.append(
        (event, login)))
    caplog.set_level(logging.ERROR)

    async def script(pilot: Pilot[Any]) -> None:
        with read_only(site.engine):
            await login(pilot)
            words = screen_words(app)
            assert "! Cannot save: database read-only. Call a supervisor." in words
            assert "Wrong user ID" not in words and "System error" not in words
        await login(pilot)
        assert "Menu" in screen_text(app)

    run(app, (20, 16), script)
    assert reported == [("login", "OP1")]
    assert any("log-in of OP1 failed: database read-only (" in line
               for line in fault_logs(caplog))
