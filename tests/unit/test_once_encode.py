"""encode stores a result without deep-copying it first: the JSON is the same as from
dataclasses.asdict, nested dataclasses, lists, tuples, enums and dates included."""

from __future__ import annotations

import dataclasses
import enum
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from wms_tui.domain.once import encode


class Colour(enum.Enum):
    RED = "red"


@dataclass(frozen=True)
class Line:
    sku: str
    qty: int
    colour: Colour
    shipped: date | None = None


@dataclass
class Result:
    confirmation: str
    movement_ids: list[int]
    lines: list[Line]
    pair: tuple[Line, ...]
    first: Line | None
    at: datetime
    notes: dict[str, int] = field(default_factory=dict)
    replayed: bool = False


def test_the_stored_json_is_what_asdict_gave() -> None:
    line = Line("WIDGET", 5, Colour.RED, date(2026, 3, 4))
    result = Result("K-1", [1, 2], [line, Line("BOLT", 1, Colour.RED)], (line,), line,
                    datetime(2026, 3, 4, 5, 6, tzinfo=UTC), {"a": 1}, replayed=True)
    as_before = dataclasses.asdict(result)
    as_before.pop("replayed")
    as_before["message"] = "pick SO-1"
    assert encode(result, "pick SO-1") == json.dumps(as_before, default=_scalar)


def _scalar(value: object) -> object:
    return value.value if isinstance(value, enum.Enum) else value.isoformat()  # type: ignore[attr-defined]
