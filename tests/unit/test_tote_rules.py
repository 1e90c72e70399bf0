"""Totes belong to orders: the binding rule as plain values, and take_tote over an in-memory
repository (the database version is in tests/db/test_pick_totes.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.unit.flows.pick_fakes import TOTE1
from wms_tui.domain.errors import ScanRejected, TransientConflict
from wms_tui.domain.totes import ToteBinding, ToteDecision, take_tote, tote_decision

SO1 = ToteBinding(TOTE1.id, 1, "SO-1")


@pytest.mark.parametrize(("binding", "order_id", "holds", "decision"), [
    (None, 1, False, ToteDecision.BIND),
    # A tote with stock but no binding (filled before totes were bound) is taken as it is.
    (None, 1, True, ToteDecision.BIND),
    (SO1, 1, True, ToteDecision.KEEP),
    (SO1, 1, False, ToteDecision.KEEP),
    (SO1, 2, False, ToteDecision.REBIND),
])
def test_binding_rule(binding: ToteBinding | None, order_id: int, holds: bool,
                      decision: ToteDecision) -> None:
    assert tote_decision(binding, order_id, tote="TOTE-1", holds_stock=holds) is decision


def test_another_orders_tote_still_holding_its_stock_is_refused_naming_the_order() -> None:
    with pytest.raises(ScanRejected) as refused:
        tote_decision(SO1, 2, tote="TOTE-1", holds_stock=True)
    assert str(refused.value) == "Tote TOTE-1 holds SO-1: scan another"


@dataclass
class FakeTotes:
    bindings: dict[int, ToteBinding] = field(default_factory=dict)
    on_hand: dict[int, int] = field(default_factory=dict)
    refs: dict[int, str] = field(default_factory=lambda: {1: "SO-1", 2: "SO-2"})
    # Another terminal's binding that lands between our read and our rebind.
    meanwhile: ToteBinding | None = None

    def tote_binding(self, tote_id: int) -> ToteBinding | None:
        return self.bindings.get(tote_id)

    def bind_tote(self, tote_id: int, order_id: int) -> None:
        assert tote_id not in self.bindings, "the unique index"
        self.bindings[tote_id] = ToteBinding(tote_id, order_id, self.refs[order_id])

    def rebind_tote(self, tote_id: int, from_order_id: int, to_order_id: int) -> bool:
        if self.meanwhile is not None:
            self.bindings[tote_id] = self.meanwhile
        if self.bindings[tote_id].order_id != from_order_id:
            return False
        self.bindings[tote_id] = ToteBinding(tote_id, to_order_id, self.refs[to_order_id])
        return True

    def order_tote(self, order_id: int) -> int | None:
        return next((t for t, b in self.bindings.items() if b.order_id == order_id), None)

    def location_on_hand(self, location_id: int) -> int:
        return self.on_hand.get(location_id, 0)


def test_take_tote_binds_keeps_and_rebinds_an_emptied_tote() -> None:
    repo = FakeTotes()
    assert take_tote(repo, TOTE1, 1) is ToteDecision.BIND
    repo.on_hand[TOTE1.id] = 5
    assert take_tote(repo, TOTE1, 1) is ToteDecision.KEEP
    with pytest.raises(ScanRejected, match="Tote TOTE-1 holds SO-1"):
        take_tote(repo, TOTE1, 2)
    assert repo.bindings[TOTE1.id].order_id == 1
    repo.on_hand[TOTE1.id] = 0
    assert take_tote(repo, TOTE1, 2) is ToteDecision.REBIND
    assert repo.bindings[TOTE1.id] == ToteBinding(TOTE1.id, 2, "SO-2")
    assert repo.order_tote(2) == TOTE1.id


def test_a_rebind_that_loses_the_race_is_retried_not_posted() -> None:
    repo = FakeTotes(bindings={TOTE1.id: SO1})
    repo.meanwhile = ToteBinding(TOTE1.id, 3, "SO-3")
    with pytest.raises(TransientConflict):
        take_tote(repo, TOTE1, 2)
    assert repo.bindings[TOTE1.id].order_ref == "SO-3"
