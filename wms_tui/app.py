"""The RF app every terminal runs: login, a numbered menu, and one generic screen per flow step.

Everything it needs is passed in (services, an auth function, the terminal ID, the flows), so
the same app runs in this terminal (`wms tui`) or on a pseudo-terminal a server opens.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.driver import Driver
from textual.filter import LineFilter

from wms_tui.domain.flows.base import Translate, no_translation
from wms_tui.domain.flows.registry import FlowSpec, default_flows
from wms_tui.domain.model import Actor
from wms_tui.input_limits import InputGate
from wms_tui.rf_driver import AttributesOnly, ScreenShadow
from wms_tui.screens.bursts import ScanBurst, is_dropped
from wms_tui.screens.keys import key_names
from wms_tui.screens.widgets import ScanInput, visible
from wms_tui.textual_compat import CompositorUpdate, HookedApp, LayoutUpdate

Authenticate = Callable[[str, str, str], Actor]
# (event, login, detail): "login", "login_failed" or "logout", for the server's audit log.
AuditCallback = Callable[[str, str, str], None]

log = logging.getLogger(__name__)


class RfApp(HookedApp, inherit_bindings=False):
    """No mouse, no command palette, no timers, and no App-wide keys: on a serial RF link
    Ctrl-Q is XON, so Textual's Ctrl-Q quit binding would end a session by accident."""

    CSS_PATH = "screens/rf.tcss"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = []
    # No mouse: the kitty pointer-shape sequence ends in BEL, which rings a VT220.
    POINTER_SHAPES = False
    # The burst of a scan that closed a pop-up (see screens.bursts): its rest is dropped here.
    dropped_burst = 0
    # Told to end (a hang-up, an idle timeout, a logout at the login screen): keys still
    # queued, such as the rest of a flood, are dropped instead of handled on the way out.
    leaving = False

    def __init__(
        self,
        services: Any,
        auth: Authenticate,
        *,
        terminal_id: str,
        flows: Sequence[FlowSpec] | None = None,
        ascii_mode: bool = False,
        term: str | None = None,
        language: str = "en",
        translator: Callable[[str], Translate] | None = None,
        driver_class: type[Driver] | None = None,
        audit: AuditCallback | None = None,
        training: bool = False,
        demo: Any = None,
        login_facts: Sequence[str] = (),
        scenario: str | None = None,
        session_name: str | None = None,
        note_on_exit: bool = True,
    ) -> None:
        super().__init__(driver_class=driver_class)
        # Demo mode: TRAINING in every header, the virtual scanner (F6) over demo, demo users
        # shown on the login screen, and a scenario's flow opened straight after log-in.
        self.training = training
        self.demo = demo
        self.login_facts = tuple(login_facts)
        self.scenario = scenario
        self.services = services
        self.auth = auth
        self.terminal_id = terminal_id
        self.flows: tuple[FlowSpec, ...] = tuple(default_flows() if flows is None else flows)
        self.ascii_mode = ascii_mode
        # What the terminal's keyboard calls help, back, exception and scanner (PF keys on VTs).
        self.keys = key_names(term)
        self.language = language
        self.translator = translator or (lambda _language: no_translation)
        self.t: Translate = self.translator(language)
        # --lang fixes the language; otherwise each operator gets their own after log-in.
        self.language_fixed = False
        self.bell_count = 0
        self.title = f"WMS {terminal_id}"
        self.theme = "ansi-dark"
        self._line_filters = [AttributesOnly()]
        self._shadow = ScreenShadow()
        self.audit = audit
        # Who is logged in now, so a logout (or a hang-up) can be reported under their name.
        self.operator: str | None = None
        # How the log names this session: the server's session number, or the terminal.
        self.session_name = session_name or f"terminal {terminal_id}"
        # How much input is parsed and queued (input_limits); the driver counts keys into it.
        self.input_gate = InputGate(self.session_name)
        # Over `wms serve` the session writes the crash note itself, for a pty in raw mode.
        self.note_on_exit = note_on_exit
        self.exit_note: str | None = None
        self.crashed = False

    @property
    def header_right(self) -> str:
        """The header's right-hand side: the terminal ID, or TRAINING on a practice database."""
        return self.t("TRAINING") if self.training else self.terminal_id

    def on_mount(self) -> None:
        from wms_tui.screens.login import LoginScreen

        self.push_screen(LoginScreen())

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Terminal default colours only: meaning is carried by reverse, bold and prefixes."""
        return self._line_filters

    def frame_to_send(self, frame: LayoutUpdate) -> CompositorUpdate | None:
        """Send the terminal only the cells that changed since the last frame."""
        return self._shadow.changes(frame, self.size)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, ScanBurst):
            await self._scan_burst(event)
            return
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.input_gate.take()
            if not self._admits(event):
                return
        await super().on_event(event)

    def _admits(self, event: events.Key | ScanBurst) -> bool:
        # Dropped at the app: keys still queued after the pop-up left go to no screen at all,
        # and none once the app is leaving.
        if self.leaving or is_dropped(self, event):
            return False
        # The screen or entry line is that far behind only in a flood: not one key more.
        if (self.focused or self.screen).message_queue_size >= self.input_gate.queued_keys:
            self.input_gate.drop_queued()
            return False
        return True

    async def _scan_burst(self, scan: ScanBurst) -> None:
        """A scan's keys in one event: whole to the entry line that has the focus, else key by
        key as they would have come (a menu or a pop-up's answer keys)."""
        self.input_gate.take(len(scan.keys))
        if not self._admits(scan):
            return
        if isinstance(self.focused, ScanInput):
            self.focused.post_message(scan)
            return
        for key in scan.keys:
            if not self._admits(key):
                return
            # As the driver would have sent it.
            key.set_sender(self)
            await super().on_event(key)

    def exit(self, *args: Any, **kwargs: Any) -> None:
        """Textual's exit; keys queued behind it are dropped, so a hang-up ends at once."""
        self.leaving = True
        super().exit(*args, **kwargs)

    def crash_note(self, error: Exception) -> RenderableType | None:
        """An unexpected error ends the session with a short note, never a traceback.

        The traceback goes to the log under the session's name; the terminal gets one
        translated line after the app has left the screen, and the exit code says it failed.
        """
        log.error("%s: unexpected error, session ended", self.session_name, exc_info=error)
        self.crashed = True
        note = visible(self.t("System error - your work is saved. Log in again."),
                       self.ascii_mode)
        self.exit_note = note
        return Text(note) if self.note_on_exit else None

    def report(self, event: str, login: str, detail: str = "") -> None:
        """Tell the audit log, if there is one; a failing audit log never stops a log-in."""
        if self.audit is None:
            return
        try:
            self.audit(event, login, detail)
        except Exception:
            logging.getLogger(__name__).exception("audit of %s %s failed", event, login)

    def use_language(self, language: str) -> None:
        """Switch operator text to the logged-in user's language, unless --lang fixed it."""
        if self.language_fixed or language == self.language:
            return
        try:
            self.t = self.translator(language)
        except ValueError:
            logging.getLogger(__name__).warning("no catalogue for language %r", language)
            return
        self.language = language

    def bell(self) -> None:
        """Counted, because a headless test terminal swallows the BEL character."""
        self.bell_count += 1
        super().bell()


def default_terminal_id() -> str:
    """WMS_TERMINAL, else the tty name (pts/3 -> pts3), else the host name."""
    if named := os.environ.get("WMS_TERMINAL"):
        return named[:20]
    try:
        tty = os.ttyname(sys.stdin.fileno())
    except (OSError, ValueError, AttributeError):
        tty = ""
    if tty:
        return tty.removeprefix("/dev/").replace("/", "")[:20]
    return socket.gethostname().split(".")[0][:20] or "RF"


def run_tui(database_url: str | None = None, terminal: str | None = None,
            ascii_mode: bool | None = None, lang: str | None = None,
            demo: bool = False, scenario: str | None = None) -> None:
    """Run the RF app in the current terminal against the given (or default) database.

    demo: the database must carry the demo marker; the app shows TRAINING and offers F6.
    """
    from wms_tui.bootstrap import data_dir, wire
    from wms_tui.i18n import translator
    from wms_tui.rf_driver import RfDriver, terminal_profile

    if not logging.getLogger().handlers:
        # The terminal is the operator's screen: errors go to a file, never onto it.
        logging.basicConfig(filename=data_dir() / "rf.log", level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s %(message)s")
    site = wire(database_url)
    try:
        current, head = site.schema()
        if current != head:
            raise SystemExit("The database schema is not current: run `wms db upgrade` first.")
        extras: dict[str, Any] = {}
        if demo:
            from wms_tui.demo.launch import demo_app_options

            extras = demo_app_options(site.engine, scenario)
        profile = terminal_profile()
        app = RfApp(
            site.services, site.auth,
            terminal_id=terminal or default_terminal_id(),
            ascii_mode=profile.ascii_only if ascii_mode is None else ascii_mode,
            term=profile.term,
            language=lang or "en",
            translator=translator,
            driver_class=RfDriver,
            **extras,
        )
        app.language_fixed = lang is not None
        app.run(mouse=False)
    finally:
        site.close()
