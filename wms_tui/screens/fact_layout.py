"""How a step's facts become rows: one column while they fit, then side by side, read across.

A plain fact is one 'Label: value' cell, cut with a mark only when no layout fits it whole
(a quantity wider than the screen puts its base units on a second row instead):
columns of equal width are tried first, then cells packed along the row at their own width.
A description is fitted to a handheld's row and shown whole on a wide screen; a wrapped fact
(an SSCC) is never cut. Both take a whole row, except that where rows are few a description
stands beside its item.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.cells import cell_len, set_cell_size

from wms_tui.screens.wrap import wrap_lines

# From this width on a description is shown whole, wrapped if it must be.
WIDE = 80
# A column narrower than this says too little to be worth a column of its own.
MIN_CELL = 13
# Between two packed cells, so each reads as its own fact.
GAP = 2

Fitter = Callable[[str, int], str]


class DescriptionLine(str):
    """An item's description: the value alone, under the item's code."""


class WrappedLine(str):
    """A 'Label: value' line wrapped onto further rows rather than cut."""


def full_rows(line: str, width: int, fit: Fitter, wide: bool = False) -> list[str] | None:
    """The rows a whole-row line takes; None for a plain line, which takes one cell. On a
    wide screen (or from WIDE columns) a description is whole, though its column is narrower."""
    if isinstance(line, WrappedLine) or (isinstance(line, DescriptionLine)
                                         and (wide or width >= WIDE)):
        return [row for row in wrap_lines(line, width) if row] or [""]
    if isinstance(line, DescriptionLine):
        return [fit(line, width)]
    if cell_len(line) > width:
        return _bracket_rows(line, width)
    return None


def _bracket_rows(line: str, width: int) -> list[str] | None:
    """A plain fact wider than the screen that ends in brackets (a quantity's base units:
    'Expected: 2 CS (24 EA)') as two rows, the brackets on the second, rather than cut; None
    for any other, which is cut."""
    head, bracket, tail = line.rpartition(" (")
    if bracket and tail.endswith(")") and cell_len(head) <= width and cell_len(tail) < width:
        return [head, f"({tail}"]
    return None


def fact_rows(lines: Sequence[str], width: int, height: int, fit: Fitter,
              wide: bool = False) -> list[str]:
    """The rows the facts take: in one column if they fit, else in as few equal columns as
    fit without cutting a fact, else packed along the row (a description beside its item
    where the row has room); what still does not fit is left off at the end."""
    most = max(width // MIN_CELL, 1)
    room = max(height, 1)
    for columns in range(1, most + 1):
        if _cuts(lines, width, columns, wide):
            break
        rows = _laid_out(lines, width, columns, fit, wide)
        if len(rows) <= room:
            return rows
    for beside in (False, True):
        packed = _packed(lines, width, fit, wide, beside)
        if len(packed) <= room:
            return packed
    # Nothing fits whole: the first facts whole rather than all of them cut past reading.
    return _packed(lines, width, fit, wide, beside=True)[:room]


def _cuts(lines: Sequence[str], width: int, columns: int, wide: bool) -> bool:
    """Whether a plain fact is longer than its cell with this many columns."""
    cell = width if columns == 1 else width // columns - 1
    return any(cell_len(line) > cell for line in lines
               if full_rows(line, width, _whole, wide) is None)


def _whole(text: str, _width: int) -> str:
    return text


def _packed(lines: Sequence[str], width: int, fit: Fitter, wide: bool,
            beside: bool) -> list[str]:
    """Plain facts one after another along the row, each at its own width; with beside, a
    description fitted into the rest of its item's row when that is a column's worth."""
    rows: list[str] = []
    row = ""
    for line in lines:
        whole = full_rows(line, width, fit, wide)
        room = width - cell_len(row) - GAP
        if beside and isinstance(line, DescriptionLine) and row and room >= MIN_CELL and (
                whole is None or len(whole) == 1):
            whole = None
            line = fit(line, room)
        if whole is not None:
            if row:
                rows.append(row)
            rows.extend(whole)
            row = ""
            continue
        if row and cell_len(line) <= room:
            row = f"{row}{' ' * GAP}{line}"
            continue
        if row:
            rows.append(row)
        row = fit(line, width)
    if row:
        rows.append(row)
    return rows


def _laid_out(lines: Sequence[str], width: int, columns: int, fit: Fitter,
              wide: bool) -> list[str]:
    cell = width // columns
    rows: list[str] = []
    cells: list[str] = []

    def close_row() -> None:
        if cells:
            rows.append("".join(set_cell_size(fit(text, cell - 1), cell) if columns > 1
                                else fit(text, width) for text in cells).rstrip())
            cells.clear()

    for line in lines:
        whole = full_rows(line, width, fit, wide)
        if whole is not None:
            close_row()
            rows.extend(whole)
            continue
        cells.append(line)
        if len(cells) == columns:
            close_row()
    close_row()
    return rows
