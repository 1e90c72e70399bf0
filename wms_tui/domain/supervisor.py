"""What a supervisor sees and decides: count variances to approve, open exceptions, waves.

Open exceptions are the things someone has to act on: order lines picked short (until the order
ships or is cancelled), pick tasks closed short, putaway overrides and over-receipts in the last
days, and counts waiting for approval.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from wms_tui.domain.counting import (
    ApprovalResult,
    CountingRepository,
    CountStatus,
    CountTaskRef,
    approve_count,
    book_of,
)
from wms_tui.domain.model import Actor
from wms_tui.domain.outbound import WaveReport, release_wave
from wms_tui.domain.ports import LedgerLine, UnitOfWork
from wms_tui.domain.users import is_locked

DEFAULT_EXCEPTION_DAYS = 7


class ExceptionKind(enum.StrEnum):
    SHORT_LINE = "short_line"
    SHORT_TASK = "short_task"
    OVERRIDE = "override"
    OVER_RECEIPT = "over_receipt"
    APPROVAL = "approval"
    LOCKED_USER = "locked_user"


@dataclass(frozen=True)
class ShownCountLine:
    """A count line with the codes a supervisor reads."""

    item_id: int
    sku: str
    lot_id: int | None
    lot: str | None
    counted: int
    expected: int
    ledger_position: int
    counted_by: str
    counted_at: datetime | None = None


@dataclass(frozen=True)
class VarianceLine:
    """One item/lot of a waiting count: book then, counted, and how the book moved since."""

    sku: str
    lot: str | None
    expected: int
    counted: int
    # The previous attempt's count of it (None on a task's first attempt).
    first_count: int | None
    # Book now minus book at count time: what moved in (+) or out (-) since.
    moved_since: int

    @property
    def variance(self) -> int:
        """What an approval posts: the variance measured at count time."""
        return self.counted - self.expected


@dataclass(frozen=True)
class PendingApproval:
    task: CountTaskRef
    counted_by: str
    counted_at: datetime | None
    lines: tuple[VarianceLine, ...]
    # Everything that moved in or out of the location since the task's first count.
    movements: tuple[LedgerLine, ...]
    # Who keyed any attempt: none of them may decide it (counting.approve_count).
    counter_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class OpenException:
    """One thing to act on; the screen words it from these fields."""

    kind: ExceptionKind
    reference: str
    sku: str = ""
    location: str = ""
    quantity: int = 0
    reason: str | None = None
    user: str | None = None
    at: datetime | None = None
    # Over-receipts: the order's quantity of the item and what it has received in all.
    expected: int | None = None
    received: int | None = None


@dataclass(frozen=True)
class WaveSummary:
    id: int
    code: str
    status: str
    orders: int
    open_tasks: int
    created_at: datetime | None = None


class SupervisorReads(Protocol):
    """The joined reads the supervisor screen shows; it never writes."""

    def shown_lines(self, task_id: int, attempt: int) -> list[ShownCountLine]: ...

    def ledger_after(self, location_id: int, after_id: int) -> list[LedgerLine]:
        """Movements in or out of the location after that ledger id, with codes, oldest first."""
        ...

    def short_lines(self) -> list[OpenException]:
        """Outbound lines with a short quantity on orders not shipped or cancelled."""
        ...

    def short_tasks(self, since: datetime) -> list[OpenException]: ...

    def overrides(self, since: datetime) -> list[OpenException]:
        """Movements with a reason code of kind override (FULL, BLOCKED…) since then."""
        ...

    def over_receipts(self, since: datetime) -> list[OpenException]:
        """Receipts with an over-receipt reason since then, with their order line totals."""
        ...

    def waves(self) -> list[WaveSummary]:
        """Newest first."""
        ...


class SupervisorRepository(CountingRepository, SupervisorReads, Protocol):
    """The SQL counting repository answers the supervisor's reads too."""


