"""Terminal hygiene for RF guns: send old terminals only what a VT100/VT220 understands.

Textual's LinuxDriver writes its start-up and shut-down sequences one `write()` call each,
so dropping the modern ones by exact match keeps this subclass small and leaves frames alone.
"""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from rich.cells import get_character_cell_size
from rich.console import Console
from rich.control import Control
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.drivers.linux_driver import LinuxDriver
from textual.filter import LineFilter
from textual.geometry import Size
from textual.strip import Strip

from wms_tui import textual_compat
from wms_tui.input_limits import InputGate
from wms_tui.screens.bursts import keys_in, one_read
from wms_tui.textual_compat import CompositorUpdate, LayoutUpdate

if TYPE_CHECKING:
    from textual.app import App
    from textual.message import Message

# Terminals known to understand xterm's extensions; anything else gets the plain VT subset.
MODERN_TERMS = ("xterm", "screen", "tmux", "rxvt", "kitty", "alacritty", "foot", "wezterm",
                "konsole", "contour", "ghostty", "st-")
# Terminals whose character set has no line drawing or Unicode worth relying on.
ASCII_TERMS = frozenset({"vt52", "vt100", "vt102", "dumb", "ansi"})

_MODERN_ONLY = frozenset({
    "\x1b[?1004h", "\x1b[?1004l",  # focus in/out reports
    "\x1b[?2004h", "\x1b[?2004l",  # bracketed paste
    "\x1b[?2048$p", "\x1b[?2048h", "\x1b[?2048l",  # in-band resize query and mode
    "\x1b[?2026$p",  # synchronized-output query
    "\x1b[<u",  # kitty keyboard protocol pop
})
_KITTY_PUSH = re.compile(r"\x1b\[>\d+u")


@dataclass(frozen=True)
class TerminalProfile:
    """What a terminal type can take: xterm extensions, colour, Unicode."""

    term: str
    legacy: bool
    ascii_only: bool


def _utf8_locale(environ: Mapping[str, str]) -> bool:
    """True unless a locale is set and is not UTF-8; an unset locale does not force ASCII."""
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = environ.get(name)
        if value:
            return "utf-8" in value.lower() or "utf8" in value.lower()
    return True


def terminal_profile(environ: Mapping[str, str] | None = None) -> TerminalProfile:
    env = os.environ if environ is None else environ
    term = env.get("TERM", "").strip().lower()
    legacy = not term.startswith(MODERN_TERMS)
    ascii_only = term in ASCII_TERMS or not _utf8_locale(env)
    return TerminalProfile(term, legacy, ascii_only)


class RfDriver(LinuxDriver):
    """LinuxDriver that leaves out xterm-only modes and queries on legacy terminals.

    A VT220 does not know kitty keyboard, focus events, bracketed paste or the mode queries:
    they cost bytes on a radio link and some terminals print their tails as garbage.
    """

    def __init__(self, app: App[object], *, debug: bool = False, mouse: bool = True,
                 size: tuple[int, int] | None = None) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self.legacy = terminal_profile().legacy
        # The app's gate when it has one (RfApp), so both count the same keys.
        gate = getattr(app, "input_gate", None)
        self.gate = gate if isinstance(gate, InputGate) else InputGate("terminal")
        self.exit_event = WakingEvent()

    def write(self, data: str) -> None:
        if self.legacy and (data in _MODERN_ONLY or _KITTY_PUSH.fullmatch(data)):
            return
        super().write(data)

    def run_input_thread(self) -> None:
        """Textual's input loop, except that end-of-file on the terminal is a hang-up and a
        flood is cut before it is parsed (see input_limits).

        Textual keeps polling a terminal whose other end is gone, spinning a core forever;
        an RF link that dropped must end the session (its flow is saved after every step).
        Textual also parses all the input there is, so a pasted megabyte became a million
        key events queued at once. The loop is a changed copy of Textual's, kept in
        textual_compat with the version it was copied from.
        """
        exit_event = self.exit_event
        assert isinstance(exit_event, WakingEvent)
        try:
            textual_compat.run_input_thread(self, on_read=self._read, on_end_of_file=hang_up,
                                            admit=self.gate.admit, on_quiet=self.gate.quiet,
                                            wake_fd=exit_event.open(),
                                            pending=self.gate.pending)
        finally:
            exit_event.close()

    def _read(self, batch: list[Message]) -> list[Message]:
        # Keys of one read are one burst: a scan, never a person's answer; a plain scan is
        # sent as one event.
        sent = one_read(batch)
        self.gate.hand_over(keys_in(sent))
        return sent


