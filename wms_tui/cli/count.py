"""`wms count …`: cycle counts scheduled by ABC class or asked for, listed and approved."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.common import (
    AsJson,
    AsLogin,
    ItemFilter,
    LocationFilter,
    acting_user,
    fail,
    handles_errors,
    open_site,
)
from wms_tui.cli.output import console, print_json, table
from wms_tui.domain.errors import BadInput
from wms_tui.domain.periods import day
from wms_tui.domain.text import shown, shown_any

if TYPE_CHECKING:
    from wms_tui.domain import counting
    from wms_tui.domain.supervisor import PendingApproval

count_app = typer.Typer(help="Cycle counts: schedule, request, list, approve.",
                        no_args_is_help=True)

StatusFilter = Annotated[
    list[str] | None,
    typer.Option("--status", help="open, recount, pending_approval, done, rejected, "
                 "cancelled or all (default: the open ones). Repeatable.", show_default=False),
]
TaskArg = Annotated[int, typer.Argument(help="The count task number (wms count list).")]

TASK_COLUMNS = ["task", "location", "item", "status", "trigger", "attempt", "due", "created"]


def _count_statuses(values: list[str] | None) -> set[counting.CountStatus] | None:
    from wms_tui.domain import counting

    if not values:
        return set(counting.OPEN_STATUSES)
    if "all" in (v.lower() for v in values):
        return None
    try:
        return {counting.CountStatus(v.lower()) for v in values}
    except ValueError:
        known = ", ".join(s.value for s in counting.CountStatus)
        raise BadInput(f"status must be one of {known} or all") from None


def _task_rows(tasks: Sequence[counting.CountTaskRef]) -> list[list[object]]:
    return [[t.id, t.location, t.sku or "", t.status.value, t.trigger.value, t.attempt, t.due,
             t.created_at] for t in tasks]


def _print_schedule(report: counting.ScheduleReport, as_json: bool) -> None:
    from wms_tui.domain import counting

    if as_json:
        print_json({"created": [counting.task_json(t) for t in report.created],
                    "due_items": report.due_items, "already_open": report.already_open})
        return
    if report.created:
        console().print(table("Count tasks created", TASK_COLUMNS, _task_rows(report.created),
                              numeric={"task", "attempt"}))
    typer.echo(f"count tasks: {len(report.created)} created, "
               f"{len(report.already_open)} locations already have one open")


@count_app.command("schedule")
@handles_errors
def count_schedule(
    ctx: typer.Context,
    today: Annotated[
        str | None, typer.Option(help="The day to schedule for, YYYY-MM-DD (default: today).",
                                 show_default=False)
    ] = None,
    a_days: Annotated[int, typer.Option("--a-days", help="Days between counts of A items.")] = 30,
    b_days: Annotated[int, typer.Option("--b-days", help="Days between counts of B items.")] = 90,
    c_days: Annotated[int, typer.Option("--c-days", help="Days between counts of C items.")] = 365,
    login: Annotated[
        str | None, typer.Option("--as", help="Record this user as the requester.",
                                 show_default=False)
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Create count tasks for every location holding an item due by its ABC class."""
    from wms_tui.domain import counting

    site = open_site(ctx)
    on = day(today, "--today") if today else site.today()
    policy = counting.CountPolicy(frequencies={"A": a_days, "B": b_days, "C": c_days})
    actor = acting_user(site, login) if login else None
    _print_schedule(counting.schedule_counts(site.uow_factory, actor, on, policy), as_json)


