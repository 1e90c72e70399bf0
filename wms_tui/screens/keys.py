"""The keys an RF terminal has for help, back, exception and the practice scanner, by type.

A VT100 has no F5 or F6 and a VT220's F1-F5 never leave the terminal (its F6 does), but both
have the keypad's PF1-PF4 (sent as F1-F4): on them PF1 is help, PF4 the exception key and, on a
VT100, PF2 the practice scanner, and every hint, help text and legend names those keys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Terminal types with the keypad's PF1-PF4 and no function keys at all.
PF_KEY_TERMS = ("vt52", "vt100", "vt102", "ansi", "dumb")
# VT220 and later: F6-F20 send codes, F1-F5 are the terminal's own.
VT220_TERMS = ("vt2", "vt3", "vt4", "vt5")
NAMED = re.compile(r"\bF[156]\b")


@dataclass(frozen=True)
class KeyNames:
    """What the terminal's keys are called on its keyboard."""

    help: str = "F1"
    back: str = "Esc"
    exception: str = "F5"
    scanner: str = "F6"

    def name(self, text: str) -> str:
        """text with F1, F5 and F6 called what this keyboard calls them."""
        keys = {"F1": self.help, "F5": self.exception, "F6": self.scanner}
        return NAMED.sub(lambda found: keys[found.group()], text)


FUNCTION_KEYS = KeyNames()
PF_KEYS = KeyNames(help="PF1", exception="PF4", scanner="PF2")
VT220_KEYS = KeyNames(help="PF1", exception="PF4", scanner="F6")


def key_names(term: str | None) -> KeyNames:
    """The key names for a terminal type (TERM); function keys unless it is a VT or alike."""
    kind = (term or "").strip().lower()
    if kind.startswith(PF_KEY_TERMS):
        return PF_KEYS
    return VT220_KEYS if kind.startswith(VT220_TERMS) else FUNCTION_KEYS
