"""The virtual scanner (demo mode, F6): a numbered list of barcodes; a digit "scans" one."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import ModalScreen

from wms_tui.screens.widgets import FactList, PromptLine, RfHeader


class ScannerModal(ModalScreen[str | None], inherit_bindings=False):
    """Answers the chosen code, or None on Esc/F3; other keys ring the bell."""

    def __init__(self, title: str, codes: list[tuple[str, str]], prompt: str) -> None:
        super().__init__()
        self.scanner_title = title
        self.codes = codes[:9]
        self.prompt = prompt

    def compose(self) -> ComposeResult:
        yield RfHeader(self.scanner_title, getattr(self.app, "header_right", ""), id="header")
        yield FactList(id="codes")
        yield PromptLine(id="prompt")

    def on_mount(self) -> None:
        lines = []
        for n, (label, code) in enumerate(self.codes, start=1):
            lines.append(f"{n} {label}")
            if code and code not in label:
                lines.append(f"  {code}")
            elif not code:
                lines.append("  (Enter)")
        self.query_one(FactList).show(lines)
        self.query_one(PromptLine).show(self.prompt)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        choice = event.character or ""
        if choice.isdigit() and 1 <= int(choice) <= len(self.codes):
            self.dismiss(self.codes[int(choice) - 1][1])
        elif event.key in ("escape", "f3"):
            self.dismiss(None)
        else:
            self.app.bell()
