"""Where a flow's context goes on a screen bigger than a handheld's (domain/flows/context.py).

From SIDE_WIDTH columns it stands in a column of its own right of the step, after a rule;
on a narrower but tall screen it goes under the step's facts, in rows they leave free. A
handheld shows the step alone and never asks for it. Only the rendering differs: the flow's
state is the same at every size.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.geometry import Size

from wms_tui.screens.fact_layout import full_rows
from wms_tui.screens.widgets import FactList, RfWidget, fit, visible
from wms_tui.screens.wrap import wrap_lines

# From this width the context has a column of its own beside the step.
SIDE_WIDTH = 60
# A narrower screen at least this wide and tall shows it under the facts, where rows allow.
BELOW_WIDTH = 40
BELOW_HEIGHT = 14
# Rows that must be free under the facts: a rule, a heading and two lines.
BELOW_FREE_ROWS = 4


class ContextPlace(enum.Enum):
    SIDE = "side"
    BELOW = "below"


def context_place(size: Size) -> ContextPlace | None:
    """Where a screen of this size shows context; None (a handheld) means it is not asked."""
    if size.width >= SIDE_WIDTH:
        return ContextPlace.SIDE
    if size.width >= BELOW_WIDTH and size.height >= BELOW_HEIGHT:
        return ContextPlace.BELOW
    return None


class HeadingLine(str):
    """A line naming the lines under it: wrapped whole, drawn bold."""


def context_rows(lines: Sequence[str], width: int, height: int,
                 ascii_mode: bool) -> list[tuple[str, bool]]:
    """The context as at most height rows of width cells, each with whether it is a heading;
    a heading or an SSCC is wrapped whole, anything else cut with a mark."""
    rows: list[tuple[str, bool]] = []

    def cut(text: str, cells: int) -> str:
        return fit(text, cells, ascii_mode)

    for line in lines:
        shown = type(line)(visible(line, ascii_mode))
        if isinstance(shown, HeadingLine):
            if rows:
                # A blank row between groups, so a heading reads as one without bold too.
                rows.append(("", False))
            rows.extend((row, True) for row in wrap_lines(shown, width) if row)
        else:
            rows.extend((row, False) for row in full_rows(shown, width, cut)
                        or [cut(shown, width)])
    if len(rows) <= height:
        return rows
    rows = rows[: max(height, 0)]
    # A heading cut off from all of its lines says nothing.
    while rows and (rows[-1][1] or not rows[-1][0]):
        rows.pop()
    return rows


def styled(rows: Sequence[tuple[str, bool]]) -> Text:
    text = Text()
    for n, (row, heading) in enumerate(rows):
        if n:
            text.append("\n")
        text.append(row, style="bold" if heading else "")
    return text


class ContextPanel(RfWidget):
    """The column right of the step on a wide screen: a rule, then the context. It is there
    from the start and only its text changes, so a step lays nothing out again."""

    DEFAULT_CSS = """
    ContextPanel {
        width: 1fr;
        height: 1fr;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines: tuple[str, ...] = ()

    def show(self, lines: Sequence[str]) -> None:
        if tuple(lines) != self.lines:
            self.lines = tuple(lines)
            self.refresh()

    def render(self) -> Text:
        if not self.lines:
            return Text("")
        width, height = self.size.width, self.size.height
        # The rule says where the step ends without colour: '|' where only ASCII is safe.
        rule = "| " if self.ascii_mode else "│ "
        rows = context_rows(self.lines, width - len(rule), height, self.ascii_mode)
        text = Text()
        for n in range(height):
            if n:
                text.append("\n")
            text.append(rule)
            if n < len(rows):
                text.append_text(styled(rows[n : n + 1]))
        return text


class StepFacts(FactList):
    """A step's facts and prompt; on a tall screen too narrow for a side column, the context
    goes under the facts in the rows they leave free (none when they leave too few)."""

    DEFAULT_CSS = """
    StepFacts {
        width: 1fr;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.context: tuple[str, ...] = ()

    def show_context(self, lines: Sequence[str]) -> None:
        if tuple(lines) != self.context:
            self.context = tuple(lines)
            self.refresh()

    def show(self, lines: Sequence[str], prompt: str | None = None) -> None:
        super().show(lines, prompt)
        if self.context and self.is_mounted:
            # The context moves with the rows the facts take, so all of it is drawn again.
            self.refresh()

    def context_below(self, width: int) -> list[tuple[str, bool]]:
        """The rule and the context rows that fit under this step's facts; none if too few."""
        free = self.fact_rows - len(self.rows(width))
        if not self.context or free < BELOW_FREE_ROWS:
            return []
        rows = context_rows(self.context, width, free - 1, self.ascii_mode)
        rule = ("-" if self.ascii_mode else "─") * width
        return [(rule, False), *rows] if rows else []

    def render(self) -> Text:
        width = self.size.width
        below = self.context_below(width)
        if not below:
            return super().render()
        facts = Text("\n".join(self.rows(width)))
        facts.append("\n")
        facts.append_text(styled(below))
        return self.with_prompt_below(facts, self.fact_rows)
