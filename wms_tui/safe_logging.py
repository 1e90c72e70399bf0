"""Log lines a terminal cannot be steered by and a reader cannot be fooled by.

A terminal ID, a login or a scan that reaches a log message can hold an ESC sequence (a title
change, a clipboard write when someone tails the log) or a line break that forges a second
log line. SafeFormatter makes the formatted line visible (`domain/text.py`), so each record stays
one line; a traceback keeps its lines, each made visible.
"""

from __future__ import annotations

import logging

from wms_tui.domain.text import visible


class SafeFormatter(logging.Formatter):
    """A logging.Formatter whose every line is printable: install it on each log handler."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        # The whole line, not only the message: extra fields (a terminal ID) come from outside.
        # visible() leaves text already shown as it is (no backslash doubled twice); the line
        # break it keeps is escaped here, so a record stays one line.
        return visible(super().formatMessage(record)).replace("\n", "\\x0a")

    def formatException(self, ei: logging._SysExcInfoType) -> str:
        return visible(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return visible(super().formatStack(stack_info))

    def format(self, record: logging.LogRecord) -> str:
        # Another handler's formatter may have cached the traceback raw on the record.
        cached = record.exc_text
        if cached:
            record.exc_text = visible(cached)
        try:
            return super().format(record)
        finally:
            record.exc_text = cached
