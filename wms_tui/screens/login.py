"""Login: user ID (typed or a badge scan), then the PIN, masked."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.message import Message

from wms_tui.domain.errors import StorageFault, WmsError
from wms_tui.domain.flows.base import Tone
from wms_tui.domain.model import Actor
from wms_tui.domain.scan import normalize_scan
from wms_tui.screens.base import RfScreen, View
from wms_tui.screens.widgets import ScanInput

log = logging.getLogger(__name__)


class LoginScreen(RfScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f3", "back", show=False),
        Binding("f10", "exit", show=False),
    ]

    class Accepted(Message):
        def __init__(self, actor: Actor, saved: tuple[str, dict[str, Any]] | None) -> None:
            super().__init__()
            self.actor = actor
            self.saved = saved

    class Refused(Message):
        def __init__(self, reason: str | None) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, message: str = "", tone: Tone = Tone.NONE) -> None:
        super().__init__()
        self.login = ""
        self.busy = False
        self.first_message = (message, tone)

    def first_view(self) -> View:
        return self.user_view(*self.first_message)

    def on_mount(self) -> None:
        self.query_one(ScanInput).focus()
        if self.rf.operator is not None:
            # The login screen replaces the menu only when the operator logs out.
            self.report_logout(self.rf.report, self.rf.operator)
            self.rf.operator = None

    @work(thread=True, group="audit")
    def report_logout(self, report: Callable[[str, str], None], login: str) -> None:
        report("logout", login)

    def user_view(self, message: str = "", tone: Tone = Tone.NONE) -> View:
        # In demo mode the practice users and PINs are facts on the screen, not a secret.
        return View(self.t("Login"), self.rf.login_facts, self.t("User ID"), message, tone)

    def ask_user(self, message: str = "", tone: Tone = Tone.NONE) -> None:
        self.login = ""
        self.show(self.user_view(message, tone))

    def ask_pin(self) -> None:
        _ = self.t
        self.show(View(_("Login"), (_("User: {login}").format(login=self.login),), _("PIN"),
                       masked=True))

    @on(ScanInput.Submitted)
    def entered(self, event: ScanInput.Submitted) -> None:
        if self.busy:
            return
        if self.login:
            self.busy = True
            self.authenticate(self.rf.auth, self.rf.services, self.login, event.value,
                              self.rf.terminal_id, self.rf.report)
            return
        try:
            # A badge scan may carry a symbology prefix and a suffix, as any scan does.
            login = normalize_scan(event.value).text
        except WmsError:
            self.ask_user(self.t("Enter your user ID"), Tone.ERROR)
            return
        self.login = login.upper()
        self.ask_pin()

    @work(thread=True, exclusive=True, group="login")
    def authenticate(self, auth: Callable[[str, str, str], Actor], services: Any, login: str,
                     pin: str, terminal: str, report: Callable[..., None]) -> None:
        try:
            actor = auth(login, pin, terminal)
        except StorageFault as fault:
            # Not a refusal of the user: the database cannot count the attempt, so no audit row.
            self.post_message(self.Refused(self.failure(f"log-in of {login}", fault)))
            return
        except WmsError as refusal:
            # The audit trail keeps the reason the operator is not shown.
            report("login_failed", login, str(refusal.params.get("detail") or refusal))
            self.post_message(self.Refused(refusal.render(self.rf.t)))
            return
        except Exception as error:
            self.post_message(self.Refused(self.failure(f"log-in of {login}", error)))
            return
        report("login", actor.login)
        try:
            saved = services.saved_flow(actor.user_id)
        except Exception:
            # Losing the offer to resume must not stop the operator from working.
            log.exception("reading the saved flow of %s failed", login)
            saved = None
        self.post_message(self.Accepted(actor, saved))

    @on(Refused)
    def refused(self, event: Refused) -> None:
        self.busy = False
        self.ask_user(event.reason or self.t("System error - try again"), Tone.ERROR)

    @on(Accepted)
    def accepted(self, event: Accepted) -> None:
        from wms_tui.screens.menu import MenuScreen

        self.busy = False
        self.rf.operator = event.actor.login
        self.rf.use_language(event.actor.language)
        typed_ahead = self.query_one(ScanInput).value
        self.app.switch_screen(MenuScreen(event.actor, event.saved, typed_ahead))

    def action_back(self) -> None:
        if not self.busy:
            self.ask_user()

    def action_exit(self) -> None:
        self.app.exit()
