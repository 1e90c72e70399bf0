"""What outbound needs from storage, by concern; no repository here ever commits."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import date
from typing import Protocol

from wms_tui.domain.count_tasks import CountTaskStore
from wms_tui.domain.outbound.model import (
    OutboundLineRef,
    OutboundLineSpec,
    OutboundOrderRef,
    OutboundOrderSpec,
    OutboundStatus,
    StockSlot,
    TaskKind,
    TaskRef,
    TaskSpec,
    TaskStatus,
    WaveRef,
    WaveStatus,
)
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.totes import ToteRepository


class OrderRepository(Protocol):
    """Customer orders and their lines."""

    def order(self, order_id: int) -> OutboundOrderRef: ...
    def order_by_reference(self, reference: str) -> OutboundOrderRef | None: ...
    def lines(self, order_id: int) -> list[OutboundLineRef]:
        """The order's lines by line number."""
        ...
    def save_order(self, spec: OutboundOrderSpec) -> int:
        """Insert the order (status open) or update the header of the one with this reference."""
        ...
    def save_line(self, order_id: int, spec: OutboundLineSpec) -> None: ...
    def open_orders(
        self, *, ship_date: date | None = None, max_priority: int | None = None,
        statuses: Collection[OutboundStatus] = (OutboundStatus.OPEN,),
    ) -> list[OutboundOrderRef]:
        """Orders in these statuses (still open, by default), shipping on or before
        ship_date (or undated: due now), priority <= max_priority."""
        ...
    def lock_order(self, order_id: int) -> None:
        """Hold the order row until commit, so its status is derived from settled lines."""
        ...
    def set_order_status(
        self, order_id: int, status: OutboundStatus, wave_id: int | None = None
    ) -> None: ...
    def add_to_line(
        self, line_id: int, *, allocated: int = 0, picked: int = 0, short: int = 0
    ) -> bool:
        """Add (or with a negative allocated, take) quantities; False if a limit would break."""
        ...


class WaveRepository(Protocol):
    def next_wave_code(self) -> str: ...
    def add_wave(self, code: str, released_by: int) -> int: ...
    def wave(self, wave_id: int) -> WaveRef: ...
    def wave_by_code(self, code: str) -> WaveRef | None: ...
    def lock_wave(self, wave_id: int) -> None: ...
    def set_wave_status(self, wave_id: int, status: WaveStatus) -> None: ...


class TaskRepository(Protocol):
    """Pick and replenishment tasks."""

    def add_task(self, spec: TaskSpec) -> int: ...
    def set_task_reservation(self, task_id: int, reference: str) -> None: ...
    def set_task_seq(self, task_id: int, seq: int) -> None: ...
    def task(self, task_id: int) -> TaskRef: ...
    def lock_task(self, task_id: int) -> TaskRef:
        """The task, its row held until commit (two confirmations of one task queue up)."""
        ...
    def tasks(
        self,
        *,
        kind: TaskKind | None = None,
        wave_id: int | None = None,
        order_id: int | None = None,
        statuses: Sequence[TaskStatus] = (),
        assigned_to: int | None = None,
        unassigned: bool = False,
        limit: int | None = None,
        takeable_by: int | None = None,
        excluding: int | None = None,
    ) -> list[TaskRef]:
        """Tasks by wave, then walk sequence, then id; takeable_by keeps those assigned to that
        user or to no one, excluding leaves one task out."""
        ...
    def open_task_totals(
        self, kind: TaskKind, *, wave_id: int | None = None, order_id: int | None = None
    ) -> tuple[int, int]:
        """How many open tasks of this kind the wave (or the order) has, and the units they
        have left, counted by the database."""
        ...
    def busy_waves(self, kind: TaskKind, user_id: int) -> set[int]:
        """Waves with open tasks another operator has taken."""
        ...
    def claim_task(self, task_id: int, user_id: int) -> bool:
        """Assign an open, unassigned task; False if someone else took it first."""
        ...
    def add_done(self, task_id: int, quantity: int) -> bool:
        """Add to done_quantity of an open task unless that passes its quantity."""
        ...
    def set_task_status(
        self, task_id: int, status: TaskStatus, reason_code: str | None = None
    ) -> None: ...
    def set_task_lot(self, task_id: int, lot_id: int | None) -> None: ...


class PickFaceRepository(Protocol):
    """Stock as allocation sees it, what is left on a location, and replenishing pick faces."""

    def stock_slots(self, item_id: int) -> list[StockSlot]:
        """Every balance of the item with stock on an active location, any type or status."""
        ...
    def location_on_hand(self, location_id: int) -> int:
        """Everything on the location: every item, lot, LPN and status."""
        ...
    def short_reasons(self) -> list[str]: ...
    def replenishment_levels(self, item_id: int) -> tuple[int | None, int | None]:
        """The item's (min_qty, max_qty) at a pick face."""
        ...
    def open_replenishment(self, to_location_id: int, item_id: int) -> bool: ...
    def add_replenishment(self, spec: TaskSpec) -> int | None:
        """Insert an open replenishment task; None when its pick face already has one for
        the item (a partial unique index refuses the second, so racing pickers make one)."""
        ...


class OutboundRepository(
    OrderRepository, WaveRepository, TaskRepository, PickFaceRepository, ToteRepository,
    Protocol,
):
    """Outbound orders, waves, tasks, totes and pick faces; it never commits."""


class OutboundUnitOfWork(UnitOfWork, Protocol):
    # Read-only, as ports.UnitOfWork's members are, so the SQL unit of work type-checks as one.
    @property
    def outbound(self) -> OutboundRepository: ...
    @property
    def counting(self) -> CountTaskStore: ...


UowFactory = Callable[[], OutboundUnitOfWork]


class CancelRepository(Protocol):
    """What cancelling orders, waves and tasks needs beyond picking."""

    def wave_orders(self, wave_id: int) -> list[OutboundOrderRef]:
        """The wave's orders by id (the order every canceller locks them in)."""
        ...
    def reopen_order(self, order_id: int) -> None:
        """Back to open and out of its wave, so a new wave can take it."""
        ...
    def order_totes(self, order_id: int) -> list[int]:
        """Every tote bound to the order."""
        ...
    def log_cancel(self, login: str, terminal: str, detail: str) -> None:
        """An audit row in the cancel's own transaction."""
        ...


class OutboundCancelRepository(OutboundRepository, CancelRepository, Protocol):
    """Outbound storage with cancels."""


class CancelUnitOfWork(OutboundUnitOfWork, Protocol):
    @property
    def outbound(self) -> OutboundCancelRepository: ...
