"""`wms demo`: the practice warehouse in training mode, served to a class, and its report."""

from __future__ import annotations

from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated

import typer

from wms_tui.cli.common import AsJson, Since, cli_state, fail, handles_errors, open_other_site
from wms_tui.cli.output import Row, console, print_json, table
from wms_tui.domain.errors import BadInput
from wms_tui.domain.periods import moment


class Scenario(Enum):
    """The exercises; a plain Enum, since a str one would clash with str.count."""

    receive = "receive"
    putaway = "putaway"
    pick = "pick"
    count = "count"
    tour = "tour"


class ClassAuth(StrEnum):
    password = "password"
    none = "none"


demo_app = typer.Typer(help="The practice warehouse: training mode, a class server, reports.")


@demo_app.callback(invoke_without_command=True)
@handles_errors
def demo(
    ctx: typer.Context,
    reset: Annotated[
        bool, typer.Option("--reset", help="Throw the practice warehouse away and seed it anew.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the practice warehouse (same seed, same "
                                           "warehouse).")] = 1,
    scenario: Annotated[
        Scenario | None,
        typer.Option(help="Start this exercise straight after log-in.", show_default=False),
    ] = None,
    terminal: Annotated[
        str | None, typer.Option(help="Terminal ID recorded on every movement.")
    ] = None,
    ascii_only: Annotated[
        bool | None,
        typer.Option("--ascii/--no-ascii", help="No line drawing (default: from TERM)."),
    ] = None,
    lang: Annotated[str | None, typer.Option(help="en or zh_CN (default: the user's).")] = None,
    run: Annotated[
        bool, typer.Option("--run/--no-run", help="Open the app (--no-run: only prepare).")
    ] = True,
    serve: Annotated[bool, typer.Option(
        "--serve", help="Serve the practice warehouse to a class over SSH instead.")] = False,
    host: Annotated[str, typer.Option(
        help="With --serve: address to listen on (0.0.0.0 for a classroom network).")] = (
        "127.0.0.1"),
    port: Annotated[int, typer.Option(help="With --serve: SSH port.")] = 2222,
    telnet_port: Annotated[int | None, typer.Option(
        help="With --serve: also telnet on this port (unencrypted; asks for the class "
             "password).", show_default=False)
    ] = None,
    telnet_insecure: Annotated[bool, typer.Option(
        "--telnet-insecure",
        help="With --serve: allow telnet on an address other than loopback: telnet sends "
             "PINs in clear text.")] = False,
    ssh_auth: Annotated[ClassAuth, typer.Option(
        help="With --serve: a class password (from --device-password-file or "
             "$WMS_DEVICE_PASSWORD, else a fresh one printed here), or none on loopback only.")
    ] = ClassAuth.password,
    device_password_file: Annotated[Path | None, typer.Option(
        help="With --serve: file whose first line is the class password.", show_default=False)
    ] = None,
) -> None:
    """Open a practice warehouse (demo.db in the data dir) in TRAINING mode; F6 scans for you.

    Never touches the production database: a database without the demo marker is refused.
    `wms demo report` shows what each trainee completed.
    """
    if ctx.invoked_subcommand is not None:
        if reset or serve:
            raise BadInput(f"--reset and --serve open the demo; `wms demo "
                           f"{ctx.invoked_subcommand}` takes its own options")
        return
    from wms_tui.db.health import shown_url
    from wms_tui.demo.launch import prepare_demo
    from wms_tui.demo.seed import DEMO_USERS, NotADemoDatabase

    try:
        url, seeded = prepare_demo(cli_state(ctx).url, reset=reset, seed=seed)
    except NotADemoDatabase as refusal:
        fail(str(refusal), 1)
    typer.echo(f"practice database {shown_url(url)}: "
               + (f"seeded (seed {seed})" if seeded else "exists (--reset seeds it anew)"))
    typer.echo("users: " + ", ".join(f"{login}/{pin} ({role.value})"
                                     for login, _name, role, pin in DEMO_USERS))
    chosen = scenario.value if scenario else None
    if serve:
        _serve_demo(url, chosen, host, port, telnet_port, ssh_auth, device_password_file,
                    telnet_insecure)
    elif run:
        from wms_tui.app import run_tui

        run_tui(url, terminal=terminal or "TRAIN", ascii_mode=ascii_only, lang=lang, demo=True,
                scenario=chosen)


def _serve_demo(url: str, scenario: str | None, host: str, port: int, telnet_port: int | None,
                auth: ClassAuth, password_file: Path | None, telnet_insecure: bool) -> None:
    """`wms serve` for a class: every session in TRAINING mode on the practice database."""
    from wms_tui.demo.launch import class_password
    from wms_tui.serve.server import ServeConfig, read_device_password, run_server
    from wms_tui.serve.ssh import ServeConfigError

    password = None
    try:
        if auth is ClassAuth.password:
            password = read_device_password(password_file)
            if password is None:
                password = class_password()
                typer.echo(f"class password (SSH and telnet): {password}")
        typer.echo(f"class: ssh -p {port} RF01@{host} (the user name is the terminal ID)")
        run_server(ServeConfig(
            database_url=url, host=host, port=port, telnet_port=telnet_port,
            telnet_insecure=telnet_insecure, device_password=password, ssh_auth=auth.value,
            demo=True, scenario=scenario))
    except ServeConfigError as exc:
        fail(str(exc), 2)


@demo_app.command("report")
@handles_errors
def demo_report(
    ctx: typer.Context,
    since: Since = None,
    user: Annotated[str | None, typer.Option(help="Only this login.", show_default=False)] = None,
    as_json: AsJson = False,
) -> None:
    """What each trainee completed in the practice warehouse since it was seeded."""
    from wms_tui.bootstrap import sqlite_path
    from wms_tui.demo.launch import demo_url
    from wms_tui.demo.report import EXERCISES, read_activity

    url = cli_state(ctx).url or demo_url()
    path = sqlite_path(url)
    if path is not None and not path.exists():
        fail(f"no practice database at {path}: run `wms demo` first", 1)
    site = open_other_site(ctx, url)
    found = read_activity(site.engine, since=moment(since, "--since"), login=user)
    if user is not None and not found:
        raise BadInput(f"no user {user!r} in the practice database")
    if as_json:
        rows: list[Row] = [
            {"user": a.login, "name": a.name, "role": a.role, "receipts": a.receipts,
             "putaways": a.putaways, "picks": a.picks, "moves": a.moves, "counts": a.counts,
             "exercises": a.exercises, "terminals": sorted(a.terminals), "first": a.first,
             "last": a.last}
            for a in found
        ]
        print_json({"since": since, "exercise_done_when": EXERCISES, "rows": rows})
        return
    shown = [[a.login, a.receipts, a.putaways, a.picks, a.moves, a.counts,
              f"{sum(a.exercises.values())}/{len(a.exercises)}",
              f"{a.last:%m-%d %H:%M}" if a.last else "-"] for a in found]
    console().print(table(
        "Training since the seed" + (f", from {since}" if since else "") + " (UTC)",
        ["user", "receipts", "putaways", "picks", "moves", "counts", "done", "last"],
        shown, {"receipts", "putaways", "picks", "moves", "counts"}))
    for a in found:
        todo = [name for name, done in a.exercises.items() if not done]
        if todo and len(todo) < len(a.exercises):
            typer.echo(f"{a.login} has still to do: {', '.join(todo)}")
    console().print("An exercise is done after " + "; ".join(
        f"{name}: {what}" for name, what in EXERCISES.items()) + ".")
