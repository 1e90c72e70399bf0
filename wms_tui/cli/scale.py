"""`wms scale read`: the stable weight a scale shows, to check its address and output format."""

from __future__ import annotations

from typing import Annotated

import typer

from wms_tui.cli.common import AsJson, handles_errors
from wms_tui.cli.output import print_json

scale_app = typer.Typer(help="Scales: read the weight a scale shows.", no_args_is_help=True)


@scale_app.command("read")
@handles_errors
def read(
    address: Annotated[str, typer.Option(
        "--address", envvar="WMS_SCALE", show_default=False,
        help="tcp://host:port or serial:/dev/ttyUSB0; default $WMS_SCALE.")],
    timeout: Annotated[float, typer.Option(
        min=0.1, max=600, help="Seconds to wait for a stable weight, connecting included.")] = 10,
    samples: Annotated[int, typer.Option(
        min=1, max=100, help="Equal stable readings in a row that make the weight.")] = 1,
    as_json: AsJson = False,
) -> None:
    """Wait for the scale's first stable weight above zero and print it."""
    from wms_tui.scale import read_stable_weight

    weight = read_stable_weight(address, timeout=timeout, samples=samples)
    if as_json:
        # Values as text, so the scale's decimals (1.500 kg) reach the reader unrounded.
        print_json({"value": f"{weight.value:f}", "unit": weight.unit, "basis": weight.basis,
                    "kg": f"{weight.in_kg():f}"})
        return
    typer.echo(f"{weight} {weight.basis}" if weight.basis else str(weight))
