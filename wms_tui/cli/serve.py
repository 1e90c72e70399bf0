"""`wms tui` and `wms serve`: the RF app in this terminal, or served to RF terminals."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from wms_tui.cli.common import cli_state, fail, handles_errors, open_site


@handles_errors
def tui(
    ctx: typer.Context,
    terminal: Annotated[
        str | None, typer.Option(help="Terminal ID shown on screen and on every movement.")
    ] = None,
    ascii_only: Annotated[
        bool | None,
        typer.Option("--ascii/--no-ascii", help="No line drawing (default: from TERM)."),
    ] = None,
    lang: Annotated[str | None, typer.Option(help="en or zh_CN (default: the user's).")] = None,
) -> None:
    """Run the RF app in this terminal."""
    # Imported when run: Textual is start-up time every other command would pay.
    from wms_tui.app import run_tui

    open_site(ctx)  # refuses a missing or out-of-date database with a clear message
    run_tui(cli_state(ctx).url, terminal=terminal, ascii_mode=ascii_only, lang=lang)


class SshAuth(StrEnum):
    keys = "keys"
    password = "password"
    none = "none"


@handles_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(
        help="Address to listen on; anything but loopback is an explicit choice.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="SSH port.")] = 2222,
    telnet_port: Annotated[int | None, typer.Option(
        help="Also serve telnet on this port (unencrypted; off unless given). When a device "
             "password is configured, telnet terminals are asked for it before the app, with "
             "the same delays and lock-out as SSH.", show_default=False)] = None,
    telnet_insecure: Annotated[bool, typer.Option(
        "--telnet-insecure",
        help="Allow telnet on an address other than loopback: telnet sends PINs in clear "
             "text. Needs a device password too.")] = False,
    authorized_keys: Annotated[Path | None, typer.Option(
        help="OpenSSH authorized_keys file of the devices' keys.", show_default=False)] = None,
    device_password_file: Annotated[Path | None, typer.Option(
        help="File whose first line is the device password (else $WMS_DEVICE_PASSWORD); "
             "wrong ones wait longer each time, and 10 in 10 minutes shut the address out "
             "for 10 minutes.", show_default=False)] = None,
    ssh_auth: Annotated[SshAuth | None, typer.Option(
        help="Device authentication (default: whatever is configured); none only on "
             "loopback.", show_default=False)] = None,
    max_sessions: Annotated[int | None, typer.Option(
        help="Sessions beyond this are refused (default: as many as the available memory "
             "holds at 16 MB each, 20 to 2000; 200 where it is unknown). The open-files "
             "limit is raised to fit, up to its hard limit; past that a default is lowered "
             "and a given value refused.",
        show_default=False)] = None,
    idle_timeout: Annotated[float, typer.Option(
        help="Seconds without input before a session ends (its work is saved); 0: never.")
    ] = 900,
    spawn: Annotated[bool, typer.Option(
        "--spawn", help="Start each session as a new process instead of forking the zygote "
                        "(the database URL reaches it through a pipe, never its command line).")
    ] = False,
    pg_connections: Annotated[int | None, typer.Option(
        envvar="WMS_PG_CONNECTIONS",
        help="PostgreSQL only: connections all sessions may hold at once; a step that finds "
             "none free waits up to 10 s, then shows \"Database busy: try again.\" (default: "
             "the server's max_connections less its reserved ones and 10 for other clients).",
        show_default=False)] = None,
) -> None:
    """Serve the RF app to terminals over SSH (and telnet when asked)."""
    from wms_tui.serve.server import ServeConfig, read_device_password, run_server
    from wms_tui.serve.ssh import ServeConfigError

    if pg_connections is not None and pg_connections < 1:
        fail(f"--pg-connections must be 1 or more, not {pg_connections}", 2)
    open_site(ctx)  # refuses a missing or out-of-date database with a clear message
    try:
        config = ServeConfig(
            database_url=cli_state(ctx).url, host=host, port=port, telnet_port=telnet_port,
            telnet_insecure=telnet_insecure, authorized_keys=authorized_keys,
            device_password=read_device_password(device_password_file),
            ssh_auth=None if ssh_auth is None else ssh_auth.value,
            max_sessions=max_sessions, idle_timeout=idle_timeout, spawn=spawn,
            pg_connections=pg_connections,
        )
        run_server(config)
    except ServeConfigError as exc:
        fail(str(exc), 2)
