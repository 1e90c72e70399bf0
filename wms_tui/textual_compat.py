"""Every use of Textual's private names, in one place, checked against the pinned version.

Textual (pinned exactly in pyproject.toml) has no public API for six things the RF app needs:
writing only the cells that changed, rendering a repaint once (not once for Textual and once
for that), ending on an error with a note instead of a traceback, not sending pointer shapes,
numbering the keys of one terminal read as a burst, and parsing the stylesheet once per
process instead of once per session. This
module is the only code that touches underscored Textual names; everything else calls the
functions and the base class below. tests/unit/test_textual_compat.py fails, naming the name,
when a Textual upgrade removes or changes one of them.
"""

from __future__ import annotations

import os
import selectors
from codecs import getincrementaldecoder
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.console import RenderableType
from textual._compositor import CompositorUpdate, LayoutUpdate
from textual._context import visible_screen_stack
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.cache import LRUCache
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.css.types import CSSLocation
from textual.geometry import Region
from textual.screen import Screen

if TYPE_CHECKING:
    from textual.driver import Driver
    from textual.drivers.linux_driver import LinuxDriver
    from textual.message import Message

__all__ = [
    "RUN_INPUT_THREAD_COPIED_FROM",
    "RUN_INPUT_THREAD_SHA256",
    "STYLESHEET_REPARSE_SHA256",
    "CompositorUpdate",
    "HookedApp",
    "HookedScreen",
    "LayoutUpdate",
    "RowsUpdate",
    "SharedStylesheet",
    "XTermParser",
    "changed_rows",
    "driver_of",
    "full_frame",
    "run_input_thread",
    "xterm_parser",
]

# run_input_thread below is LinuxDriver.run_input_thread of this Textual version, changed; the
# test compares this hash of upstream's source, so an upgrade that changes it asks for a re-copy.
RUN_INPUT_THREAD_COPIED_FROM = "8.2.8"
RUN_INPUT_THREAD_SHA256 = "d796af6d69db337d6fa6bd463984f7d17188d991dbb22f60efb92a8a9619507c"
# SharedStylesheet.reparse is Stylesheet.reparse of the same version, parsing through the cache.
STYLESHEET_REPARSE_SHA256 = "dd193eb05f8baeb5f73d962b99719f6b55391333c06064c1a10cf0de4d8e30a4"


def xterm_parser(debug: bool = False) -> XTermParser:
    """A new parser of raw terminal input, the one LinuxDriver uses: Textual exports none."""
    return XTermParser(debug=debug)


def driver_of(app: App[Any]) -> Driver | None:
    """The app's running driver, to queue input as the terminal would: App has no accessor."""
    return app._driver


def full_frame(app: App[Any], screen: Screen[Any] | None = None) -> LayoutUpdate:
    """The whole of a screen (default: the current one) as the terminal should show it, with
    the screens under it; Textual renders it only inside `export_screenshot`."""
    shown = app.screen if screen is None else screen
    frame = shown._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(frame, LayoutUpdate)
    return frame


class RowsUpdate(LayoutUpdate):
    """Whole rows of the screen: the ones a repaint touches, rendered once."""


def changed_rows(screen: Screen[Any]) -> RowsUpdate | None:
    """The full-width rows of screen that have anything to repaint (None: nothing), rendered
    as Textual's compositor would render them, with the screens under it; its dirty regions
    are then cleared, as Textual's own partial render clears them."""
    compositor = screen._compositor
    dirty = compositor._dirty_regions
    if not dirty:
        return None
    size = compositor.size
    area = Region.from_union(list(dirty)).intersection(size.region)
    dirty.clear()
    if not area:
        return None
    first, last = area.y, area.bottom
    visible_screen_stack.set(screen.app._background_screens)
    chops = compositor._render_chops(Region(0, first, size.width, area.height),
                                     lambda y: first <= y < last)
    return RowsUpdate([chop.values() for chop in chops[first:last]],
                      Region(0, first, size.width, area.height))


def _keep_all(data: bytes) -> int:
    return len(data)


def _nothing() -> None:
    return None


def _nothing_pending() -> bool:
    return False


def run_input_thread(driver: LinuxDriver, on_read: Callable[[list[Message]], list[Message]],
                     on_end_of_file: Callable[[], None],
                     admit: Callable[[bytes], int] = _keep_all,
                     on_quiet: Callable[[], None] = _nothing,
                     wake_fd: int | None = None,
                     pending: Callable[[], bool] = _nothing_pending) -> None:
    """LinuxDriver.run_input_thread (Textual 8.2.8) with the RF driver's five changes.

    on_read is given the events of each read and returns what to deliver (so a read's keys can
    be marked as one burst, or sent as one event); end-of-file, or a read error, calls
    on_end_of_file and ends the loop instead of polling a terminal whose other end is gone;
    undecodable bytes are replaced instead of raising; admit says how many bytes of a read
    (from its start) are parsed at all, the rest being dropped unparsed, and on_quiet is called
    when the terminal sent nothing for a select timeout (0.1 s). After dropped bytes parsing
    starts afresh, so an escape sequence or character cut there is not glued to what follows.
    Given wake_fd (readable once the driver's exit_event is set), the loop waits with no
    timeout while neither the parser (a lone ESC) nor pending() (on_quiet's caller) waits for
    the terminal to be quiet, so an idle session's thread sleeps instead of waking ten times a
    second. Textual has no hook for any of these.
    """
    selector = selectors.SelectSelector()
    selector.register(driver.fileno, selectors.EVENT_READ)
    if wake_fd is not None:
        selector.register(wake_fd, selectors.EVENT_READ)
    parser = XTermParser(debug=driver._debug)
    decode = getincrementaldecoder("utf-8")(errors="replace").decode
    try:
        while not driver.exit_event.is_set():
            waiting = wake_fd is None or parser._timeout_time is not None or pending()
            ready = selector.select(0.1 if waiting else None)
            if not ready:
                on_quiet()
            for key, mask in ready:
                if key.fd == wake_fd:
                    continue
                if mask & selectors.EVENT_READ:
                    try:
                        data = os.read(driver.fileno, 4096)
                    except OSError:
                        data = b""
                    if not data:
                        on_end_of_file()
                        return
                    kept = admit(data)
                    if kept > 0:
                        batch = on_read(list(parser.feed(decode(data[:kept]))))
                        for event in batch:
                            driver.process_message(event)
                    if kept < len(data):
                        parser = XTermParser(debug=driver._debug)
                        decode = getincrementaldecoder("utf-8")(errors="replace").decode
            for event in parser.tick():
                driver.process_message(event)
    finally:
        selector.close()


