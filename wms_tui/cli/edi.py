"""`wms edi …`: EANCOM interchanges in (DESADV as ASNs, ORDERS as customer orders) and a
DESADV out for a confirmed shipment (docs/edi.md). pydifact is imported inside the commands,
so `wms --help` does not load it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, cast

import typer

from wms_tui.cli.common import handles_errors, open_site
from wms_tui.cli.importing import DryRun, finish
from wms_tui.domain.text import visible

edi_app = typer.Typer(help="EDIFACT (EANCOM) DESADV and ORDERS in, DESADV out.",
                      no_args_is_help=True)
export_app = typer.Typer(help="Build an EDIFACT message.", no_args_is_help=True)
edi_app.add_typer(export_app, name="export")


def _refuse(problems: tuple[str, ...]) -> None:
    for problem in problems:
        typer.echo(f"error: {visible(problem)}", err=True)
    typer.echo("the interchange was refused whole; nothing was imported", err=True)
    raise typer.Exit(2)


@edi_app.command("import")
@handles_errors
def edi_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An EDIFACT interchange (DESADV or ORDERS).")],
    dry_run: DryRun = False,
) -> None:
    """Import a DESADV as inbound orders (ASNs) or an ORDERS as outbound orders, told apart
    by UNH; any problem refuses the whole interchange."""
    from wms_tui.edi import EdiError, parse_interchange
    from wms_tui.edi.service import import_messages

    text = file.read_bytes().decode("utf-8", errors="replace")
    site = open_site(ctx)
    try:
        messages = parse_interchange(text)
        kind, report = import_messages(
            site.read_factory if dry_run else site.uow_factory, messages, dry_run=dry_run)
    except EdiError as exc:
        _refuse(exc.problems)
    kinds = ", ".join(sorted({m.kind for m in messages}))
    typer.echo(f"{len(messages)} {kinds} message(s) as {kind} orders: "
               f"{', '.join(visible(m.number) for m in messages)}")
    if report.errors:
        report.notes.append("the interchange was refused whole; nothing was imported")
    finish(report)


@export_app.command("desadv")
@handles_errors
def export_desadv(
    ctx: typer.Context,
    shipment: Annotated[str, typer.Argument(help="A confirmed shipment, e.g. SH00001.")],
    out: Annotated[Path, typer.Option("--out", help="The .edi file to write.")],
    sender: Annotated[str, typer.Option(help="Our GLN in UNB.")] = "WMS",
    recipient: Annotated[str, typer.Option(help="The partner's GLN in UNB.")] = "PARTNER",
) -> None:
    """Write the despatch advice (DESADV D.96A EAN005) of a confirmed shipment: cartons by
    SSCC with weights, lines by GTIN with lots and expiry."""
    from wms_tui.domain import shipping
    from wms_tui.domain.ports import UnitSpec
    from wms_tui.edi import build_desadv
    from wms_tui.edi.service import despatch

    site = open_site(ctx)
    view = shipping.shipment_view(site.read_factory, shipment)
    with site.read_factory() as uow:
        masterdata = cast(Any, uow).masterdata

        def units_of(sku: str) -> tuple[UnitSpec, ...]:
            spec = masterdata.item(sku)
            return () if spec is None else tuple(spec.units)

        advice = despatch(view, units_of, sender=sender, recipient=recipient)
    out.write_text(build_desadv(advice), encoding="utf-8")
    typer.echo(f"{out}: DESADV {advice.number}, {len(advice.packages)} carton(s), "
               f"{len(advice.lines)} line(s)")
