"""The numbered main menu: a digit opens a flow at once, 0 or F10 logs out."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from textual import events, work
from textual.binding import Binding, BindingType
from textual.events import Resize

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.flows.base import Tone
from wms_tui.domain.flows.registry import FlowSpec, allowed_flows, find_flow
from wms_tui.domain.model import Actor
from wms_tui.screens.base import RfScreen, View
from wms_tui.screens.bursts import burst_of, pass_on
from wms_tui.screens.modals import ConfirmModal
from wms_tui.screens.widgets import MenuList

log = logging.getLogger(__name__)

# The dashboard and the supervisor's desk are screens for 24x80 and larger: a smaller screen's
# menu leaves them out, so every entry it shows fits whole.
DESK_SIZE = (80, 24)


class MenuScreen(RfScreen):
    with_input = False
    fact_list = MenuList
    BINDINGS: ClassVar[list[BindingType]] = [Binding("f10", "logout", show=False)]

    def __init__(self, actor: Actor, saved: tuple[str, dict[str, Any]] | None = None,
                 typed_ahead: str = "") -> None:
        super().__init__()
        self.actor = actor
        self.saved = saved
        # What the operator keyed while the PIN was being checked: a menu choice made early.
        self.typed_ahead = typed_ahead
        self.entries: list[FlowSpec] = []
        self.refused_burst = 0

    def first_view(self) -> View:
        _ = self.t
        self.entries = self.entries_for(self.app.size.width, self.app.size.height)
        return View(_("Menu {login}").format(login=self.actor.login), self.entry_lines(),
                    _("Choose a number"))

    def entries_for(self, width: int, height: int) -> list[FlowSpec]:
        """What the role may open that this screen can show: desk screens only at 24x80."""
        desk = width >= DESK_SIZE[0] and height >= DESK_SIZE[1]
        return [spec for spec in allowed_flows(self.actor.role, self.rf.flows)
                if desk or spec.factory is not None]

    def entry_lines(self) -> tuple[str, ...]:
        _ = self.t
        return (*(f"{spec.key} {_(spec.title)}" for spec in self.entries), "0 " + _("Logout"))

    def on_resize(self, event: Resize) -> None:
        super().on_resize(event)
        entries = self.entries_for(event.size.width, event.size.height)
        if entries != self.entries:
            self.entries = entries
            self.query_one(MenuList).show(self.entry_lines())

    def on_mount(self) -> None:
        saved, self.saved = self.saved, None
        # A demo scenario starts its exercise straight after log-in.
        scenario = find_flow(self.entries, self.rf.scenario) if self.rf.scenario else None
        if saved is not None and self.worth_resuming(*saved, scenario):
            self.offer_resume(*saved)
        elif scenario is not None:
            self.open(scenario)
        else:
            self.take_typed_ahead()

    def take_typed_ahead(self) -> None:
        if is_ascii_digits(self.typed_ahead[:1]):
            choice, self.typed_ahead = self.typed_ahead[0], ""
            self.choose(choice)

    def worth_resuming(self, name: str, state: dict[str, Any],
                       scenario: FlowSpec | None) -> bool:
        """Work past a flow's first step, or a confirmation the operator may not have seen
        (Flow.has_work); in a scenario, only its own flow."""
        spec = find_flow(self.entries, name)
        if spec is None or spec.factory is None or (scenario is not None and spec != scenario):
            return False
        try:
            return spec.build(self.actor, self.rf.services, self.rf.t, state).has_work()
        except Exception:
            log.exception("reading the saved %s flow failed", name)
            return False

    def offer_resume(self, name: str, state: dict[str, Any]) -> None:
        spec = find_flow(self.entries, name)
        if spec is None:
            # The flow is gone from this build or no longer allowed for this role.
            self.discard_saved(self.rf.services, self.actor.user_id)
            return

        def answered(resume: bool | None) -> None:
            if resume:
                self.open(spec, state)
                return
            self.discard_saved(self.rf.services, self.actor.user_id)
            # A menu choice keyed while the PIN was checked is kept for after the question.
            scenario = find_flow(self.entries, self.rf.scenario) if self.rf.scenario else None
            if scenario is not None:
                self.open(scenario)
            else:
                self.take_typed_ahead()

        question = self.t("Resume {flow}?").format(flow=self.t(spec.title))
        self.app.push_screen(ConfirmModal(question, self.t), answered)

    @work(thread=True, group="menu")
    def discard_saved(self, services: Any, user_id: int) -> None:
        try:
            services.clear_flow(user_id)
        except Exception:
            log.exception("clearing the saved flow of user %s failed", user_id)

    def open(self, spec: FlowSpec, state: dict[str, Any] | None = None) -> None:
        from wms_tui.screens.step import FlowScreen

        if spec.factory is None:
            # Supervisor work is a screen of its own (24x80 and larger), not a step flow.
            from wms_tui.screens.dashboard import DashboardScreen
            from wms_tui.screens.supervisor import SupervisorScreen

            screens = {"dashboard": DashboardScreen, "supervisor": SupervisorScreen}
            self.app.push_screen(screens[spec.name](self.actor))
            return
        try:
            flow = spec.build(self.actor, self.rf.services, self.rf.t, state)
            screen = FlowScreen(self.actor, flow, resume=state is not None)
        except Exception as error:
            # A saved state this build cannot read must not lock the operator out of the flow.
            self.discard_saved(self.rf.services, self.actor.user_id)
            self.system_error(f"opening the {spec.name} flow", error)
            return
        self.show_message("")
        self.app.push_screen(screen)

    def on_key(self, event: events.Key) -> None:
        if not self.is_active:
            pass_on(self.app, event)
            return
        choice = event.character
        if choice is None or not choice.isprintable():
            return
        event.stop()
        burst = burst_of(event)
        if burst:
            # A scan at the menu opens nothing (menu entries are chosen by a key); once a scan.
            if burst != self.refused_burst:
                self.refused_burst = burst
                self.show_message(self.t("Key the number of a menu entry"), Tone.ERROR)
            return
        self.choose(choice)

    def choose(self, choice: str) -> None:
        if choice == "0":
            self.action_logout()
            return
        spec = next((s for s in self.entries if s.key == choice), None)
        allowed = allowed_flows(self.actor.role, self.rf.flows)
        if spec is None and any(s.key == choice for s in allowed):
            self.show_message(self.t("Needs a 24x80 screen or larger"), Tone.ERROR)
        elif spec is None:
            self.show_message(self.t("No such choice"), Tone.ERROR)
        else:
            self.open(spec)

    def action_logout(self) -> None:
        from wms_tui.screens.login import LoginScreen

        self.app.switch_screen(LoginScreen())