class WakingEvent(threading.Event):
    """The driver's exit event, which also wakes its input thread: that thread waits for the
    terminal with no timeout while nothing is pending, so setting the event alone would leave
    Textual's join waiting for the next key."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._fd: int | None = None

    def open(self) -> int:
        """The descriptor that becomes readable when the event is set (one per input thread)."""
        with self._lock:
            if self._fd is None:
                self._fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
            if self.is_set():
                os.eventfd_write(self._fd, 1)
            return self._fd

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def set(self) -> None:
        super().set()
        with self._lock:
            if self._fd is not None:
                os.eventfd_write(self._fd, 1)


def hang_up() -> None:
    """Deliver SIGHUP to ourselves: the session's handler (or the default) ends the app."""
    os.kill(os.getpid(), signal.SIGHUP)


@lru_cache(256)
def _attributes_only(style: Style) -> Style | None:
    plain = style.without_color
    return plain if plain else None


class AttributesOnly(LineFilter):
    """Drops every colour, keeping bold and reverse: the screens mean nothing by colour, and
    a blank cell then costs one byte instead of an SGR sequence around it."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            Segment(text, None if style is None else _attributes_only(style), control)
            for text, style, control in segments
        ]


Cell = tuple[str, Style | None]


def _cells(strip: Strip) -> list[Cell]:
    """One entry per terminal cell; the second half of a wide character is ("", style)."""
    cells: list[Cell] = []
    for text, style, control in strip:
        if control:
            continue
        for char in text:
            cells.append((char, style))
            if get_character_cell_size(char) == 2:
                cells.append(("", style))
    return cells


class CellChanges(CompositorUpdate):
    """Cursor moves and the changed cells of each row, nothing else."""

    def __init__(self, changes: list[tuple[int, int, Strip]]) -> None:
        self.changes = changes

    def render_segments(self, console: Console) -> str:
        return "".join(Control.move_to(x, y).segment.text + strip.render(console)
                       for x, y, strip in self.changes)


class ScreenShadow:
    """What the terminal shows, cell by cell, so a repaint sends only the cells that differ.

    Textual repaints whole widget regions, several times when a screen is entered; on a
    radio link every byte counts, so each frame is compared with the last one sent.
    """

    def __init__(self) -> None:
        self.size: Size | None = None
        self.rows: dict[int, list[Cell]] = {}

    def changes(self, frame: LayoutUpdate, size: Size) -> CellChanges | None:
        if size != self.size:
            # A resized terminal may have reflowed or cleared: send everything again.
            self.size, self.rows = size, {}
        changes: list[tuple[int, int, Strip]] = []
        for y, line in enumerate(frame.strips, frame.region.y):
            strip = Strip.join(line)
            cells = _cells(strip)
            old = self.rows.get(y)
            if old == cells:
                continue
            self.rows[y] = cells
            start, end = 0, len(cells)
            if old is not None and len(old) == len(cells):
                while cells[start] == old[start]:
                    start += 1
                while cells[end - 1] == old[end - 1]:
                    end -= 1
                # Never start or stop in the middle of a wide character.
                while start > 0 and cells[start][0] == "":
                    start -= 1
                while end < len(cells) and cells[end][0] == "":
                    end += 1
            changes.append((start + frame.region.x, y, strip.crop(start, end)))
        return CellChanges(changes) if changes else None
