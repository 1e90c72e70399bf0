"""The supervisor dashboard's figures: tiles for today and two daily series over recent days.

Every figure comes from the report functions (domain.reports) and the supervisor's exception
list (domain.supervisor), so the dashboard and `wms report …` never disagree. Days are the
site's days (its time zone, as in the reports), and everything is computed as of a moment passed
in, so tests fix the clock.

Picks per hour (one figure per day): pick lines timed from the same operator's previous
confirmation of any kind that day, summed over operators — Σ timed pick lines / Σ their hours.
It is the pick-flow figure `wms report productivity` gives for that day with every operator
together: a working pace, not the day's lines divided by its clock hours. A gap longer than
reports.DEFAULT_IDLE_MINUTES is a break, and the first line after it is counted but not timed.

Count accuracy (one figure per day): first-attempt count lines that matched the book, over the
first-attempt lines counted that day (reports.record_accuracy, by line).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Protocol

from wms_tui.domain.counting import CountStatus
from wms_tui.domain.outbound import OutboundRepository, TaskKind
from wms_tui.domain.periods import day_start, site_day
from wms_tui.domain.reports import (
    AccuracyFigure,
    DockToStockFigure,
    LedgerEntry,
    LedgerFilter,
    LowStockLine,
    Period,
    ReportReads,
    dock_to_stock,
    low_stock,
    productivity,
    record_accuracy,
)
from wms_tui.domain.supervisor import (
    DEFAULT_EXCEPTION_DAYS,
    ExceptionKind,
    OpenException,
    SupervisorServicesMixin,
    SupervisorUnitOfWork,
    open_exceptions,
)
from wms_tui.domain.work_flows import Flow

DASHBOARD_DAYS = 14
# A rate from fewer timed pick lines is noise (one line in 14 s reads as 263 an hour): none.
MIN_TIMED_LINES = 3
OPEN_COUNT_STATUSES = frozenset({CountStatus.OPEN, CountStatus.RECOUNT})


def rate(timed_lines: int, seconds: float) -> float | None:
    """Lines an hour, or None from a sample too small to mean anything."""
    if timed_lines < MIN_TIMED_LINES or seconds <= 0:
        return None
    return timed_lines * 3600 / seconds


@dataclass(frozen=True)
class PickDay:
    """One day's pick lines, and those of them that were timed (see the module docstring)."""

    day: date
    lines: int
    timed_lines: int
    seconds: float

    @property
    def per_hour(self) -> float | None:
        return rate(self.timed_lines, self.seconds)


@dataclass(frozen=True)
class Dashboard:
    """What the dashboard shows, as of one moment; the series run oldest day first."""

    as_of: datetime
    picks: tuple[PickDay, ...]
    counts: tuple[AccuracyFigure, ...]
    # First-attempt count lines of the whole window.
    accuracy: AccuracyFigure
    open_pick_tasks: int
    open_counts: int
    exceptions: tuple[OpenException, ...]
    # Receipts onto a dock in the window: median hours until their last unit left it. As with
    # `wms report dock-to-stock --since`, stock already on a dock before the window is not told
    # apart from it, so a move of older stock can close a receipt of the window early.
    dock_to_stock: DockToStockFigure
    low_stock: tuple[LowStockLine, ...]
    # The zone whose days the series are.
    zone: tzinfo = UTC

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(p.day for p in self.picks)

    @property
    def today(self) -> PickDay:
        return self.picks[-1]

    @property
    def picks_per_hour(self) -> tuple[float | None, ...]:
        return tuple(p.per_hour for p in self.picks)

    @property
    def pace(self) -> float | None:
        """Picks per hour over the whole window: its timed lines over their hours."""
        return rate(sum(p.timed_lines for p in self.picks), sum(p.seconds for p in self.picks))

    @property
    def accuracy_by_day(self) -> tuple[float | None, ...]:
        return tuple(c.line_accuracy for c in self.counts)

    @property
    def approvals(self) -> int:
        return sum(1 for e in self.exceptions if e.kind == ExceptionKind.APPROVAL)

    @property
    def on_dock(self) -> int:
        """Receipts of the window with units still on the dock."""
        return self.dock_to_stock.receipts - self.dock_to_stock.stocked


class DashboardUnitOfWork(SupervisorUnitOfWork, Protocol):
    # Read-only, as ports.UnitOfWork's members are, so the SQL unit of work type-checks as one.
    @property
    def outbound(self) -> OutboundRepository: ...
    @property
    def reports(self) -> ReportReads: ...


def pick_days(entries: list[LedgerEntry], days: list[date],
              zone: tzinfo = UTC) -> tuple[PickDay, ...]:
    """Each site day's pick lines and pace, from that day's movements of every kind."""
    by_day: dict[date, list[LedgerEntry]] = defaultdict(list)
    for e in entries:
        by_day[site_day(e.at, zone)].append(e)
    found = []
    for day in days:
        picking = [p for p in productivity(by_day[day]) if p.flow == Flow.PICK]
        found.append(PickDay(day, sum(p.lines for p in picking),
                             sum(p.timed_lines for p in picking),
                             sum(p.seconds for p in picking)))
    return tuple(found)


def dashboard(uow: DashboardUnitOfWork, now: datetime, days: int = DASHBOARD_DAYS,
              exception_days: int = DEFAULT_EXCEPTION_DAYS, zone: tzinfo = UTC) -> Dashboard:
    """The dashboard as of now: the site's today plus the days - 1 site days before it."""
    if days < 1:
        raise ValueError("the dashboard needs at least one day")
    today = site_day(now, zone)
    series = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    start = day_start(series[0], zone)
    entries = uow.reports.ledger(LedgerFilter(since=start, until=now))
    accuracy = record_accuracy(uow.reports.count_lines(start, now), Period.DAY, zone)
    per_day = {figure.period: figure for figure in accuracy.periods}
    # A day without counts gets the reports' own empty figure, relabelled.
    nothing = record_accuracy([]).overall
    counts = tuple(per_day.get(day.isoformat(), replace(nothing, period=day.isoformat()))
                   for day in series)
    return Dashboard(
        as_of=now,
        picks=pick_days(entries, series, zone),
        counts=counts,
        accuracy=accuracy.overall,
        # Counted by the database: reading every open task to count them cost a row each.
        open_pick_tasks=uow.outbound.open_task_totals(TaskKind.PICK)[0],
        open_counts=len(uow.counting.tasks(statuses=OPEN_COUNT_STATUSES)),
        exceptions=tuple(open_exceptions(uow, now, exception_days)),
        dock_to_stock=dock_to_stock(entries).overall,
        low_stock=tuple(low_stock(uow.reports.pick_faces())),
        zone=zone,
    )


class DashboardServicesMixin(SupervisorServicesMixin):
    """The dashboard screen's one read, over WarehouseServices' read-only unit of work."""

    uow_factory: Callable[[], DashboardUnitOfWork]
    read_factory: Callable[[], DashboardUnitOfWork]
    # The site's zone; the composition root (bootstrap.wire) sets it from WMS_TIMEZONE.
    zone: tzinfo = UTC

    def dashboard(self, now: datetime | None = None,
                  days: int = DASHBOARD_DAYS) -> Dashboard:
        with self.read_factory() as uow:
            return dashboard(uow, now or self.now(), days, zone=self.zone)
