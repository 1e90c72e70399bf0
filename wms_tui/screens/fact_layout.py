"""How a step's facts become rows: one column while they fit, then side by side, read across.

A plain fact is one 'Label: value' cell cut with a mark. A description is fitted to a
handheld's row and shown whole on a wide screen; a wrapped fact (an SSCC) is never cut.
Both take a whole row even when the plain facts stand in columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import set_cell_size

from wms_tui.screens.wrap import wrap_lines

# From this width on a description is shown whole, wrapped if it must be.
WIDE = 80
# A column narrower than this says too little to be worth a column of its own.
MIN_CELL = 13

Fitter = Callable[[str, int], str]


class DescriptionLine(str):
    """An item's description: the value alone, under the item's code."""


class WrappedLine(str):
    """A 'Label: value' line wrapped onto further rows rather than cut."""


def full_rows(line: str, width: int, fit: Fitter) -> list[str] | None:
    """The rows a whole-row line takes; None for a plain line, which takes one cell."""
    if isinstance(line, WrappedLine) or (isinstance(line, DescriptionLine) and width >= WIDE):
        return [row for row in wrap_lines(line, width) if row] or [""]
    if isinstance(line, DescriptionLine):
        return [fit(line, width)]
    return None


def fact_rows(lines: Sequence[str], width: int, height: int, fit: Fitter) -> list[str]:
    """The rows the facts take: in one column if they fit, else in as few columns as do."""
    rows: list[str] = []
    most = max(width // MIN_CELL, 1)
    for columns in range(1, most + 1):
        rows = _laid_out(lines, width, columns, fit)
        if len(rows) <= max(height, 1):
            return rows
    return rows[: max(height, 1)]


def _laid_out(lines: Sequence[str], width: int, columns: int, fit: Fitter) -> list[str]:
    cell = width // columns
    rows: list[str] = []
    cells: list[str] = []

    def close_row() -> None:
        if cells:
            rows.append("".join(set_cell_size(fit(text, cell - 1), cell) if columns > 1
                                else fit(text, width) for text in cells).rstrip())
            cells.clear()

    for line in lines:
        whole = full_rows(line, width, fit)
        if whole is not None:
            close_row()
            rows.extend(whole)
            continue
        cells.append(line)
        if len(cells) == columns:
            close_row()
    close_row()
    return rows
