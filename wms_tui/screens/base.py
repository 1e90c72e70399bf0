"""The layout every RF screen shares: header, facts, prompt, entry line, message line."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.events import Resize

from wms_tui.domain.errors import StorageFault
from wms_tui.domain.flows.base import Tone
from wms_tui.screens.widgets import FactList, KeyLegend, MessageLine, RfHeader, ScanInput
from wms_tui.textual_compat import HookedScreen

if TYPE_CHECKING:
    from wms_tui.app import RfApp

log = logging.getLogger(__name__)

# The message line's rows when the facts leave none free.
MESSAGE_ROWS = 2
# From this many rows on, the bottom row shows the key legend; a handheld needs the row.
LEGEND_ROWS = 20


@dataclass(frozen=True)
class View:
    """What one RF screen shows, already translated."""

    title: str
    facts: tuple[str, ...] = ()
    prompt: str = ""
    message: str = ""
    tone: Tone = Tone.NONE
    masked: bool = False


class RfScreen(HookedScreen[None], inherit_bindings=False):
    """Base screen: no Tab focus-cycling or copy keys, text through the app's translator.

    The first view is built before the first paint, so entering a screen draws it once.
    """

    with_input: bool = True
    fact_list: type[FactList] = FactList

    @property
    def rf(self) -> RfApp:
        return cast("RfApp", self.app)

    def t(self, text: str) -> str:
        return self.rf.t(text)

    def first_view(self) -> View:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        view = self.first_view()
        yield RfHeader(view.title, self.rf.header_right, id="header")
        facts = self.fact_list(with_prompt=True, id="facts")
        facts.show(view.facts, view.prompt)
        yield facts
        if self.with_input:
            yield ScanInput(masked=view.masked, id="entry")
        message = MessageLine(id="message")
        message.show(view.message, view.tone)
        yield message
        if legend := self.legend():
            key_legend = KeyLegend(legend, id="legend")
            # Hidden from the start on a handheld: a screen may get no resize event before it
            # is first drawn, and the row is the step's.
            key_legend.display = self.app.size.height >= LEGEND_ROWS
            yield key_legend

    def legend(self) -> str:
        """The keys legend for the bottom row of a tall screen; none by default."""
        return ""

    def show(self, view: View) -> None:
        """Update only what changed, so the terminal receives only those lines; no widget
        changes size, so a step costs no new layout of the screen."""
        self.query_one(RfHeader).show(view.title)
        self.query_one(FactList).show(view.facts, view.prompt)
        self.query_one(MessageLine).show(view.message, view.tone)
        for key_legend in self.query(KeyLegend):
            # The keys a step accepts differ from step to step (F5 only where it does).
            key_legend.show(self.legend())
        if self.with_input:
            self.query_one(ScanInput).set_masked(view.masked)
        self.fit_message()
        if view.tone is Tone.ERROR:
            self.rf.bell()

    def show_message(self, message: str, tone: Tone = Tone.NONE) -> None:
        self.query_one(MessageLine).show(message, tone)
        self.fit_message()
        if tone is Tone.ERROR:
            self.rf.bell()

    @on(ScanInput.TooLong)
    def too_long(self, event: ScanInput.TooLong) -> None:
        event.stop()
        self.show_message(self.t("Too long: scan one code"), Tone.ERROR)

    def on_resize(self, event: Resize) -> None:
        for legend in self.query(KeyLegend):
            legend.display = event.size.height >= LEGEND_ROWS
        self.fit_message()

    def fit_message(self) -> None:
        """A long message takes the fact rows the step leaves free and, when those are too
        few, rows of the facts themselves (the last ones give way), so it is never cut: what
        to do next matters more than the facts, which come back with the next step."""
        message = self.query_one(MessageLine)
        facts = self.query_one(FactList)
        needed = message.rows_needed(self.size.width)
        grown = message.styles.inline.has_rule("height")
        if needed <= MESSAGE_ROWS:
            if grown:
                message.styles.inline.clear_rule("height")
                message.refresh(layout=True)
            return
        if not facts.size.height:
            self.call_after_refresh(self._fit_message_once)
            return
        # The rows the facts would have beside a message of the usual two rows.
        room = facts.fact_rows + message.size.height - MESSAGE_ROWS
        rows = max(MESSAGE_ROWS, min(needed, MESSAGE_ROWS + room))
        if message.size.height != rows:
            message.styles.height = rows

    def _fit_message_once(self) -> None:
        if self.query_one(FactList).size.height:
            self.fit_message()

    def failure(self, doing: str, error: BaseException) -> str:
        """Log a call that failed under the session's name; what the operator is told of it.

        A storage fault (disk full, read-only, unreachable) is named, as trying again will not
        mend it, and logged without a traceback, as no code is at fault; anything else is a
        system error with its traceback in the log. Safe to call from a worker thread.
        """
        if isinstance(error, StorageFault):
            log.error("%s: %s failed: %s", self.rf.session_name, doing, error)
            return error.render(self.t)
        log.error("%s: %s failed", self.rf.session_name, doing, exc_info=error)
        return self.t("System error - try again")

    def system_error(self, doing: str, error: BaseException) -> None:
        self.show_message(self.failure(doing, error), Tone.ERROR)
