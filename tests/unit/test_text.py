"""The one escaping rule: shown for people, visible as the last line of defence, csv_cell for
spreadsheets."""

from __future__ import annotations

import pytest

from wms_tui.domain.text import csv_cell, shown, shown_any, visible

HOSTILE = [
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52: write the clipboard
    "\x1b]0;pwned\x07",  # set the window title
    "\x1b[2J\x1b[H",  # clear the screen
    "\x9b31m",  # C1 CSI
    "a\x7fb",  # DEL
    "safe\u202egnp.exe",  # right-to-left override
    "x\ud800y",  # a lone surrogate
    "line\nforged",
    "tab\there",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_shown_leaves_nothing_a_terminal_obeys(text: str) -> None:
    out = shown(text)
    assert out.isprintable()
    assert "\x1b" not in out and "\x07" not in out and "\n" not in out


def test_shown_names_each_character_and_keeps_printable_text() -> None:
    assert shown("\x1b]0;pwned\x07") == "\\x1b]0;pwned\\x07"
    assert shown("a\u202eb") == "a\\u202eb"
    assert shown("01\x1d17") == "01<GS>17"
    assert shown("仓库 A-01 [bold]") == "仓库 A-01 [bold]"
    assert shown("") == ""


def test_shown_doubles_a_backslash_so_a_typed_escape_is_not_a_real_one() -> None:
    assert shown("\\x1b") == "\\\\x1b"
    assert shown("\\x1b") != shown("\x1b")


def test_shown_with_a_limit_counts_what_it_left_out() -> None:
    assert shown("abcdef", 3) == "abc...(+3)"
    assert shown("abc", 3) == "abc"
    assert shown("\x1b" * 5, 2) == "\\x1b\\x1b...(+3)"


def test_shown_any_writes_none_as_nothing() -> None:
    assert shown_any(None) == ""
    assert shown_any(-5) == "-5"
    assert shown_any("a\x1bb") == "a\\x1bb"


@pytest.mark.parametrize("text", HOSTILE)
def test_visible_leaves_only_printable_lines(text: str) -> None:
    assert all(line.isprintable() for line in visible(text).split("\n"))


def test_visible_passes_shown_text_unchanged_and_keeps_line_breaks() -> None:
    already = f"row 2: sku: '{shown(chr(27) + '[31m' + chr(92))}' is not valid"
    assert visible(already) == already
    assert visible("Traceback:\n  File 'x'\x1b[2J\nError") == (
        "Traceback:\n  File 'x'\\x1b[2J\nError")
    assert visible("plain \\ text") == "plain \\ text"


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://x","y")', "+SKU1", "@SUM(1)", "-1+2", "\t=1", "\r=1", "\uff1d1+1"],
)
def test_csv_cell_makes_a_formula_text(value: str) -> None:
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["SKU-1", "A=B", "", None, -5, 3.5, "1-2"])
def test_csv_cell_leaves_everything_else_as_it_is(value: object) -> None:
    assert csv_cell(value) == value
