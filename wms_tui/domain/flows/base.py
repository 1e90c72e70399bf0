"""What every flow shares: the Step a screen renders, and the Flow state machine contract.

A flow keeps all of its state in a JSON-safe TypedDict so it can be saved after every step and
resumed after a dropped connection; it posts only through the services it is given. Its steps
are a StrEnum whose values are what saved states hold, so they never change.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar, Generic, NotRequired, TypeAlias, TypedDict, TypeVar, cast

from wms_tui.domain.errors import N_, StorageFault, WmsError
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.model import Actor, PostResult

Translate = Callable[[str], str]


def no_translation(text: str) -> str:
    return text


class InputKind(enum.StrEnum):
    SCAN = "scan"
    QUANTITY = "quantity"
    TEXT = "text"
    PIN = "pin"
    CHOICE = "choice"
    YESNO = "yesno"
    NONE = "none"


class Tone(enum.StrEnum):
    """What the message line means; screens never carry it by colour alone."""

    NONE = "none"
    ERROR = "error"
    SUCCESS = "success"


class FactKind(enum.StrEnum):
    """How a fact is drawn when it is longer than the screen is wide."""

    # 'Label: value' on one row, cut with a mark.
    PLAIN = "plain"
    # The value alone (an item's description): fitted to a handheld's row, whole on a wide one.
    DESCRIPTION = "description"
    # 'Label: value' wrapped onto further rows, never cut (an SSCC must be read whole).
    WRAPPED = "wrapped"
    # The value alone, wrapped, naming the lines under it (a wide screen's context).
    HEADING = "heading"


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    kind: FactKind = FactKind.PLAIN


def item_facts(t: Translate, sku: str, description: str | None) -> list[Fact]:
    """The item's code, then its description, which is what an operator checks the goods by."""
    _ = t
    facts = [Fact(_("Item"), sku)]
    if description:
        facts.append(Fact("", description, FactKind.DESCRIPTION))
    return facts


def units_text(base: int, uom: str, factor: int, base_uom: str) -> str:
    """A base quantity in the unit being keyed with the base units beside it: '2 CS (24 EA)',
    '2 CS+6 (30 EA)' when it is not whole units of it; base units alone when those are keyed
    or it is less than one unit."""
    if factor <= 1 or uom == base_uom or base < factor:
        return f"{base} {base_uom}"
    whole, rest = divmod(base, factor)
    keyed = f"{whole} {uom}" if not rest else f"{whole} {uom}+{rest}"
    return f"{keyed} ({base} {base_uom})"


def iso(day: date | None) -> str | None:
    """A date as flow state keeps it (JSON-safe), or None."""
    return None if day is None else day.isoformat()


def lot_facts(t: Translate, lot: str | None, expiry: str | None) -> list[Fact]:
    """A lot and, when it has one, its expiry: stock is never named by lot alone."""
    _ = t
    facts = [Fact(_("Lot"), lot)] if lot else []
    if lot and expiry:
        facts.append(Fact(_("Exp"), expiry))
    return facts


@dataclass(frozen=True)
class Step:
    """One screen's worth: a title, the facts needed, one prompt, one message line."""

    flow: str
    name: str
    title: str
    prompt: str
    input: InputKind = InputKind.SCAN
    facts: tuple[Fact, ...] = ()
    message: str = ""
    tone: Tone = Tone.NONE
    choices: tuple[str, ...] = ()
    help: str = ""
    finished: bool = False
    # Going back from here throws away scanned work, so the screen asks first.
    unsaved_work: bool = False


class LastPosted(TypedDict):
    """The flow's last confirmation that committed, and what the operator was told of it."""

    key: str
    # The success message, as shown (in the operator's language): "Moved 5 EA to A-01-02-1".
    summary: str
    # The operator keyed something after it was shown. Until then a resume says it again, as
    # the screen may never have shown it (a drop or crash after the commit).
    seen: NotRequired[bool]


