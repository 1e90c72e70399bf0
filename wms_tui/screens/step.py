"""One screen for every flow: it renders the flow's current Step and forwards input to it.

Flow calls (which may post to the database) run in a thread worker, one at a time; the result
comes back as a message and only the message handlers touch widgets. The flow's state is saved
after every step so the operator can resume after a dropped connection; a step's posting and
that save commit as one transaction (the services' step_transaction).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.message import Message

from wms_tui.domain.flows.base import AnyFlow, Fact, FactKind, InputKind, Step, Tone
from wms_tui.domain.flows.inquiry import PAGE_HEADINGS
from wms_tui.domain.model import Actor
from wms_tui.screens.base import RfScreen, View
from wms_tui.screens.context_panel import (
    ContextPanel,
    ContextPlace,
    HeadingLine,
    StepFacts,
    context_place,
)
from wms_tui.screens.fact_layout import DescriptionLine, WrappedLine
from wms_tui.screens.modals import ConfirmModal, HelpModal
from wms_tui.screens.widgets import FactList, ScanInput

if TYPE_CHECKING:
    from wms_tui.demo.scanner import DemoCatalog

FlowCall = Callable[[], Step | None]
# Steps that ask a question: answered by keying a number and Enter, never by a scan.
QUESTIONS = frozenset({InputKind.CHOICE, InputKind.YESNO})


def fact_line(fact: Fact) -> str:
    if fact.kind is FactKind.DESCRIPTION:
        return DescriptionLine(fact.value)
    if fact.kind is FactKind.HEADING:
        return HeadingLine(fact.value)
    line = f"{fact.label}: {fact.value}"
    return WrappedLine(line) if fact.kind is FactKind.WRAPPED else line


def step_view(step: Step) -> View:
    """Facts as 'Label: value', then the choices as the flow numbered them."""
    lines = [fact_line(fact) for fact in step.facts]
    lines.extend(step.choices)
    return View(step.title, tuple(lines), step.prompt, step.message, step.tone,
                masked=step.input is InputKind.PIN)


class FlowScreen(RfScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f3", "back", show=False),
        Binding("f1", "help", show=False),
        # PF4 and PF2 (sent as F4 and F2) stand in on VT terminals, which have no F5 or F6.
        Binding("f5,f4", "exception", show=False),
        Binding("f6,f2", "virtual_scan", show=False),
    ]
    # Facts that can take the step's context under them on a tall narrow screen.
    fact_list = StepFacts

    class Advanced(Message):
        """A flow call finished; step None means the operator left the flow. context is what
        a screen bigger than a handheld shows beside the step (none when it was not asked)."""

        def __init__(self, step: Step | None, context: tuple[Fact, ...] = ()) -> None:
            super().__init__()
            self.step = step
            self.context = context

    class Failed(Message):
        """A flow call or a look-up raised something unexpected (a storage fault included);
        the flow's state is as it was before."""

        def __init__(self, doing: str, error: Exception) -> None:
            super().__init__()
            self.doing = doing
            self.error = error

    class CodesFound(Message):
        """The virtual scanner looked up the codes the current step accepts."""

        def __init__(self, codes: list[tuple[str, str]]) -> None:
            super().__init__()
            self.codes = codes

    def __init__(self, actor: Actor, flow: AnyFlow, resume: bool = False) -> None:
        super().__init__()
        self.actor = actor
        self.flow = flow
        self.resume = resume
        # Rendering is from state alone, so the first step can be drawn before any I/O.
        self.step = flow.current()
        self.busy = False
        # What the operator did while a flow call was running (scans, F6), run in turn after.
        self.pending: list[Callable[[], None]] = []
        # The last step's context, kept so a resize can show it in its new place.
        self.context: tuple[Fact, ...] = ()
        # The state as last saved for resuming (a resumed flow starts from the saved one).
        self.saved_state: dict[str, Any] | None = copy.deepcopy(flow.state) if resume else None

    def compose(self) -> ComposeResult:
        """The base screen's widgets; a flow that has context gets a column for it beside its
        facts, shown from SIDE_WIDTH columns."""
        for widget in super().compose():
            if isinstance(widget, FactList) and self.flow.has_context():
                panel = ContextPanel(id="context")
                panel.display = widget.wide = context_place(self.app.size) is ContextPlace.SIDE
                yield Horizontal(widget, panel, id="body")
            else:
                yield widget

    def first_view(self) -> View:
        return self.guided(step_view(self.step))

    def guided(self, view: View) -> View:
        """The keys named as this keyboard has them; in a demo scenario an empty message line
        carries the step's short instruction."""
        keys = self.rf.keys
        view = replace(view, prompt=keys.name(view.prompt), message=keys.name(view.message))
        if self.rf.scenario is None or view.message:
            return view
        from wms_tui.demo.scenarios import hint

        return replace(view, message=keys.name(self.t(hint(self.flow))))

    def legend(self) -> str:
        """The keys this step has, for the bottom row of a tall screen."""
        keys, t = self.rf.keys, self.t
        parts = [f"{keys.help} {t('Help')}", f"{keys.back} {t('Back')}"]
        if self.flow.EXCEPTION and self.flow.offers_exception_key():
            parts.append(f"{keys.exception} {t(self.flow.EXCEPTION)}")
        if self.rf.demo is not None:
            parts.append(f"{keys.scanner} {t('Scanner')}")
        return "  ".join(parts)

    def on_mount(self) -> None:
        self.query_one(ScanInput).focus()
        self.call_flow(self.flow.resume if self.resume else self.flow.current)

    def call_flow(self, call: FlowCall) -> None:
        self.busy = True
        self.run_flow(call, self.rf.services, self.actor, self.flow, self.lines_per_page(),
                      self.wants_context())

    def wants_context(self) -> bool:
        """Context is asked for only where this screen can show it: never on a handheld."""
        return self.flow.has_context() and context_place(self.app.size) is not None

    def show_context(self, context: tuple[Fact, ...]) -> None:
        """The context beside the facts on a wide screen, under them on a tall narrow one."""
        self.context = context
        if not self.flow.has_context():
            return
        lines = tuple(fact_line(fact) for fact in context)
        place = context_place(self.app.size)
        self.query_one(ContextPanel).show(lines if place is ContextPlace.SIDE else ())
        self.query_one(StepFacts).show_context(lines if place is ContextPlace.BELOW else ())

    def on_resize(self, event: Resize) -> None:
        if not self.flow.has_context():
            return
        side = context_place(event.size) is ContextPlace.SIDE
        self.query_one(ContextPanel).display = side
        self.query_one(StepFacts).wide = side
        self.show_context(self.context)

    def lines_per_page(self) -> int | None:
        """Stock lines a paged step (inquiry) can show here, below its two or three headings."""
        facts = self.query_one(FactList)
        if facts.fact_rows < 1:
            return None
        columns = 2 if facts.size.width >= 40 else 1
        return max(1, facts.fact_rows * columns - PAGE_HEADINGS)

    @work(thread=True, group="flow")
    def run_flow(self, call: FlowCall, services: Any, actor: Actor, flow: AnyFlow,
                 page_lines: int | None = None, wants_context: bool = False) -> None:
        before = copy.deepcopy(flow.state)
        # One transaction per step: a posting and the resume point after it commit together.
        one_step = getattr(services, "step_transaction", nullcontext)
        try:
            with one_step():
                set_page_size = getattr(flow, "set_page_size", None)
                if (page_lines and set_page_size
                        and getattr(flow, "page_size", None) != page_lines):
                    set_page_size(page_lines)
                step = call()
                wrote, saved = self.save_resume_point(services, actor, flow, step)
        except Exception as error:
            flow.state = before
            flow.message, flow.tone = "", Tone.NONE
            self.post_message(self.Failed(f"the {flow.name} flow at step {before.get('step')}",
                                          error))
            return
        if wrote:
            # Only now: the step's commit above is what made it the saved state.
            self.saved_state = saved
        context: tuple[Fact, ...] = ()
        if wants_context and step is not None and not step.finished:
            try:
                context = flow.context()
            except Exception as error:
                # Context only adds to the step: without it the step goes on as on a handheld.
                self.failure(f"the {flow.name} flow's context", error)
        self.post_message(self.Advanced(step, context))

    def save_resume_point(self, services: Any, actor: Actor, flow: AnyFlow,
                          step: Step | None) -> tuple[bool, dict[str, Any] | None]:
        """Save (or clear) where the operator is: whether it wrote, and what it saved."""
        try:
            if step is None or step.finished:
                services.clear_flow(actor.user_id)
                return True, None
            if flow.state != self.saved_state:
                services.save_flow(actor.user_id, flow.name, flow.state, actor.terminal)
                return True, copy.deepcopy(flow.state)
            # A refused scan left the state as saved, so no write queues for the lock.
        except Exception as error:
            # The step itself is done; only the resume point is stale, so carry on.
            self.failure(f"saving the {flow.name} flow state", error)
        return False, None

    @on(Advanced)
    def advanced(self, event: Advanced) -> None:
        self.busy = False
        if event.step is None:
            self.dismiss()
            return
        self.step = event.step
        self.show(self.guided(step_view(event.step)))
        self.show_context(event.context)
        self.next_pending()

    @on(Failed)
    def failed(self, event: Failed) -> None:
        self.busy = False
        self.system_error(event.doing, event.error)
        self.next_pending()

    def next_pending(self) -> None:
        if self.pending:
            self.pending.pop(0)()

    @on(ScanInput.Submitted)
    def entered(self, event: ScanInput.Submitted) -> None:
        self.submit(event.value, scanned=event.scanned)

    def submit(self, text: str, scanned: bool = False) -> None:
        # A scan that arrives while the last one is still posting waits its turn.
        if self.busy:
            self.pending.append(lambda: self.submit(text, scanned))
            return
        if scanned and self.step.input in QUESTIONS:
            # Questions are answered by keys: a scan here was meant for another step.
            self.show_message(self.t("A scan does not answer. Key the number, then Enter"),
                              Tone.ERROR)
            self.next_pending()
            return
        if self.step.finished:
            self.call_flow(lambda: None)
        else:
            self.call_flow(lambda: self.flow.submit(text))

    def action_back(self) -> None:
        if self.busy:
            return
        if not self.step.unsaved_work:
            self.call_flow(self.flow.back)
            return

        def answered(lose: bool | None) -> None:
            if lose:
                self.call_flow(self.flow.back)

        self.app.push_screen(ConfirmModal(self.t("Lose this work?"), self.t), answered)

    def action_help(self) -> None:
        text = self.rf.keys.name(self.step.help or self.t("No help for this step"))
        self.app.push_screen(HelpModal(self.t("Help"), text, self.t("Any key: back")))

    def action_exception(self) -> None:
        if not self.busy:
            self.call_flow(self.flow.exception_key)

    def action_virtual_scan(self) -> None:
        """Demo mode only: list the codes this step accepts (and a wrong one); a digit scans.

        The codes come from the database, so they are looked up in a worker like a flow call.
        Pressed while a call is running (as the screen opens), it lists the codes of the step
        that call leads to. F5 and Esc are not kept: they would act on a step not yet seen.
        """
        if self.busy:
            self.pending.append(self.action_virtual_scan)
            return
        if self.rf.demo is None or self.step.finished:
            return
        self.busy = True
        self.look_up_codes(self.flow, self.rf.demo)

    @work(thread=True, group="flow")
    def look_up_codes(self, flow: AnyFlow, catalog: DemoCatalog) -> None:
        from wms_tui.demo.scanner import suggestions

        try:
            codes = suggestions(flow, catalog)
        except Exception as error:
            self.post_message(self.Failed(f"the virtual scanner at {flow.state.get('step')}",
                                          error))
            return
        self.post_message(self.CodesFound(codes))

    @on(CodesFound)
    def codes_found(self, event: CodesFound) -> None:
        """Show the codes; what was keyed meanwhile waits until the list is answered."""
        from wms_tui.screens.scanner import ScannerModal

        self.busy = False

        def chosen(code: str | None) -> None:
            if code is not None:
                self.submit(code)
            else:
                self.next_pending()

        self.app.push_screen(
            ScannerModal(self.t("Scanner"), event.codes, self.t("Key a number, then Enter"),
                         self.t("(Enter)"), self.t), chosen)
