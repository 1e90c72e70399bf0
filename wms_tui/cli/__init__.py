"""The `wms` admin command: one typer sub-app per resource, each a thin module that parses
arguments, calls the domain services through the site bootstrap wires, and prints the answer.

Exit codes: 0 ok, 1 error, 2 bad input (a malformed file, option or value).

The command modules import what only a command needs (bootstrap, the database, the domain's
services, progress bars) inside that command, never at the top: `wms --help` then loads no
SQLAlchemy and no GS1 parser, and a command loads only what it runs
(tests/cli/test_lazy_imports.py; option values the signatures show live in choices.py).
"""

from __future__ import annotations

from typing import Annotated

import typer

from wms_tui.cli import ops, reports, serve, setup, stock
from wms_tui.cli.api import api_app
from wms_tui.cli.common import CliState
from wms_tui.cli.count import count_app
from wms_tui.cli.demo import demo_app
from wms_tui.cli.edi import edi_app
from wms_tui.cli.exports import export_app
from wms_tui.cli.items import item_app
from wms_tui.cli.labels import labels_app
from wms_tui.cli.locations import location_app
from wms_tui.cli.orders import order_app, wave_app
from wms_tui.cli.scale import scale_app
from wms_tui.cli.serials import serial_app
from wms_tui.cli.shipping import pack_app, return_app, ship_app
from wms_tui.cli.stock_control import stock_adjust  # noqa: F401  (registers on stock_app)
from wms_tui.cli.stock_import import import_stock  # noqa: F401  (registers on stock_app)
from wms_tui.cli.tasks import task_app
from wms_tui.cli.users import user_app

__all__ = ["app"]

app = typer.Typer(
    help="wms: warehouse management for RF terminals (admin command line).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="SQLAlchemy URL; default $WMS_DATABASE_URL, else a SQLite file in the data dir.",
            show_default=False,
        ),
    ] = None,
) -> None:
    ctx.obj = CliState(database_url)


# Top-level commands, then the sub-apps, in the order `wms --help` lists them.
app.command()(setup.init)
app.command("tui")(serve.tui)
app.command("serve")(serve.serve)
app.command()(stock.movements)
app.command("audit")(reports.audit)
app.command("config")(ops.config)
app.command("doctor")(ops.doctor)

app.add_typer(stock.stock_app, name="stock")
app.add_typer(setup.db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(location_app, name="location")
app.add_typer(item_app, name="item")
app.add_typer(stock.scan_app, name="scan")
app.add_typer(order_app, name="order")
app.add_typer(labels_app, name="labels")
app.add_typer(count_app, name="count")
app.add_typer(wave_app, name="wave")
app.add_typer(task_app, name="task")
app.add_typer(reports.report_app, name="report")
app.add_typer(demo_app, name="demo")
app.add_typer(export_app, name="export")
app.add_typer(serial_app, name="serial")
app.add_typer(scale_app, name="scale")
app.add_typer(pack_app, name="pack")
app.add_typer(ship_app, name="ship")
app.add_typer(return_app, name="return")
app.add_typer(api_app, name="api")
app.add_typer(edi_app, name="edi")
