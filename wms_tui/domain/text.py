"""One rule for outside text that reaches a terminal, a log line, a table or a spreadsheet.

Text from scans, import files, ERPs and telnet clients can hold control characters (an ESC
starts a terminal command: a title change, a clipboard write) and spreadsheet formulas. Every
place that shows such text to a person passes it through `shown`; every CSV cell goes through
`csv_cell`. Both are pure and total: they never raise.
"""

from __future__ import annotations

GS = "\x1d"
# Cells a spreadsheet reads as the start of a formula (OWASP "CSV injection"), including the
# tab and carriage return that some spreadsheets skip before looking.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def shown(text: str, limit: int | None = None) -> str:
    """Text safe to print anywhere: GS as <GS>, a backslash doubled, every other unprintable
    character (ESC, BEL, DEL, C1 controls, bidi overrides, lone surrogates) as a visible escape.

    With a limit, only the first limit characters are kept and the rest is counted.
    """
    cut = text if limit is None or len(text) <= limit else text[:limit]
    if cut is text and "\\" not in text and text.isprintable():
        return text
    parts = ["\\\\" if character == "\\" else _escaped(character) for character in cut]
    if cut is not text:
        parts.append(f"...(+{len(text) - len(cut)})")
    return "".join(parts)


def _escaped(character: str) -> str:
    """One character as `shown` writes it: GS as <GS>, unprintable ones as an escape."""
    if character.isprintable():
        return character
    if character == GS:
        return "<GS>"
    if ord(character) <= 0xFF:
        return f"\\x{ord(character):02x}"
    return f"\\u{ord(character):04x}"


def visible(text: str) -> str:
    """The last line of defence for a message that may already hold shown text: every
    unprintable character but the line break is escaped as `shown` escapes it, and nothing
    else changes, so text that went through `shown` passes unchanged (no backslash doubled
    twice) and a multi-line message keeps its lines."""
    if text.isprintable():
        return text
    return "\n".join(
        line if line.isprintable() else "".join(_escaped(c) for c in line)
        for line in text.split("\n")
    )


def shown_any(value: object, limit: int | None = None) -> str:
    """`shown` for any value: None as empty text, everything else by its str()."""
    return "" if value is None else shown(str(value), limit)


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet shows as text, never runs: text that starts like a formula
    gets a leading apostrophe. Numbers stay numbers, so '-5' as an int is still -5."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value
