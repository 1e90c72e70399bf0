"""What the `… cancel` commands share: their options and how a cancel is reported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.output import print_json
from wms_tui.domain.text import shown

if TYPE_CHECKING:
    from wms_tui.domain.outbound.cancels import CancelResult

Reason = Annotated[str | None, typer.Option(help="Why (recorded in `wms audit`).",
                                            show_default=False)]
Key = Annotated[str | None, typer.Option(
    help="Confirmation key: the same key never cancels twice (default: one per order, wave "
         "or task, so running the same cancel again changes nothing).",
    show_default=False)]


def print_cancel(result: CancelResult, as_json: bool) -> None:
    if as_json:
        print_json(vars(result))
        return
    again = " (cancelled before with this key: nothing changed now)" if result.replayed else ""
    typer.echo(f"{shown(result.cancelled)}: cancelled{again}")
    if result.tasks:
        typer.echo(f"  {len(result.tasks)} task(s) cancelled, {result.released} unit(s) "
                   "released from reservation")
    if result.reopened:
        typer.echo(f"  back to open: {shown(', '.join(result.reopened))}")
    if result.returned:
        typer.echo(f"  {result.returned} picked unit(s) moved back to "
                   f"{shown(result.returned_to or '')}")
    if result.kept_in:
        typer.echo(f"  {result.picked} picked unit(s) stay in {shown(', '.join(result.kept_in))}")