@count_app.command("request")
@handles_errors
def count_request(
    ctx: typer.Context,
    login: AsLogin,
    location: LocationFilter = None,
    item: ItemFilter = None,
    zone: Annotated[
        str | None, typer.Option("--zone", help="Every storage location of a zone.",
                                 show_default=False)
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Ask for a count of one location, of an item wherever it is, or of a whole zone."""
    from wms_tui.domain import counting

    site = open_site(ctx)
    report = counting.request_count(site.uow_factory, acting_user(site, login),
                                    location=location, item=item, zone=zone)
    _print_schedule(report, as_json)


@count_app.command("list")
@handles_errors
def count_list(ctx: typer.Context, status: StatusFilter = None, as_json: AsJson = False) -> None:
    """Count tasks in the order operators get them; book quantities are never listed."""
    from wms_tui.domain import counting

    tasks = counting.list_tasks(open_site(ctx).read_factory, _count_statuses(status))
    if as_json:
        print_json([counting.task_json(t) for t in tasks])
    elif not tasks:
        typer.echo("no count tasks")
    else:
        console().print(table("Count tasks", TASK_COLUMNS, _task_rows(tasks),
                              numeric={"task", "attempt"}))


def _pending_json(p: PendingApproval) -> dict[str, object]:
    return {
        "task": p.task.id, "location": p.task.location, "counted_by": p.counted_by,
        "counted_at": p.counted_at,
        "lines": [{"sku": ln.sku, "lot": ln.lot, "expected": ln.expected,
                   "counted": ln.counted, "first_count": ln.first_count,
                   "variance": ln.variance, "moved_since": ln.moved_since}
                  for ln in p.lines],
        "movements": [{"id": m.id, "time": m.created_at, "kind": m.kind.value,
                       "sku": m.sku, "quantity": m.quantity, "from": m.from_location,
                       "to": m.to_location, "user": m.user, "reference": m.reference}
                      for m in p.movements],
    }


def _print_pending(p: PendingApproval) -> None:
    rows = [[ln.sku, ln.lot, ln.expected, ln.first_count, ln.counted, ln.variance,
             ln.moved_since] for ln in p.lines]
    title = f"Count task {p.task.id} at {p.task.location}, counted by {p.counted_by}"
    console().print(table(title, ["item", "lot", "book", "1st count", "counted", "variance",
                                  "moved since"], rows,
                          numeric={"book", "1st count", "counted", "variance", "moved since"}))
    for m in p.movements:
        parts = (f"#{m.id}", m.kind.value, m.quantity, m.sku, m.from_location or "-", ">",
                 m.to_location or "-", m.user, m.reference)
        typer.echo("  moved since: " + " ".join(shown_any(part) for part in parts))


@count_app.command("pending")
@handles_errors
def count_pending(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Counts waiting for a supervisor: book then, counted, and what moved since."""
    pending = open_site(ctx).services.pending_approvals()
    if as_json:
        print_json([_pending_json(p) for p in pending])
    elif not pending:
        typer.echo("no counts waiting for approval")
    else:
        for p in pending:
            _print_pending(p)


def _decide(ctx: typer.Context, task_id: int, login: str, approve: bool) -> None:
    from wms_tui.domain import counting
    from wms_tui.domain.stock import new_confirmation_key

    site = open_site(ctx)
    result = counting.approve_count(site.uow_factory, acting_user(site, login), task_id,
                                    approve, new_confirmation_key())
    if result.status == counting.CountStatus.RECOUNT:
        fail(f"count task {task_id} not approved: {shown(result.reason)}", 1)
    if result.status == counting.CountStatus.REJECTED:
        typer.echo(f"count task {task_id}: rejected; count task {result.new_task_id} "
                   "created for a fresh count")
    else:
        typer.echo(f"count task {task_id}: approved, {len(result.movement_ids)} "
                   "adjustment(s) posted")


@count_app.command("approve")
@handles_errors
def count_approve(ctx: typer.Context, task_id: TaskArg, login: AsLogin) -> None:
    """Post a waiting count's variances, with the supervisor on every ledger row."""
    _decide(ctx, task_id, login, True)


@count_app.command("reject")
@handles_errors
def count_reject(ctx: typer.Context, task_id: TaskArg, login: AsLogin) -> None:
    """Throw a waiting count away and ask for a fresh count of the location."""
    _decide(ctx, task_id, login, False)
