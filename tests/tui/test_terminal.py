"""What reaches the terminal: VT220-safe set-up, only changed cells, nothing while idle."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region, Size
from textual.strip import Strip

from tests.conftest import fresh_sqlite_engine
from tests.factories import build_warehouse
from tests.tui.pty_terminal import PtyTerminal
from wms_tui.rf_driver import ScreenShadow, terminal_profile
from wms_tui.textual_compat import LayoutUpdate

XTERM_ONLY = [b"\x1b[>", b"\x1b[<u", b"\x1b[?1004h", b"\x1b[?2004h", b"\x1b[?2048",
              b"\x1b[?2026$p", b"\x1b[?1000h", b"\x1b[?1003h", b"\x1b[?1006h", b"\x1b]22;"]


@pytest.fixture
def app_on_pty(tmp_path: Path) -> Iterator[Callable[[str, int, int], PtyTerminal]]:
    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    build_warehouse(engine)
    engine.dispose()
    url = f"sqlite:///{tmp_path / 'wms.db'}"
    yield lambda term, cols, rows: PtyTerminal(url, term, cols, rows, str(tmp_path))


@pytest.mark.slow
def test_vt220_gets_no_xterm_modes_no_mouse_and_nothing_while_idle(
    app_on_pty: Callable[[str, int, int], PtyTerminal],
) -> None:
    terminal = app_on_pty("vt220", 20, 16)
    try:
        terminal.wait_for(b"User ID")
        terminal.send("OP1\r")
        terminal.wait_for(b"PIN")
        terminal.send("1234\r")
        terminal.wait_for(b"Logout")
        terminal.send("3")
        terminal.wait_for(b"or LPN")
        terminal.drain()
        assert terminal.read_for(1.5) == b""
        # One scan step, echo and next screen included, stays well under a kilobyte.
        terminal.send("A-01-01-1\r")
        step = terminal.wait_for(b"From: A-01-01-1") + terminal.drain()
        assert len(step) < 1024
    finally:
        terminal.close()
    sent = terminal.received
    for sequence in XTERM_ONLY:
        assert sequence not in sent, sequence
    assert b"\x1b[38;" not in sent and b"\x1b[48;" not in sent  # no colour at all
    assert b"1234" not in sent  # the PIN is never echoed
    rows = {int(row) for row, _ in re.findall(rb"\x1b\[(\d+);(\d+)H", sent)}
    assert max(rows) == 16  # drawn for the pty's 16 rows, not an inherited LINES


@pytest.mark.slow
def test_xterm_keeps_its_modern_modes_but_never_mouse_tracking(
    app_on_pty: Callable[[str, int, int], PtyTerminal],
) -> None:
    terminal = app_on_pty("xterm-256color", 40, 8)
    try:
        terminal.wait_for(b"User ID")
        terminal.drain()
    finally:
        terminal.close()
    assert b"\x1b[?1004h" in terminal.received
    assert b"\x1b[?1000h" not in terminal.received and b"\x1b[?1003h" not in terminal.received


@pytest.mark.parametrize(("env", "legacy", "ascii_only"), [
    ({"TERM": "vt220", "LANG": "en_US.UTF-8"}, True, False),
    ({"TERM": "vt100"}, True, True),
    ({"TERM": "linux", "LC_ALL": "C"}, True, True),
    ({"TERM": "xterm-256color", "LANG": "C.UTF-8"}, False, False),
    ({"TERM": "screen", "LANG": "en_US.ISO-8859-1"}, False, True),
])
def test_terminal_profile_from_term_and_locale(
    env: dict[str, str], legacy: bool, ascii_only: bool
) -> None:
    profile = terminal_profile(env)
    assert (profile.legacy, profile.ascii_only) == (legacy, ascii_only)


def frame(*rows: str, style: Style | None = None) -> LayoutUpdate:
    strips = [[Strip([Segment(row, style)])] for row in rows]
    return LayoutUpdate(strips, Region(0, 0, len(rows[0]), len(rows)))  # type: ignore[arg-type]


def sent(shadow: ScreenShadow, update: LayoutUpdate) -> list[tuple[int, int, str]]:
    changes = shadow.changes(update, Size(6, 2))
    return [] if changes is None else [(x, y, s.text) for x, y, s in changes.changes]


def test_screen_shadow_sends_only_changed_cells() -> None:
    shadow = ScreenShadow()
    assert sent(shadow, frame("abcdef", "ghijkl")) == [(0, 0, "abcdef"), (0, 1, "ghijkl")]
    assert sent(shadow, frame("abcdef", "ghijkl")) == []
    assert sent(shadow, frame("abXdeY", "ghijkl")) == [(2, 0, "XdeY")]
    # The same text in reverse video is a change too.
    assert sent(shadow, frame("abXdeY", "ghijkl", style=Style(reverse=True))) == [
        (0, 0, "abXdeY"), (0, 1, "ghijkl")]


def test_screen_shadow_never_splits_a_wide_character() -> None:
    shadow = ScreenShadow()
    sent(shadow, frame("库位A1", "      "))
    assert sent(shadow, frame("仓位A1", "      ")) == [(0, 0, "仓")]
    assert sent(shadow, frame("仓位B1", "      ")) == [(4, 0, "B")]
