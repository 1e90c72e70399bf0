"""A plain scan (printable characters and one suffix, in one read) reaches the entry line as
one ScanBurst event: it is submitted once, marked scanned, and the entry line is not repainted
for it; anything else keeps its keys."""

from __future__ import annotations

from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from tests.tui.helpers import EA_GTIN, Site, burst, keys, login, run
from wms_tui.app import RfApp
from wms_tui.screens.bursts import GS, ScanBurst, burst_of, keys_in, one_read
from wms_tui.screens.step import FlowScreen
from wms_tui.screens.widgets import ScanInput
from wms_tui.textual_compat import xterm_parser


def parsed(data: str) -> list[Any]:
    parser = xterm_parser()
    return [*parser.feed(data), *parser.feed("")]


@pytest.mark.parametrize("data", ["A-01-01-1\r", "A-01-01-1\r\n", "A-01-01-1\n",
                                  "A-01-01-1\t", "A-01-01-1", f"01095011015300{GS}10LOT\r"])
def test_a_plain_scan_is_one_event(data: str) -> None:
    sent = one_read(parsed(data))
    assert len(sent) == 1
    scan = sent[0]
    assert isinstance(scan, ScanBurst)
    assert "".join(key.character or "" for key in scan.keys) == data
    assert scan.burst > 0 and {burst_of(key) for key in scan.keys} == {scan.burst}
    assert keys_in(sent) == len(data)


@pytest.mark.parametrize("data", ["A\rB\r", "\rA", "A\x1b[A\r", "A\x7f\r", "A\x15\r",
                                  "A\x1bOP"])
def test_anything_else_keeps_its_keys(data: str) -> None:
    messages = parsed(data)
    sent = one_read(messages)
    assert sent is messages
    assert all(isinstance(m, events.Key) for m in sent)
    # Still one burst: a question refuses it, a pop-up drops its rest.
    numbers = {burst_of(m) for m in sent if isinstance(m, events.Key)}
    assert len(numbers) == 1 and numbers != {0}


def test_a_single_key_is_no_burst() -> None:
    sent = one_read(parsed("7"))
    assert isinstance(sent[0], events.Key) and burst_of(sent[0]) == 0


def test_a_scan_submits_once_with_no_frame_for_the_entry_line(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = RfApp(site.services, site.auth, terminal_id="RF01")
    repaints: list[str] = []
    submitted: list[tuple[str, bool]] = []
    refresh = ScanInput.refresh

    def counting(widget: ScanInput, *args: Any, **kwargs: Any) -> Any:
        repaints.append(widget.value)
        return refresh(widget, *args, **kwargs)

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "3")
        screen = app.screen
        assert isinstance(screen, FlowScreen)
        submit = screen.submit

        def recording(text: str, scanned: bool = False) -> None:
            submitted.append((text, scanned))
            submit(text, scanned)

        monkeypatch.setattr(screen, "submit", recording)
        monkeypatch.setattr(ScanInput, "refresh", counting)
        await burst(pilot, "A-01-01-1\r\n")
        assert screen.step.name == "item"
        await burst(pilot, EA_GTIN + "\r")
        assert screen.step.name == "qty"
        assert repaints == []

    run(app, (20, 16), script)
    assert submitted == [("A-01-01-1", True), (EA_GTIN, True)]
