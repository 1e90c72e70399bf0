"""What every flow shares: the Step a screen renders, and the Flow state machine contract.

A flow keeps all of its state in a JSON-safe dict so it can be saved after every step and
resumed after a dropped connection; it posts only through the services it is given.
"""

from __future__ import annotations

import copy
import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from wms_tui.domain.errors import N_, WmsError
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.model import Actor

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


@dataclass(frozen=True)
class Fact:
    label: str
    value: str


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


class Flow:
    """Base for receive, putaway, move, inquiry…: subclasses implement render() and on_input()."""

    name: ClassVar[str] = ""
    # Step name -> the English F1 help, marked N_() and translated when shown. The operator
    # guide quotes every one of them (tests/unit/test_help_guide.py keeps the two the same).
    HELP: ClassVar[Mapping[str, str]] = {}

    def __init__(self, actor: Actor, services: RfServices, t: Translate = no_translation,
                 state: dict[str, Any] | None = None) -> None:
        self.actor = actor
        self.services = services
        self.t = t
        self.state: dict[str, Any] = dict(state) if state else {"step": self.first_step()}
        self.message = ""
        self.tone = Tone.NONE

    def first_step(self) -> str:
        raise NotImplementedError

    def render(self) -> Step:
        """The current step, from state alone, so a resumed flow looks exactly the same."""
        raise NotImplementedError

    def on_input(self, text: str) -> None:
        """Advance state for one submitted input; raise WmsError to refuse it."""
        raise NotImplementedError

    def previous_step(self) -> str | None:
        """Where Back goes from the current step; None leaves the flow."""
        return None

    def on_exception_key(self) -> None:
        """F5 (short pick, damaged, skip); flows without exceptions refuse it."""
        raise WmsError(N_("No exception on this step"))

    def has_work(self) -> bool:
        """Whether a saved state is worth offering to resume: past the flow's first step."""
        return self.step_name != self.first_step()

    @property
    def step_name(self) -> str:
        return str(self.state["step"])

    def goto(self, step: str, **updates: Any) -> None:
        self.state.update(updates)
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
        self.message, self.tone = "", Tone.NONE
        before = copy.deepcopy(self.state)
        try:
            self.on_input(text)
        except WmsError as refusal:
            self.state = before
            self.message, self.tone = refusal.render(self.t), Tone.ERROR
        return self.current()

    def back(self) -> Step | None:
        self.message, self.tone = "", Tone.NONE
        previous = self.previous_step()
        if previous is None:
            return None
        if previous == self.first_step():
            self.state = {"step": previous}
        else:
            self.state["step"] = previous
        return self.current()

    def exception_key(self) -> Step:
        self.message, self.tone = "", Tone.NONE
        try:
            self.on_exception_key()
        except WmsError as refusal:
            self.message, self.tone = refusal.render(self.t), Tone.ERROR
        return self.current()

    def succeed(self, message: str) -> None:
        self.message, self.tone = message, Tone.SUCCESS

    def resume(self) -> Step:
        """After a drop: a confirmation that had committed is shown as done, never re-posted."""
        key = self.state.get("key")
        if key and self.services.posted(key) is not None:
            self.state = {"step": self.first_step()}
            self.succeed(self.t("Last confirmation was already posted"))
        return self.current()

    def snapshot(self) -> dict[str, Any]:
        return {"flow": self.name, "state": dict(self.state)}
