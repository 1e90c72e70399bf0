"""Totes belong to orders: a tote (a staging location) collects one outbound order at a time.

The binding is stored, not remembered by a picker's trip, so it holds across trips, sessions
and terminals. Every pick into a tote takes it in the pick's own transaction (take_tote):
an unbound tote is bound, a tote of this order is kept, an emptied tote of another order is
rebound, and a tote still holding another order is refused.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from wms_tui.domain.errors import N_, ScanRejected, TransientConflict
from wms_tui.domain.model import LocationRef
from wms_tui.domain.ports import UnitOfWork


@dataclass(frozen=True)
class ToteBinding:
    tote_id: int
    order_id: int
    order_ref: str


class ToteDecision(enum.StrEnum):
    KEEP = "keep"
    BIND = "bind"
    REBIND = "rebind"


class ToteRepository(Protocol):
    """Tote-to-order bindings (a unique index allows one order per tote); it never commits."""

    def tote_binding(self, tote_id: int) -> ToteBinding | None:
        """The tote's order, its row held until commit (on PostgreSQL: FOR UPDATE)."""
        ...
    def bind_tote(self, tote_id: int, order_id: int) -> None:
        """Bind an unbound tote; a binding committed meanwhile fails the transaction."""
        ...
    def rebind_tote(self, tote_id: int, from_order_id: int, to_order_id: int) -> bool:
        """Move the binding to another order; False if it no longer names from_order_id."""
        ...
    def order_tote(self, order_id: int) -> int | None:
        """The tote bound to the order most recently, if any."""
        ...
    def location_on_hand(self, location_id: int) -> int:
        """Everything on the location: every item, lot, LPN and status."""
        ...


class ToteUnitOfWork(UnitOfWork, Protocol):
    # Read-only, as ports.UnitOfWork's members are, so the SQL unit of work type-checks as one.
    @property
    def outbound(self) -> ToteRepository: ...


def tote_decision(binding: ToteBinding | None, order_id: int, *, tote: str,
                  holds_stock: bool) -> ToteDecision:
    """What a pick of order_id into the tote does to its binding; refuses another order's
    tote while that order's stock is still in it."""
    if binding is None:
        return ToteDecision.BIND
    if binding.order_id == order_id:
        return ToteDecision.KEEP
    if holds_stock:
        raise ScanRejected(N_("Tote {tote} holds {ref}: scan another"), tote=tote,
                           ref=binding.order_ref)
    return ToteDecision.REBIND


def take_tote(repo: ToteRepository, tote: LocationRef, order_id: int) -> ToteDecision:
    """Check and take the tote for the order, inside the caller's posting transaction."""
    binding = repo.tote_binding(tote.id)
    holds = (binding is not None and binding.order_id != order_id
             and repo.location_on_hand(tote.id) > 0)
    decision = tote_decision(binding, order_id, tote=tote.code, holds_stock=holds)
    if decision is ToteDecision.BIND:
        repo.bind_tote(tote.id, order_id)
    elif decision is ToteDecision.REBIND:
        assert binding is not None
        if not repo.rebind_tote(tote.id, binding.order_id, order_id):
            raise TransientConflict("tote was bound to another order meanwhile")
    return decision


def order_tote(uow_factory: Callable[[], ToteUnitOfWork], order_id: int) -> LocationRef | None:
    """The tote the order was last picked into, which the drop step offers on Enter."""
    with uow_factory() as uow:
        tote_id = uow.outbound.order_tote(order_id)
        return None if tote_id is None else uow.catalog.location(tote_id)
