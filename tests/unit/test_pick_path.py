"""Pick paths: walk order through a serpentine-numbered grid, the S-shape, replaceability."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pytest

from wms_tui.domain.errors import BadInput
from wms_tui.domain.masterdata import serpentine
from wms_tui.domain.outbound import (
    PICK_PATHS,
    order_pick_path,
    path_length,
    s_shape_path,
    walk_sequence_path,
)


@dataclass(frozen=True)
class Stop:
    location_code: str
    walk_seq: int
    aisle: str = ""
    bay: str = ""
    level: str = ""


def grid(aisles: str = "ABCDEF", bays: int = 10, levels: int = 2) -> list[Stop]:
    """Locations as `wms location generate` numbers them: serpentine walk sequence."""
    slots = serpentine(list(aisles), [f"{b:02d}" for b in range(1, bays + 1)],
                       [str(lv) for lv in range(1, levels + 1)])
    return [Stop(s.code, seq, s.aisle, s.bay, s.level) for seq, s in enumerate(slots, start=1)]


def wave_of(lines: int, seed: int = 4) -> list[Stop]:
    """Order lines as an order file lists them: in no useful walking order."""
    return random.Random(seed).sample(grid(), lines)


def test_walk_order_is_by_walk_sequence_and_serpentine_through_aisles() -> None:
    stops = [Stop("B-01-1-1", 40, "B", "01", "1"), Stop("A-02-1-1", 2, "A", "02", "1"),
             Stop("B-02-1-1", 21, "B", "02", "1"), Stop("A-01-1-1", 1, "A", "01", "1")]
    path = order_pick_path(stops)
    # Up aisle A, then aisle B from its far end (bay 02) back to bay 01.
    assert [s.location_code for s in path] == ["A-01-1-1", "A-02-1-1", "B-02-1-1", "B-01-1-1"]


def test_a_30_line_wave_in_walk_order_is_much_shorter_than_in_order_line_order() -> None:
    lines = wave_of(30)
    walked = order_pick_path(lines)
    assert path_length(walked) == walked[-1].walk_seq - walked[0].walk_seq
    assert path_length(walked) * 5 < path_length(lines)
    # The figures for the closing note (printed with -s).
    print(f"30-line wave: walk order {path_length(walked)} steps, "
          f"order-line order {path_length(lines)} steps")


def test_s_shape_skips_aisles_without_picks_and_alternates_by_visited_aisle() -> None:
    # Walk sequence running the same way up every aisle (bays ascending everywhere).
    stops = [Stop(f"{a}-{b:02d}", i * 100 + b, a, f"{b:02d}")
             for i, a in enumerate("ABC") for b in (1, 5) if a != "B"]
    path = s_shape_path(stops)
    # B has no picks: A goes up, C (the 2nd visited aisle) comes down.
    assert [s.location_code for s in path] == ["A-01", "A-05", "C-05", "C-01"]


def test_s_shape_keeps_locations_without_an_aisle_in_walk_order() -> None:
    stops = [Stop("DOCK", 50), Stop("A-02", 10, "A", "02"), Stop("A-01", 20, "A", "01"),
             Stop("STAGE", 5)]
    assert [s.location_code for s in s_shape_path(stops)] == ["STAGE", "A-01", "A-02", "DOCK"]


def test_strategies_are_replaceable_by_name_or_callable() -> None:
    stops = wave_of(8)
    assert order_pick_path(stops, "walk") == walk_sequence_path(stops)
    assert order_pick_path(stops, "s-shape") == s_shape_path(stops)
    backwards = order_pick_path(stops, lambda s: sorted(s, key=lambda x: -x.walk_seq))
    assert backwards == list(reversed(walk_sequence_path(stops)))
    assert set(PICK_PATHS) == {"walk", "s-shape"}
    with pytest.raises(BadInput, match="unknown pick path"):
        order_pick_path(stops, "zigzag")


def test_path_length_counts_walk_sequence_steps() -> None:
    stops = [Stop("a", 10), Stop("b", 4), Stop("c", 30)]
    assert path_length(stops) == 6 + 26
    assert path_length([]) == 0 and path_length(stops[:1]) == 0
