"""SafeFormatter: a record is one printable line; a traceback keeps its lines, each visible."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest

from wms_tui.safe_logging import SafeFormatter

TERMINAL = "\x1b]52;c;ZXZpbA==\x07T-1\nFAKE wms_tui.serve session start user=ADMIN"


@pytest.fixture
def log() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SafeFormatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger("tests.safe_logging")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_a_message_with_an_escape_and_a_line_break_stays_one_visible_line(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log
    logger.info("session start terminal=%s", TERMINAL)
    written = stream.getvalue()
    assert "\x1b" not in written and "\x07" not in written
    assert written.count("\n") == 1  # the forged second line is inside the first
    assert written == ("INFO tests.safe_logging session start terminal="
                       "\\x1b]52;c;ZXZpbA==\\x07T-1\\x0aFAKE wms_tui.serve session start "
                       "user=ADMIN\n")


def test_extra_fields_in_the_format_are_escaped_too() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    record.terminal = "\x1b]0;pwned\x07"
    line = SafeFormatter("%(terminal)s %(message)s").format(record)
    assert line == "\\x1b]0;pwned\\x07 hello"


def test_a_traceback_keeps_its_lines_with_every_one_printable(
    log: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = log
    try:
        raise ValueError("bad scan \x1b[2J\x1b[H")
    except ValueError:
        logger.exception("posting failed for %s", "\x9bT-2")
    lines = stream.getvalue().splitlines()
    assert lines[0] == "ERROR tests.safe_logging posting failed for \\x9bT-2"
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-1] == "ValueError: bad scan \\x1b[2J\\x1b[H"
    assert all(line.isprintable() for line in lines)


def test_a_traceback_another_formatter_cached_raw_is_escaped_and_left_cached() -> None:
    try:
        raise RuntimeError("\x1b]0;pwned\x07")
    except RuntimeError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, None)
        record.exc_text = logging.Formatter().formatException(sys.exc_info())
    cached = record.exc_text
    line = SafeFormatter("%(message)s").format(record)
    assert "\x1b" not in line and line.endswith("RuntimeError: \\x1b]0;pwned\\x07")
    assert record.exc_text == cached
