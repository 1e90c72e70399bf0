"""`wms task …`: pick, replenishment and count tasks listed; pick and replenishment cancelled."""

from __future__ import annotations

from typing import Annotated

import typer

from wms_tui.cli.cancels import Key, Reason, print_cancel
from wms_tui.cli.common import AsCsv, AsJson, AsLogin, acting_user, handles_errors, open_site
from wms_tui.cli.listing import emit_rows

task_app = typer.Typer(help="Pick, replenishment and count tasks.", no_args_is_help=True)


@task_app.command("list")
@handles_errors
def task_list(
    ctx: typer.Context,
    kind: Annotated[list[str] | None, typer.Option(
        "--kind", help="pick, replenish or count (repeatable; default all).",
        show_default=False)] = None,
    status: Annotated[list[str] | None, typer.Option(
        "--status", help="open, in_progress, done, short, cancelled, recount, "
        "pending_approval, rejected (repeatable).", show_default=False)] = None,
    location: Annotated[str | None, typer.Option(
        help="Only tasks from or to this location.", show_default=False)] = None,
    user: Annotated[str | None, typer.Option(
        help="Only tasks this user holds (count tasks are nobody's).",
        show_default=False)] = None,
    as_json: AsJson = False,
    as_csv: AsCsv = False,
) -> None:
    """List tasks by kind and id. Putaway is directed at the scan, so it has no tasks here."""
    from wms_tui.domain import listings

    kinds = listings.task_kinds(kind or [])
    statuses = listings.task_statuses(status or [])
    rows = listings.task_listing(open_site(ctx).read_factory(), kinds=kinds, statuses=statuses,
                                 location=location, user=user)
    emit_rows("Tasks", listings.TaskRow, rows, numeric={"id", "quantity", "done"},
              as_json=as_json, as_csv=as_csv)


@task_app.command("cancel")
@handles_errors
def task_cancel(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="The task number `wms task list` shows.")],
    login: AsLogin,
    reason: Reason = None,
    key: Key = None,
    as_json: AsJson = False,
) -> None:
    """Cancel an open pick or replenishment task and release its reservation; a pick task's
    units go back to its order line, to be allocated by a later wave."""
    from wms_tui.domain.outbound.cancels import cancel_task

    site = open_site(ctx)
    result = cancel_task(site.uow_factory, acting_user(site, login), task_id, reason=reason,
                         key=key)
    print_cancel(result, as_json)