class SupervisorUnitOfWork(UnitOfWork, Protocol):
    # Read-only, as ports.UnitOfWork's members are, so the SQL unit of work type-checks as one.
    @property
    def counting(self) -> SupervisorRepository: ...


def pending_approvals(uow: SupervisorUnitOfWork) -> list[PendingApproval]:
    """Counts waiting for a supervisor, with their variances and the movements since."""
    found = []
    for task in uow.counting.tasks(statuses={CountStatus.PENDING_APPROVAL}):
        lines = uow.counting.shown_lines(task.id, task.attempt)
        if not lines:
            continue
        first = {} if task.attempt < 2 else {
            (ln.item_id, ln.lot_id): ln.counted
            for ln in uow.counting.shown_lines(task.id, task.attempt - 1)}
        now = book_of(uow.stock.balances(location_id=task.location_id))
        variances = tuple(
            VarianceLine(
                ln.sku, ln.lot, ln.expected, ln.counted,
                first.get((ln.item_id, ln.lot_id), 0) if task.attempt >= 2 else None,
                now.get((ln.item_id, ln.lot_id), 0) - ln.expected,
            )
            for ln in lines if ln.counted != ln.expected
        )
        every_attempt = uow.counting.lines(task.id)
        # From the task's first count, so movements during a recount are shown too.
        position = min(ln.ledger_position for ln in every_attempt)
        movements = uow.counting.ledger_after(task.location_id, position)
        if task.sku is not None:
            movements = [m for m in movements if m.sku == task.sku]
        found.append(PendingApproval(task, lines[0].counted_by, lines[0].counted_at,
                                     variances, tuple(movements),
                                     frozenset(ln.counted_by for ln in every_attempt)))
    return found


def open_exceptions(uow: SupervisorUnitOfWork, now: datetime,
                    days: int = DEFAULT_EXCEPTION_DAYS) -> list[OpenException]:
    """Shorts, overrides, over-receipts, waiting approvals and locked-out users, in that order."""
    since = now - timedelta(days=days)
    found = list(uow.counting.short_lines())
    found += uow.counting.short_tasks(since)
    found += uow.counting.overrides(since)
    found += uow.counting.over_receipts(since)
    for task in uow.counting.tasks(statuses={CountStatus.PENDING_APPROVAL}):
        found.append(OpenException(ExceptionKind.APPROVAL, f"COUNT-{task.id}", task.sku or "",
                                   task.location, at=task.created_at))
    # The alert for wrong PINs: who is locked out now, until when (None: until unlocked).
    found += [OpenException(ExceptionKind.LOCKED_USER, user.login, user=user.login,
                            at=user.locked_until)
              for user in uow.users.all() if is_locked(user, now)]
    return found


class SupervisorServicesMixin:
    """The supervisor screen's services over WarehouseServices' unit-of-work factories."""

    uow_factory: Callable[[], SupervisorUnitOfWork]
    read_factory: Callable[[], SupervisorUnitOfWork]

    def _supervising(self, factory: Callable[[], SupervisorUnitOfWork]) -> SupervisorUnitOfWork:
        return factory()

    def now(self) -> datetime:
        return datetime.now(UTC)

    def pending_approvals(self) -> list[PendingApproval]:
        with self._supervising(self.read_factory) as uow:
            return pending_approvals(uow)

    def open_exceptions(self, days: int = DEFAULT_EXCEPTION_DAYS) -> list[OpenException]:
        with self._supervising(self.read_factory) as uow:
            return open_exceptions(uow, self.now(), days)

    def waves(self) -> list[WaveSummary]:
        with self._supervising(self.read_factory) as uow:
            return uow.counting.waves()

    def approve_count(self, actor: Actor, task_id: int, approve: bool,
                      key: str) -> ApprovalResult:
        return approve_count(self.uow_factory, actor, task_id, approve, key)

    def release_wave(self, actor: Actor, today: date) -> WaveReport:
        """Every open order shipping by today into one new wave (outbound.release_wave)."""
        return release_wave(self.uow_factory, actor, ship_date=today, today=today)
