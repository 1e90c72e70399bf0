"""Small questions over the current screen: a 1=Yes 2=No confirm, and step help."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import ModalScreen

from wms_tui.screens.widgets import FactList, PromptLine, RfHeader


class ConfirmModal(ModalScreen[bool], inherit_bindings=False):
    """Asks one yes/no question: 1 = yes, 2 or Esc = no; any other key rings the bell."""

    def __init__(self, question: str, choices: str) -> None:
        super().__init__()
        self.question = question
        self.choices = choices

    def compose(self) -> ComposeResult:
        yield FactList(id="dialog")

    def on_mount(self) -> None:
        self.query_one(FactList).show([self.question, self.choices])

    def on_key(self, event: events.Key) -> None:
        event.stop()
        if event.character == "1":
            self.dismiss(True)
        elif event.character == "2" or event.key in ("escape", "f3"):
            self.dismiss(False)
        else:
            self.app.bell()


class HelpModal(ModalScreen[None], inherit_bindings=False):
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
        self.dismiss(None)
