"""exactly_once: the one place a confirmation key is replayed or worked, stored and committed."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

import pytest

from wms_tui.domain.once import decode, encode, exactly_once


class Colour(enum.Enum):
    RED = "red"


@dataclass
class Result:
    confirmation: str
    ids: list[int]
    colour: Colour
    maybe: Colour | None = None
    day: date | None = None
    extra: list[int] = field(default_factory=list)
    replayed: bool = False


class Store:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[int, str, str]] = {}

    def get(self, key: str) -> str | None:
        row = self.rows.get(key)
        return None if row is None else row[2]

    def put(self, key: str, user_id: int, operation: str, result: str) -> None:
        assert key not in self.rows
        self.rows[key] = (user_id, operation, result)


class Uow:
    def __init__(self) -> None:
        self.idempotency = Store()
        self.commits = 0

    def commit(self) -> None:
        self.commits += 1


def test_the_first_call_works_stores_and_commits_the_second_replays_without_work() -> None:
    uow, calls = Uow(), []

    def work() -> Result:
        calls.append(1)
        return Result("K1", [1, 2], Colour.RED, Colour.RED, date(2026, 12, 5))

    first = exactly_once(uow, 7, "K1", "paint", Result, work, lambda r: f"paint {r.ids}")
    again = exactly_once(uow, 7, "K1", "paint", Result, work, lambda r: "never")
    assert calls == [1] and uow.commits == 1
    assert not first.replayed and again.replayed
    assert again == Result("K1", [1, 2], Colour.RED, Colour.RED, date(2026, 12, 5), replayed=True)
    user, operation, stored = uow.idempotency.rows["K1"]
    assert (user, operation) == (7, "paint") and '"message": "paint [1, 2]"' in stored


def test_work_that_raises_stores_nothing_and_commits_nothing() -> None:
    uow = Uow()

    def work() -> Result:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        exactly_once(uow, 7, "K2", "paint", Result, work, lambda r: "")
    assert uow.idempotency.rows == {} and uow.commits == 0


def test_the_codec_round_trips_and_tolerates_a_missing_optional_field() -> None:
    result = Result("K3", [], Colour.RED)
    assert decode(Result, encode(result, "m")) == Result("K3", [], Colour.RED, replayed=True)
    older = '{"confirmation": "K4", "ids": [3], "colour": "red", "message": "m"}'
    assert decode(Result, older) == Result("K4", [3], Colour.RED, replayed=True)


def test_a_value_json_cannot_hold_is_refused_clearly() -> None:
    @dataclass
    class Odd:
        confirmation: str
        thing: object

    with pytest.raises(TypeError, match="object cannot be stored with a confirmation"):
        encode(Odd("K5", object()), "m")


def test_the_index_predicate_names_the_open_count_statuses() -> None:
    """The partial unique index and the domain rule must agree on what 'open' means."""
    from wms_tui.db.tables import OPEN_COUNT_WHERE
    from wms_tui.domain.count_tasks import OPEN_STATUS_VALUES
    from wms_tui.domain.counting import OPEN_STATUSES

    assert sorted(OPEN_STATUS_VALUES) == sorted(s.value for s in OPEN_STATUSES)
    quoted = ", ".join(f"'{v}'" for v in OPEN_STATUS_VALUES)
    assert f"status IN ({quoted})" == OPEN_COUNT_WHERE


def test_a_key_holding_another_operations_result_is_refused_clearly() -> None:
    from wms_tui.domain.errors import BadInput

    other = '{"confirmation": "K6", "count_task_id": 3, "message": "zero check"}'
    with pytest.raises(BadInput, match="that confirmation key was used for something else"):
        decode(Result, other)
