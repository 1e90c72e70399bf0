"""How every `… list` command prints its rows: a table, JSON or CSV with its header always."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from typing import Any, TypeVar

from wms_tui.cli.output import Row, emit
from wms_tui.domain.errors import BadInput
from wms_tui.domain.text import shown

E = TypeVar("E", bound=enum.StrEnum)


def emit_rows(
    title: str, row_type: type[Any], items: Sequence[object], *, numeric: set[str],
    as_json: bool, as_csv: bool, columns: list[str] | None = None,
) -> None:
    """Rows of a listing's dataclass; columns, when given, are the ones the table shows (JSON
    and CSV carry every field, CSV its header even for no rows)."""
    fields = [f.name for f in dataclasses.fields(row_type)]
    rows: list[Row] = [{name: getattr(item, name) for name in fields} for item in items]
    shown = [[r[c] for c in columns] for r in rows] if columns else None
    emit(title, rows, numeric, as_json, as_csv, shown=shown, columns=columns, fields=fields)


def choice(value: str, option: str, allowed: type[E]) -> E:
    """One typed value of an enum, lower-cased; a typo is told what it may be."""
    word = value.strip().lower()
    try:
        return allowed(word)
    except ValueError:
        raise BadInput(f"{option} {shown(value)}: choose from "
                       f"{', '.join(e.value for e in allowed)}") from None
