"""`wms serial show`: where a serial-numbered unit is and every movement that carried it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.common import AsJson, handles_errors, open_site
from wms_tui.cli.output import console, print_json, table
from wms_tui.domain.text import shown

if TYPE_CHECKING:
    from wms_tui.domain.serials import SerialHistory

serial_app = typer.Typer(help="Serial numbers: where a unit is and how it moved.",
                         no_args_is_help=True)

HISTORY_COLUMNS = ["movement", "time (UTC)", "kind", "from", "to", "reference", "user"]


def _json(found: SerialHistory) -> dict[str, object]:
    r = found.record
    return {
        "serial": r.serial, "sku": r.sku, "status": r.status, "location": r.location,
        "lpn": r.lpn, "lot": r.lot,
        "history": [
            {"movement": e.movement_id, "time": e.at, "kind": e.kind, "from": e.from_location,
             "to": e.to_location, "reference": e.reference, "user": e.user}
            for e in found.events
        ],
    }


@serial_app.command("show")
@handles_errors
def show(
    ctx: typer.Context,
    serial: Annotated[str, typer.Argument(help="The serial number, as on the unit's label.")],
    item: Annotated[
        str | None,
        typer.Option("--item", help="Only this item's serial (SKU or alias).", show_default=False),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Where a serial is (location, LPN, status) and its movements, oldest first."""
    from wms_tui.domain.serials import serial_history

    found = serial_history(open_site(ctx).read_factory, serial, sku=item)
    if as_json:
        print_json([_json(f) for f in found])
        return
    for unit in found:
        r = unit.record
        where = r.location or "-"
        if r.lpn:
            where += f" on {r.lpn}"
        typer.echo(f"{shown(r.serial)} of {shown(r.sku)}: {r.status.value} at {shown(where)}"
                   + (f", lot {shown(r.lot)}" if r.lot else ""))
        console().print(table(
            f"History of {r.serial}", HISTORY_COLUMNS,
            [[e.movement_id, e.at.isoformat(timespec="seconds"), e.kind.value, e.from_location,
              e.to_location, e.reference, e.user] for e in unit.events],
            numeric={"movement"},
        ))
