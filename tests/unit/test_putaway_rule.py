"""The directed-putaway rule on plain values: no database, no flow."""

from __future__ import annotations

import pytest

from wms_tui.domain.errors import InvalidQuantity
from wms_tui.domain.model import LocationType
from wms_tui.domain.putaway import PutawayCandidate, suggest_putaway_location

RES, BULK = 1, 2
DOCK_ID = 99


def loc(code: str, walk: int, *, zone: int | None = RES, capacity: int | None = 100,
        type: LocationType = LocationType.RESERVE, on_hand: int = 0, item: int = 0,
        lot: int = 0, active: bool = True, id: int | None = None) -> PutawayCandidate:
    return PutawayCandidate(id if id is not None else walk, code, type, walk, zone, capacity,
                            active, on_hand, item, lot)


def suggest(candidates: list[PutawayCandidate], quantity: int = 10, zone: int | None = RES,
            source_walk: int = 0) -> str | None:
    chosen = suggest_putaway_location(candidates, quantity=quantity, item_zone_id=zone,
                                      source_location_id=DOCK_ID, source_walk_seq=source_walk)
    return None if chosen is None else chosen.code


def test_same_item_with_room_beats_a_nearer_empty_location() -> None:
    assert suggest([loc("EMPTY", 1), loc("SAME", 50, on_hand=40, item=40)]) == "SAME"


def test_same_lot_beats_same_item_even_further_away() -> None:
    candidates = [loc("ITEM", 5, on_hand=10, item=10), loc("LOT", 60, on_hand=10, item=10, lot=10)]
    assert suggest(candidates) == "LOT"


def test_same_item_without_room_falls_back_to_an_empty_location() -> None:
    candidates = [loc("SAME", 5, on_hand=95, item=95), loc("EMPTY", 70)]
    assert suggest(candidates, quantity=10) == "EMPTY"
    assert suggest(candidates, quantity=5) == "SAME"  # exactly full is still room


def test_capacity_counts_everything_on_hand_not_only_this_item() -> None:
    shared = loc("SHARED", 5, on_hand=95, item=40)
    assert suggest([shared], quantity=6) is None
    assert suggest([shared], quantity=5) == "SHARED"


def test_no_capacity_means_unlimited() -> None:
    assert suggest([loc("FLOOR", 5, capacity=None, on_hand=10**6, item=10**6)], 10**6) == "FLOOR"


def test_empty_locations_only_in_the_items_zone() -> None:
    candidates = [loc("BULK", 1, zone=BULK), loc("NOZONE", 2, zone=None), loc("RES", 80)]
    assert suggest(candidates, zone=RES) == "RES"
    assert suggest([loc("BULK", 1, zone=BULK)], zone=RES) is None


def test_item_without_zone_may_go_to_any_empty_location() -> None:
    candidates = [loc("RES", 40), loc("BULK", 30, zone=BULK), loc("NOZONE", 20, zone=None)]
    assert suggest(candidates, zone=None) == "NOZONE"


def test_same_item_counts_in_any_zone() -> None:
    assert suggest([loc("RES", 1), loc("BULK", 90, zone=BULK, on_hand=1, item=1)]) == "BULK"


def test_locations_holding_only_other_items_are_never_directed_to() -> None:
    assert suggest([loc("OTHER", 1, on_hand=1, item=0)]) is None


def test_nearest_to_the_source_walk_sequence_then_lower_then_code() -> None:
    candidates = [loc("FAR", 10), loc("NEAR", 48), loc("TIE-HIGH", 52), loc("B", 30, id=1),
                  loc("A", 30, id=2)]
    assert suggest(candidates, source_walk=50) == "NEAR"
    assert suggest(candidates, source_walk=0) == "FAR"
    assert suggest([loc("HIGH", 52), loc("LOW", 48)], source_walk=50) == "LOW"
    assert suggest([loc("B", 30, id=1), loc("A", 30, id=2)]) == "A"


@pytest.mark.parametrize("kind", [LocationType.DOCK, LocationType.QC, LocationType.STAGING])
def test_dock_qc_and_staging_are_never_candidates(kind: LocationType) -> None:
    assert suggest([loc("X", 1, type=kind)]) is None


def test_pick_faces_are_candidates() -> None:
    assert suggest([loc("PICK", 1, type=LocationType.PICK)]) == "PICK"


def test_inactive_and_source_locations_are_excluded() -> None:
    assert suggest([loc("OFF", 1, active=False)]) is None
    assert suggest([loc("SRC", 1, id=DOCK_ID, on_hand=10, item=10)]) is None


def test_nothing_fits_returns_none() -> None:
    assert suggest([], 1) is None
    assert suggest([loc("SMALL", 1, capacity=5)], quantity=6) is None


def test_quantity_must_be_positive() -> None:
    with pytest.raises(InvalidQuantity):
        suggest([loc("A", 1)], quantity=0)
