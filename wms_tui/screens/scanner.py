"""The virtual scanner (demo mode, F6): a numbered list of barcodes; a number and Enter "scans"
the code beside it, as every list on the RF screens is answered."""

from __future__ import annotations

from collections.abc import Callable

from wms_tui.i18n import label_text
from wms_tui.screens.modals import ChoiceModal

# A 16x20 screen lists nine codes with their labels.
MAX_CODES = 9


class ScannerModal(ChoiceModal[str | None]):
    """Answers the chosen code, or None on Esc/F3; a scan or a wrong number rings the bell."""

    def __init__(self, title: str, codes: list[tuple[str, str]], prompt: str,
                 enter_label: str = "(Enter)", t: Callable[[str], str] = str) -> None:
        self.codes = codes[:MAX_CODES]
        lines = []
        for n, (label, code) in enumerate(self.codes, start=1):
            lines.append(f"{n} {label_text(label, t)}")
            if code and code not in label:
                lines.append(f"  {code}")
            elif not code:
                lines.append(f"  {enter_label}")
        super().__init__(lines, [code for _label, code in self.codes], None, prompt=prompt,
                         title=title)
        self.scanner_title = title
