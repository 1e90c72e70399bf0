"""Pop-ups over the current screen: a yes/no question, a numbered list, and step help.

One rule answers every question: key the number, then Enter. Esc or F3 is No (or closes the
list). A scan never answers: an entry that arrived as a scanner burst is refused with the bell,
and so is any other entry. A pop-up closes once; keys that were already on their way to it go
on to the screen underneath, except the rest of a scan that closed the help.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Generic, TypeVar, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.flows.base import Tone, Translate, no_translation
from wms_tui.screens.bursts import burst_of, drop_rest_of, pass_on
from wms_tui.screens.widgets import FactList, MessageLine, PromptLine, RfHeader, ScanInput
from wms_tui.textual_compat import HookedScreen

Result = TypeVar("Result")


def _t(app: object) -> Translate:
    return cast(Translate, getattr(app, "t", no_translation))


class RfModal(ModalScreen[Result], HookedScreen[Result], Generic[Result],
              inherit_bindings=False):
    """A pop-up that closes exactly once, whatever keys are still queued for it."""

    def __init__(self) -> None:
        super().__init__()
        self.closing = False
        # The burst of the key that closed it: the rest of that scan goes nowhere.
        self.closed_by_burst = 0

    def close(self, result: Result, burst: int = 0) -> None:
        if self.closing:
            return
        self.closing, self.closed_by_burst = True, burst
        drop_rest_of(self.app, burst)
        self.dismiss(result)

    def on_key(self, event: events.Key) -> None:
        if self.closing or not self.is_active:
            pass_on(self.app, event, self.closed_by_burst)


class ChoiceModal(RfModal[Result]):
    """Numbered entries answered by the number and Enter; Esc or F3 answers `cancelled`."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f3", "cancel", show=False)]
    # A question asked as a flow step asks it just above the entry line, under its choices.
    question_last: ClassVar[bool] = False
    choice_list: ClassVar[type[FactList]] = FactList

    def __init__(self, lines: Sequence[str], answers: Sequence[Result], cancelled: Result, *,
                 question: str = "", prompt: str = "", title: str | None = None) -> None:
        super().__init__()
        self.lines = tuple(lines)
        self.answers = tuple(answers)
        self.cancelled = cancelled
        self.question = question
        self.prompt = prompt
        self.choice_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            if self.choice_title is not None:
                yield RfHeader(self.choice_title, getattr(self.app, "header_right", ""),
                               id="header")
            if self.question and not self.question_last:
                yield self.question_line()
            facts = self.choice_list(id="choices")
            facts.show(self.lines)
            yield facts
            if self.question and self.question_last:
                yield self.question_line()
            if self.prompt:
                prompt = PromptLine(id="prompt")
                prompt.show(self.prompt)
                yield prompt
            yield ScanInput(id="entry")
            yield MessageLine(id="message")

    def question_line(self) -> PromptLine:
        question = PromptLine(id="question")
        question.show(self.question)
        return question

    def on_mount(self) -> None:
        self.query_one(ScanInput).focus()

    def refuse(self, text: str) -> None:
        self.query_one(MessageLine).show(text, Tone.ERROR)
        self.app.bell()

    @on(ScanInput.TooLong)
    def too_long(self, event: ScanInput.TooLong) -> None:
        event.stop()
        if not self.closing:
            self.refuse(_t(self.app)("Too long: scan one code"))

    @on(ScanInput.Submitted)
    def entered(self, event: ScanInput.Submitted) -> None:
        event.stop()
        if self.closing:
            return
        _ = _t(self.app)
        answer = event.value.strip()
        count = len(self.answers)
        hint = (_("Key 1 or 2, then Enter") if count == 2
                else _("Key 1 to {n}, then Enter").format(n=count))
        if event.scanned:
            self.refuse(_("A scan does not answer.") + " " + hint)
        elif is_ascii_digits(answer) and 1 <= int(answer) <= count:
            self.close(self.answers[int(answer) - 1])
        else:
            self.refuse(hint)

    def action_cancel(self) -> None:
        self.close(self.cancelled)


class ChoiceRows(FactList):
    """A pop-up's few choices sized to their text (`height: auto`), each on a row of its own."""

    @property
    def fact_rows(self) -> int:
        # Measured before it has a height: room for every choice, so none goes beside another.
        return max(super().fact_rows, len(self.lines))


class ConfirmModal(ChoiceModal[bool]):
    """One yes/no question: 1 then Enter is yes; 2 then Enter, Esc or F3 is no.

    It reads as a flow's own yes/no step (count's "Location done?"): "1 Yes" and "2 No" on
    their own lines, then the question, then the entry line.
    """

    question_last = True
    choice_list = ChoiceRows

    def __init__(self, question: str, t: Translate) -> None:
        super().__init__(("1 " + t("Yes"), "2 " + t("No")), (True, False), False,
                         question=question)


class HelpModal(RfModal[None]):
    """The step's help text over the whole screen; any key goes back to the step."""

    def __init__(self, title: str, text: str, footer: str) -> None:
        super().__init__()
        self.help_title = title
        self.text = text
        self.footer = footer

    def compose(self) -> ComposeResult:
        yield RfHeader(self.help_title, getattr(self.app, "header_right", ""), id="header")
        yield PromptLine(id="help")
        yield FactList(id="footer")

    def on_mount(self) -> None:
        self.query_one("#help", PromptLine).show(self.text)
        self.query_one("#footer", FactList).show([self.footer])

    def on_key(self, event: events.Key) -> None:
        event.stop()
        if self.closing or not self.is_active:
            super().on_key(event)
            return
        event.prevent_default()
        self.close(None, burst_of(event))

