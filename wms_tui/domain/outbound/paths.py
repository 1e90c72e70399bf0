"""Pick paths: replaceable strategies that order anything located (a task, a stock slot)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Protocol, TypeVar

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.errors import BadInput


class Stop(Protocol):
    """Anything a picker walks to: a task, a stock slot."""

    @property
    def walk_seq(self) -> int: ...
    @property
    def location_code(self) -> str: ...
    @property
    def aisle(self) -> str: ...
    @property
    def bay(self) -> str: ...
    @property
    def level(self) -> str: ...


S = TypeVar("S", bound=Stop)


class PathStrategy(Protocol):
    def __call__(self, stops: Sequence[S]) -> list[S]: ...


def walk_sequence_path(stops: Sequence[S]) -> list[S]:
    """Stops in location walk sequence (then code): the default pick path.

    Walk sequences are numbered serpentine (`wms location generate` numbers the bays up the
    1st, 3rd... aisle and back down the 2nd, 4th...), so walk order is a serpentine through
    the aisles that never walks an aisle twice or back.
    """
    return sorted(stops, key=lambda s: (s.walk_seq, s.location_code))


def _position(label: str) -> tuple[int, int, str]:
    return (0, int(label), "") if is_ascii_digits(label) else (1, 0, label)


def s_shape_path(stops: Sequence[S]) -> list[S]:
    """Serpentine computed from aisle and bay, for sites whose walk sequence runs the same
    way up every aisle: aisles in walk order, bays up the 1st aisle with picks, down the
    2nd, up the 3rd...; aisles without picks are skipped and do not count. Locations
    without an aisle are each their own stop in walk order.
    """
    groups: dict[str, list[S]] = {}
    for stop in stops:
        groups.setdefault(stop.aisle or f"\x00{stop.location_code}", []).append(stop)
    aisles = sorted(groups.values(),
                    key=lambda g: min((s.walk_seq, s.location_code) for s in g))
    path: list[S] = []
    visited = 0
    for group in aisles:
        path.extend(sorted(
            group, reverse=visited % 2 == 1,
            key=lambda s: (_position(s.bay), _position(s.level), s.walk_seq, s.location_code),
        ))
        # A location outside any aisle is walked past, so it does not turn the picker round.
        visited += 1 if group[0].aisle else 0
    return path


PICK_PATHS: dict[str, PathStrategy] = {"walk": walk_sequence_path, "s-shape": s_shape_path}
DEFAULT_PICK_PATH = "walk"


def order_pick_path(stops: Sequence[S], strategy: PathStrategy | str = DEFAULT_PICK_PATH
                    ) -> list[S]:
    """The stops in the order a picker walks them, by a strategy or its name in PICK_PATHS."""
    if isinstance(strategy, str):
        if strategy not in PICK_PATHS:
            raise BadInput(f"unknown pick path {strategy!r} (known: {', '.join(PICK_PATHS)})")
        strategy = PICK_PATHS[strategy]
    return strategy(stops)


def path_length(stops: Sequence[Stop]) -> int:
    """Walk-sequence steps from the first stop to the last, in the order given."""
    return sum(abs(b.walk_seq - a.walk_seq) for a, b in pairwise(stops))