class FlowState(TypedDict):
    """What every flow's state holds; each flow's own TypedDict adds the keys it keeps."""

    # The value of one of the flow's step enum members.
    step: str
    # The confirmation key of the posting the current step makes, so a resume never re-posts.
    key: NotRequired[str]
    # The last confirmation that committed: kept through the steps after it, whatever the
    # flow does to the rest of its state, so a resume can say what posted.
    last: NotRequired[LastPosted]


StateT = TypeVar("StateT", bound=FlowState)
StepT = TypeVar("StepT", bound=enum.StrEnum)


class FlowSnapshot(TypedDict, Generic[StateT]):
    """A flow as saved: its name and its state."""

    flow: str
    state: StateT


class Flow(Generic[StateT, StepT]):
    """Base for receive, putaway, move, inquiry…: subclasses implement render() and on_input()."""

    name: ClassVar[str] = ""
    # Step -> the English F1 help, marked N_() and translated when shown. The operator guide
    # quotes every one of them (tests/unit/test_help_guide.py keeps the two the same).
    HELP: ClassVar[Mapping[str, str]] = {}
    # What the exception key (F5) does in this flow, for the key legend; "" when nothing.
    EXCEPTION: ClassVar[str] = ""

    def __init__(self, actor: Actor, services: RfServices, t: Translate = no_translation,
                 state: Mapping[str, object] | None = None) -> None:
        self.actor = actor
        self.services = services
        self.t = t
        # A saved state is what snapshot() wrote, so it has the shape the flow's TypedDict says.
        self.state: StateT = (cast(StateT, dict(state)) if state
                              else self.fresh_state(self.first_step()))
        self.message = ""
        self.tone = Tone.NONE
        # A confirmation that committed during the current call, for the state's "last".
        self._posted: LastPosted | None = None

    def first_step(self) -> StepT:
        raise NotImplementedError

    def fresh_state(self, step: StepT) -> StateT:
        """A state that holds nothing but the step, as a flow starts or starts over."""
        return cast(StateT, {"step": step})

    def render(self) -> Step:
        """The current step, from state alone, so a resumed flow looks exactly the same."""
        raise NotImplementedError

    def on_input(self, text: str) -> None:
        """Advance state for one submitted input; raise WmsError to refuse it."""
        raise NotImplementedError

    def previous_step(self) -> StepT | None:
        """Where Back goes from the current step; None leaves the flow."""
        return None

    def context(self) -> tuple[Fact, ...]:
        """What a wide screen shows beside the step, read-only and read afresh (it may ask the
        warehouse), so a handheld that cannot show it never asks; none by default."""
        return ()

    def has_context(self) -> bool:
        """Whether this flow ever shows context, so a screen keeps room for it from the start."""
        return type(self).context is not Flow.context

    def offers_exception_key(self) -> bool:
        """Whether the current step accepts F5, so the key legend names it only there."""
        return bool(self.EXCEPTION)

    def on_exception_key(self) -> None:
        """F5 (short pick, damaged, skip); flows without exceptions refuse it."""
        raise WmsError(N_("No exception here: go on with the step"))

    def has_work(self) -> bool:
        """Whether a saved state is worth offering to resume: past the flow's first step, or
        a confirmation posted that the operator may not have seen (even at the first step)."""
        # The raw value: a step this build no longer has is work to offer (and then refuse).
        return self.state["step"] != self.first_step() or self.unseen_last() is not None

    def last_posted(self) -> LastPosted | None:
        state: FlowState = self.state
        return state.get("last")

    def unseen_last(self) -> LastPosted | None:
        """The last confirmation, when the operator has keyed nothing since it was shown."""
        last = self.last_posted()
        return None if last is None or last.get("seen") else last

    @property
    def step_name(self) -> StepT:
        """The current step as the flow's enum (the first step's type); state holds its value."""
        return type(self.first_step())(self.state["step"])

    def goto(self, step: StepT) -> None:
        self.state["step"] = step

    def current(self) -> Step:
        step = self.render()
        if not step.help and step.name in self.HELP:
            step = replace(step, help=self.t(self.HELP[step.name]))
        if self.message:
            step = replace(step, message=self.message, tone=self.tone)
        return step

    def submit(self, text: str) -> Step:
        """Handle one scan or key entry; a refusal keeps the same step with an error line."""
        last = self._begin()
        before = copy.deepcopy(self.state)
        try:
            self.on_input(text)
        except StorageFault:
            # Not a refusal of what was keyed: the screen says so and puts the state back.
            raise
        except WmsError as refusal:
            self.state = before
            self.message, self.tone = refusal.render(self.t), Tone.ERROR
        self._keep_last(last)
        return self.current()

    def back(self) -> Step | None:
        last = self._begin()
        previous = self.previous_step()
        if previous is None:
            return None
        if previous == self.first_step():
            self.state = self.fresh_state(previous)
        else:
            self.state["step"] = previous
        self._keep_last(last)
        return self.current()

    def exception_key(self) -> Step:
        last = self._begin()
        try:
            self.on_exception_key()
        except StorageFault:
            raise
        except WmsError as refusal:
            self.message, self.tone = refusal.render(self.t), Tone.ERROR
        self._keep_last(last)
        return self.current()

    def _begin(self) -> LastPosted | None:
        """Before handling what the operator keyed: the last confirmation's message was on
        the screen, so it counts as seen; returns it, to keep it in the state that follows."""
        self.message, self.tone = "", Tone.NONE
        self._posted = None
        last = self.last_posted()
        if last is not None and not last.get("seen"):
            last["seen"] = True
        return last

    def _keep_last(self, last: LastPosted | None) -> None:
        """A confirmation posted by this call becomes the last, unseen; otherwise the last
        one stays, whatever the handler did to the state."""
        posted, self._posted = self._posted, None
        if posted is not None:
            self.state["last"] = posted
        elif last is not None and "last" not in self.state:
            self.state["last"] = last

    def succeed(self, message: str) -> None:
        self.message, self.tone = message, Tone.SUCCESS

    def posted_as(self, key: str, summary: str) -> None:
        """A confirmation committed: the success message, kept as the state's last (key and
        summary), so a resume says what posted even if the screen never showed it."""
        self._posted = {"key": key, "summary": summary}
        self.succeed(summary)

    def last_text(self, summary: str) -> str:
        return self.t("Last: {summary}").format(summary=summary)

    def resume(self) -> Step:
        """After a drop, before anything else the message line says what last posted.

        A confirmation key that committed before the screen (and the saved state) moved on is
        shown done, never re-posted, and the flow moves on as it would have. A key that did
        not commit leaves the operator on the same step, the data kept.
        """
        self.message, self.tone = "", Tone.NONE
        self._posted = None
        key = self.posting_key()
        result = self.services.posted(key) if key else None
        if key and result is not None:
            summary = self.committed_summary(result)
            self.move_on(self.last_text(summary))
            self.state["last"] = {"key": key, "summary": summary}
        elif (last := self.unseen_last()) is not None:
            self.succeed(self.last_text(last["summary"]))
        return self.current()

    def committed_summary(self, result: PostResult) -> str:
        """What the confirmation that committed unseen posted, from the state it left (the
        success message where the state holds what it shows)."""
        return self.t("Confirmation posted")

    def move_on(self, notice: str) -> None:
        """Where a confirmation that committed unseen leaves the flow: by default its start."""
        self.state = self.fresh_state(self.first_step())
        self.succeed(notice)

    def posting_key(self) -> str | None:
        """The confirmation key held in state, if the current step posts anything."""
        state: FlowState = self.state
        return state.get("key")

    def snapshot(self) -> FlowSnapshot[StateT]:
        return {"flow": self.name, "state": self.state.copy()}


# A flow of any kind, as the menu, the screens and the demo hold one.
AnyFlow: TypeAlias = Flow[Any, Any]