class HookedApp(App[None]):
    """Textual's App with the private hooks the RF app needs turned into public-named ones.

    A subclass overrides `frame_to_send` to send less than the whole repainted region and
    `crash_note` for what an unexpected error leaves on the terminal (never a traceback), and
    sets POINTER_SHAPES = False to send no kitty pointer-shape sequences.
    """

    POINTER_SHAPES: ClassVar[bool] = True

    def frame_to_send(self, frame: LayoutUpdate) -> CompositorUpdate | None:
        """What to write for a repaint, given the whole screen as it should look now.

        None writes nothing. Called only when the repaint would reach a real terminal.
        """
        return frame

    def crash_note(self, error: Exception) -> RenderableType | None:
        """What the terminal shows after an unexpected error has ended the app; None: nothing.

        Called once per error, before the app closes; the exit code is 1 either way.
        """
        return None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stylesheet = SharedStylesheet(variables=self.stylesheet._variables)

    def writes_frames(self) -> bool:
        """True while a repaint reaches a real (not inline) terminal: Textual's own test."""
        return bool(self._running and not self._closed and not self.is_headless
                    and self._driver is not None and not self._batch_count
                    and not self.is_inline)

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        """Textual writes each repaint here; the only place a frame can be replaced."""
        if self.writes_frames() and isinstance(renderable, CompositorUpdate):
            if not isinstance(renderable, RowsUpdate):
                # A repaint Textual rendered itself (not through a HookedScreen).
                renderable = full_frame(self, screen)
            renderable = self.frame_to_send(renderable)
            if renderable is None:
                return
        super()._display(screen, renderable)

    def _handle_exception(self, error: Exception) -> None:
        """Textual calls this for any error in the app: Textual's own handling, except that
        crash_note replaces the traceback it prints."""
        self._return_code = 1
        if self._exception is None:
            # Pilot tests re-raise it, as Textual does for any app.
            self._exception = error
            self._exception_event.set()
        note = self.crash_note(error)
        if note is not None:
            self._exit_renderables.append(note)
        self.bell()
        self._close_messages_no_wait()

    def _set_pointer_shape(self, shape: str) -> None:
        """Textual sends a pointer shape on every hover change; App has no switch for it."""
        if self.POINTER_SHAPES:
            super()._set_pointer_shape(shape)


Result = TypeVar("Result")


class HookedScreen(Screen[Result]):
    """Textual's Screen, repainting the rows it changed in one render when its app writes to a
    terminal: Textual would render the changed regions, which HookedApp then drops to render
    the whole screen again for frame_to_send."""

    def _compositor_refresh(self) -> None:
        app = self.app
        if not (isinstance(app, HookedApp) and self is app.screen and app.writes_frames()):
            super()._compositor_refresh()
            return
        app._display(self, changed_rows(self))
        self._dirty_widgets.clear()
        app._update_mouse_over(self)


class SharedStylesheet(Stylesheet):
    """A Stylesheet whose parsed rules are kept for the whole process: every app (session)
    after the first, and every re-parse Textual asks for, reuses them instead of parsing the
    same CSS again. Forked from a warm zygote, a session parses nothing."""

    # (css, where from, defaults?, tie breaker, scope, CSS variables) -> the parsed rules.
    parsed: ClassVar[LRUCache[tuple[object, ...], list[RuleSet]]] = LRUCache(256)

    def _parse_rules(self, css: str, read_from: CSSLocation, is_default_rules: bool = False,
                     tie_breaker: int = 0, scope: str = "") -> list[RuleSet]:
        key = (css, read_from, is_default_rules, tie_breaker, scope,
               frozenset(self._variables.items()))
        rules = self.parsed.get(key)
        if rules is None:
            rules = super()._parse_rules(css, read_from, is_default_rules, tie_breaker, scope)
            self.parsed[key] = rules
        return rules

    def reparse(self) -> None:
        """Stylesheet.reparse (Textual 8.2.8: parse the sources afresh, keep self as it was if
        they are invalid), parsing through the shared rules."""
        fresh = SharedStylesheet(variables=self._variables)
        for read_from, (css, is_defaults, tie_breaker, scope) in self.source.items():
            fresh.add_source(css, read_from=read_from, is_default_css=is_defaults,
                             tie_breaker=tie_breaker, scope=scope)
        try:
            fresh.parse()
        except Exception:
            self._invalid_css.update(fresh._invalid_css)
            raise
        self._rules = fresh.rules
        self._rules_map = None
        self.source = fresh.source
        self._require_parse = False
