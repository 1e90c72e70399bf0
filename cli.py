"""The `wms` admin command: parses arguments, calls the domain services, prints the answer.

Exit codes: 0 ok, 1 error, 2 bad input (a malformed file, option or value).
"""

from __future__ import annotations

import csv
import functools
import importlib.metadata
import io
import json
import os
import platform
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from wms_tui.db import health as health_db
from wms_tui.db.engine import data_dir, make_engine, resolve_database_url
from wms_tui.db.migrate import current_revision, head_revision, upgrade
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain import counting, import_files, inbound, masterdata, outbound, supervisor, users
from wms_tui.domain import exports as erp
from wms_tui.domain import health as checks
from wms_tui.domain import reports as kpi
from wms_tui.domain import user_import as user_imports
from wms_tui.domain.errors import (
    BadInput,
    InvalidQuantity,
    ScanRejected,
    UnknownUnit,
    WmsError,
)
from wms_tui.domain.masterdata import CsvTable, ImportReport
from wms_tui.domain.model import Actor, MovementKind, Role
from wms_tui.domain.scan import GS, scan_explanation
from wms_tui.domain.stock import ledger_mismatches, new_confirmation_key

F = TypeVar("F", bound=Callable[..., Any])

BAD_INPUT_ERRORS = (BadInput, ScanRejected, InvalidQuantity, UnknownUnit)
# Files shorter than this import in a blink; a bar would only flicker.
PROGRESS_MIN_ROWS = 200

app = typer.Typer(
    help="wms: warehouse management for RF terminals (admin command line).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema: migrations.", no_args_is_help=True)
user_app = typer.Typer(help="Operators, supervisors and admins.", no_args_is_help=True)
location_app = typer.Typer(help="Locations: import and generate.", no_args_is_help=True)
item_app = typer.Typer(help="Items and their units of measure.", no_args_is_help=True)
scan_app = typer.Typer(help="Scanner diagnostics.", no_args_is_help=True)
order_app = typer.Typer(help="Inbound orders (ASNs, purchase orders) and outbound orders.",
                        no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(location_app, name="location")
app.add_typer(item_app, name="item")
app.add_typer(scan_app, name="scan")
app.add_typer(order_app, name="order")


@dataclass
class CliState:
    """The database the command works on; the engine is built on first use, never at import."""

    url: str | None
    engine: Engine | None = None


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


# Plumbing: errors, engines, output.


def _fail(message: str, code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def handles_errors(fn: F) -> F:
    """Turn refusals into one 'error: …' line and the documented exit code, never a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except BAD_INPUT_ERRORS as exc:
            _fail(str(exc), 2)
        except WmsError as exc:
            _fail(str(exc), 1)
        except SQLAlchemyError as exc:
            _fail(f"database: {_first_line(getattr(exc, 'orig', None) or exc)}", 1)
        except OSError as exc:
            _fail(str(exc), 1)

    return wrapper  # type: ignore[return-value]


def _state(ctx: typer.Context) -> CliState:
    state = ctx.find_root().obj
    assert isinstance(state, CliState)
    return state


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _engine(ctx: typer.Context, *, ready: bool = True) -> Engine:
    """The engine for this command; with ready, refuse a database whose schema is not current."""
    state = _state(ctx)
    if state.engine is None:
        url = resolve_database_url(state.url)
        path = _sqlite_path(url)
        if ready and path is not None and not path.exists():
            _fail(f"no database at {path}: run `wms init` first", 1)
        state.engine = make_engine(url)
        ctx.find_root().call_on_close(state.engine.dispose)
    if ready:
        current, head = current_revision(state.engine), head_revision()
        if current is None:
            _fail("the database has no schema yet: run `wms init`", 1)
        if current != head:
            _fail(f"the database is at revision {current}, this wms needs {head}: "
                  "run `wms db upgrade`", 1)
    return state.engine


def _out() -> Console:
    # Built per command so it writes to whatever stdout is now (a terminal, a pipe, a test).
    return Console(highlight=False)


def _json_default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default))


def _cell(value: object) -> Text:
    """Data goes into tables as plain Text, so a '[' in a description is never Rich markup."""
    if value is None:
        return Text("")
    if isinstance(value, Enum):
        return Text(str(value.value))
    if isinstance(value, datetime):
        return Text(value.isoformat(timespec="seconds"))
    return Text(str(value))


def _table(
    title: str, columns: list[str], rows: Sequence[Sequence[object]], numeric: set[str]
) -> Table:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="right" if column in numeric else "left")
    for row in rows:
        table.add_row(*(_cell(v) for v in row))
    return table


def _prompt_pin(label: str) -> str:
    return str(typer.prompt(label, hide_input=True, confirmation_prompt=True))


# wms init, wms db …


@app.command()
@handles_errors
def init(
    ctx: typer.Context,
    admin: Annotated[
        str | None,
        typer.Option("--admin", help="Create this first admin user.", show_default=False),
    ] = None,
    pin: Annotated[
        str | None,
        typer.Option("--pin", help="The admin's PIN (asked for, hidden, if left out).",
                     show_default=False),
    ] = None,
) -> None:
    """Create the database (or bring it up to date), warehouse WH1 and optionally an admin."""
    state = _state(ctx)
    url = resolve_database_url(state.url)
    shown = make_url(url).render_as_string(hide_password=True)
    path = _sqlite_path(url)
    if path is not None:
        folder = path.parent
        if not folder.exists():
            # Only a folder created here is made private; an existing one is not ours to change.
            folder.mkdir(parents=True, mode=0o700)
            os.chmod(folder, 0o700)
            typer.echo(f"data directory {folder}: created (mode 0700)")
        existed = path.exists()
        engine = _engine(ctx, ready=False)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
        typer.echo(f"database {shown}: {'exists' if existed else 'created'} (mode {mode:04o})")
    else:
        engine = _engine(ctx, ready=False)
        typer.echo(f"database {shown}")
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    if before == after:
        typer.echo(f"schema: at {after} (up to date)")
    else:
        typer.echo(f"schema: {before or 'empty'} -> {after}")
    created = masterdata.ensure_default_warehouse(SqlUnitOfWork(engine))
    typer.echo(f"warehouse {created}: created" if created else "warehouse: exists")
    if admin is not None:
        login = users.validate_login(admin)
        with SqlUnitOfWork(engine, readonly=True) as uow:
            exists = uow.users.by_login(login) is not None
        if exists:
            typer.echo(f"user {login}: exists, left as it is")
        else:
            users.add_user(
                SqlUnitOfWork(engine), login, login.title(), Role.ADMIN.value,
                pin if pin is not None else _prompt_pin("PIN for the admin"),
            )
            typer.echo(f"user {login}: created (admin)")


@db_app.command("upgrade")
@handles_errors
def db_upgrade(ctx: typer.Context) -> None:
    """Apply the migrations shipped with this wms."""
    engine = _engine(ctx, ready=False)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    if before == after:
        typer.echo(f"schema: at {after} (up to date)")
    else:
        typer.echo(f"schema: {before or 'empty'} -> {after}")


@db_app.command("current")
@handles_errors
def db_current(ctx: typer.Context) -> None:
    """Show the database's schema revision and the one this wms needs."""
    path = _sqlite_path(resolve_database_url(_state(ctx).url))
    if path is not None and not path.exists():
        _fail(f"no database at {path}: run `wms init` first", 1)
    current, head = current_revision(_engine(ctx, ready=False)), head_revision()
    if current is None:
        typer.echo(f"schema: empty (this wms needs {head}): run `wms init`")
    elif current == head:
        typer.echo(f"schema: {current} (head)")
    else:
        typer.echo(f"schema: {current} (this wms needs {head}): run `wms db upgrade`")


# wms user …


LoginArg = Annotated[str, typer.Argument(help="User ID, as typed at the terminal.")]


@user_app.command("add")
@handles_errors
def user_add(
    ctx: typer.Context,
    login: LoginArg,
    name: Annotated[str | None, typer.Option(help="Full name (default: the user ID).")] = None,
    role: Annotated[str, typer.Option(help="operator, supervisor or admin.")] = "operator",
    pin: Annotated[
        str | None, typer.Option(help="4-8 digits (asked for, hidden, if left out).")
    ] = None,
    lang: Annotated[str, typer.Option(help="Screen language: en or zh_CN.")] = "en",
) -> None:
    """Add a user who signs in at the terminals with a user ID and PIN."""
    engine = _engine(ctx)
    # Typos are refused before the PIN is asked for.
    users.validate_login(login)
    users.parse_role(role)
    if lang not in users.LANGUAGES:
        raise BadInput(f"language {lang!r} must be one of {', '.join(users.LANGUAGES)}")
    if pin is None:
        pin = _prompt_pin("PIN")
    user = users.add_user(SqlUnitOfWork(engine), login, name or login, role, pin, lang)
    typer.echo(f"user {user.login}: created ({user.role}, {user.language})")


@user_app.command("list")
@handles_errors
def user_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """List users; PIN hashes are never shown."""
    with SqlUnitOfWork(_engine(ctx), readonly=True) as uow:
        rows = [
            {
                "login": u.login, "name": u.name, "role": u.role, "language": u.language,
                "active": u.active, "failed_attempts": u.failed_attempts,
                "locked": u.failed_attempts >= users.MAX_FAILED_ATTEMPTS,
            }
            for u in uow.users.all()
        ]
    if as_json:
        _print_json(rows)
        return
    columns = ["login", "name", "role", "language", "active", "locked"]
    table = _table(
        "Users", columns, [[r[c] for c in columns] for r in rows], numeric=set()
    )
    _out().print(table)


def _set_active(ctx: typer.Context, login: str, active: bool) -> None:
    users.set_active(SqlUnitOfWork(_engine(ctx)), login, active)
    typer.echo(f"user {login.upper()}: {'enabled' if active else 'disabled'}")


@user_app.command("disable")
@handles_errors
def user_disable(ctx: typer.Context, login: LoginArg) -> None:
    """Stop a user from signing in (their history stays)."""
    _set_active(ctx, login, False)


@user_app.command("enable")
@handles_errors
def user_enable(ctx: typer.Context, login: LoginArg) -> None:
    """Let a disabled user sign in again."""
    _set_active(ctx, login, True)


@user_app.command("reset-pin")
@handles_errors
def user_reset_pin(
    ctx: typer.Context,
    login: LoginArg,
    pin: Annotated[
        str | None, typer.Option(help="The new PIN (asked for, hidden, if left out).")
    ] = None,
) -> None:
    """Set a new PIN and unlock the account."""
    engine = _engine(ctx)
    if pin is None:
        pin = _prompt_pin("New PIN")
    users.reset_pin(SqlUnitOfWork(engine), login, pin)
    typer.echo(f"user {login.upper()}: PIN reset, account unlocked")


# wms location …, wms item …


FileArg = Annotated[Path, typer.Argument(
    help="A UTF-8 CSV file with a header row, or a JSON array of objects (*.json).")]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Check every row and report; change nothing.")
]
Partial = Annotated[bool, typer.Option(
    "--partial",
    help="Import every document without errors and reject the others (exit 2 if any).",
)]


class FileFormat(StrEnum):
    csv = "csv"
    json = "json"


FormatOpt = Annotated[FileFormat | None, typer.Option(
    "--format", help="Read the file as csv or json (default: json for *.json, else csv).",
    show_default=False,
)]


def _read_table(path: Path, fmt: FileFormat | None = None) -> CsvTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
    kind = import_files.format_for(path.name, fmt.value if fmt else None)
    return import_files.read_table(data, str(path), kind)


@contextmanager
def _progress(rows: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A transient bar on a terminal for long files; nothing at all in pipes and tests."""
    console = _out()
    if rows < PROGRESS_MIN_ROWS or not console.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        # Each row is visited twice: once to check it, once to write it.
        task = bar.add_task(label, total=2 * rows)
        yield lambda steps: bar.advance(task, steps)


def _finish(report: ImportReport) -> None:
    for error in report.errors:
        typer.echo(error, err=True)
    for note in report.notes:
        typer.echo(note)
    typer.echo(report.summary())
    if report.errors:
        raise typer.Exit(2)


def _run_import(ctx: typer.Context, file: Path, label: str,
                importer: Callable[..., ImportReport], *, dry_run: bool, partial: bool,
                fmt: FileFormat | None) -> None:
    """Read the file, run one domain importer (read-only when dry), print its report."""
    table = _read_table(file, fmt)
    engine = _engine(ctx)
    with _progress(len(table.rows), label) as advance:
        report = importer(
            uow_factory(engine, readonly=dry_run), table, dry_run=dry_run, partial=partial,
            progress=advance,
        )
    _finish(report)


@location_app.command("import")
@handles_errors
def location_import(
    ctx: typer.Context, file: FileArg, dry_run: DryRun = False, partial: Partial = False,
    fmt: FormatOpt = None,
) -> None:
    """Create or update locations from a CSV or JSON file (docs/import-formats.md)."""
    _run_import(ctx, file, "locations", masterdata.import_locations, dry_run=dry_run,
                partial=partial, fmt=fmt)


@location_app.command("generate")
@handles_errors
def location_generate(
    ctx: typer.Context,
    zone: Annotated[str, typer.Option(help="Zone code (created if new).")],
    aisles: Annotated[str, typer.Option(help="Aisles in walk order: A-C, 1-4 or A,C,F.")],
    bays: Annotated[str, typer.Option(help="Bays per aisle: 1-10.")],
    levels: Annotated[str, typer.Option(help="Levels per bay: 1-4.")],
    location_type: Annotated[
        str, typer.Option("--type", help="dock, qc, reserve, pick or staging.")
    ] = "reserve",
    positions: Annotated[str, typer.Option(help="Positions per level: 1-3.")] = "1",
    prefix: Annotated[str, typer.Option(help="Text put before every code.")] = "",
    capacity: Annotated[int | None, typer.Option(help="Capacity of each location.")] = None,
    dry_run: DryRun = False,
) -> None:
    """Create a rack grid's locations, codes AISLE-BAY-LEVEL-POSITION, in serpentine walk order.

    Aisles are walked in the order given; in the 1st, 3rd, … aisle bays go up, in the 2nd,
    4th, … they come back down; levels go up inside a bay. New locations get walk sequences
    after the highest one in the warehouse; existing ones keep theirs.
    """
    engine = _engine(ctx)
    report = masterdata.generate_locations(
        uow_factory(engine, readonly=dry_run), zone=zone, location_type=location_type,
        aisles=aisles, bays=bays, levels=levels, positions=positions, prefix=prefix,
        capacity=capacity, dry_run=dry_run,
    )
    _finish(report)


@item_app.command("import")
@handles_errors
def item_import(
    ctx: typer.Context, file: FileArg, dry_run: DryRun = False, partial: Partial = False,
    fmt: FormatOpt = None,
) -> None:
    """Create or update items and their units from a CSV or JSON file, one row per unit."""
    _run_import(ctx, file, "items", masterdata.import_items, dry_run=dry_run,
                partial=partial, fmt=fmt)


class OrderKind(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


@order_app.command("import")
@handles_errors
def order_import(
    ctx: typer.Context,
    file: FileArg,
    kind: Annotated[OrderKind, typer.Option(help="Which orders the file holds.")],
    dry_run: DryRun = False,
    partial: Partial = False,
    fmt: FormatOpt = None,
) -> None:
    """Create or update orders and their lines from a CSV or JSON file
    (docs/import-inbound.md, docs/import-outbound.md)."""
    importer = (outbound.import_outbound_orders if kind is OrderKind.outbound
                else inbound.import_inbound_orders)
    _run_import(ctx, file, "order lines", importer, dry_run=dry_run, partial=partial, fmt=fmt)


@user_app.command("import")
@handles_errors
def user_import(
    ctx: typer.Context, file: FileArg, dry_run: DryRun = False, partial: Partial = False,
    fmt: FormatOpt = None,
) -> None:
    """Create or update users from a CSV or JSON file, by user ID (docs/import-formats.md).

    Columns: login, name, role, language, active, pin. A PIN is needed only for new users;
    empty cells keep an existing user's values.
    """
    _run_import(ctx, file, "users", user_imports.import_users, dry_run=dry_run,
                partial=partial, fmt=fmt)


@app.command("tui")
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
    from wms_tui.app import run_tui

    _engine(ctx)  # refuses a missing or out-of-date database with a clear message
    run_tui(_state(ctx).url, terminal=terminal, ascii_mode=ascii_only, lang=lang)



# wms serve


class SshAuth(StrEnum):
    keys = "keys"
    password = "password"
    none = "none"


@app.command("serve")
@handles_errors
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(
        help="Address to listen on; anything but loopback is an explicit choice.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="SSH port.")] = 2222,
    telnet_port: Annotated[int | None, typer.Option(
        help="Also serve telnet on this port (unencrypted; off unless given).",
        show_default=False)] = None,
    authorized_keys: Annotated[Path | None, typer.Option(
        help="OpenSSH authorized_keys file of the devices' keys.", show_default=False)] = None,
    device_password_file: Annotated[Path | None, typer.Option(
        help="File whose first line is the device password (else $WMS_DEVICE_PASSWORD).",
        show_default=False)] = None,
    ssh_auth: Annotated[SshAuth | None, typer.Option(
        help="Device authentication (default: whatever is configured); none only on "
             "loopback.", show_default=False)] = None,
    max_sessions: Annotated[int, typer.Option(help="Sessions beyond this are refused.")] = 200,
    idle_timeout: Annotated[float, typer.Option(
        help="Seconds without input before a session ends (its work is saved); 0: never.")
    ] = 900,
    spawn: Annotated[bool, typer.Option(
        "--spawn", help="Start each session as a new process instead of forking the zygote.")
    ] = False,
) -> None:
    """Serve the RF app to terminals over SSH (and telnet when asked)."""
    from wms_tui.serve.server import ServeConfig, read_device_password, run_server
    from wms_tui.serve.ssh import ServeConfigError

    _engine(ctx)  # refuses a missing or out-of-date database with a clear message
    try:
        config = ServeConfig(
            database_url=_state(ctx).url, host=host, port=port, telnet_port=telnet_port,
            authorized_keys=authorized_keys,
            device_password=read_device_password(device_password_file),
            ssh_auth=None if ssh_auth is None else ssh_auth.value,
            max_sessions=max_sessions, idle_timeout=idle_timeout, spawn=spawn,
        )
        run_server(config)
    except ServeConfigError as exc:
        _fail(str(exc), 2)


# wms stock, wms movements


ItemFilter = Annotated[
    str | None, typer.Option("--item", help="SKU, barcode, alias or GTIN.", show_default=False)
]
LocationFilter = Annotated[
    str | None, typer.Option("--location", help="Location code or barcode.", show_default=False)
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.command()
@handles_errors
def stock(
    ctx: typer.Context,
    item: ItemFilter = None,
    location: LocationFilter = None,
    as_json: AsJson = False,
) -> None:
    """Stock on hand by item, location, lot, LPN and status."""
    lines = masterdata.stock_listing(
        SqlUnitOfWork(_engine(ctx), readonly=True), item=item, location=location
    )
    rows = [
        {
            "sku": ln.sku, "description": ln.description, "location": ln.location, "lot": ln.lot,
            "expiry": ln.expiry, "lpn": ln.lpn, "status": ln.status, "quantity": ln.quantity,
            "reserved": ln.reserved, "uom": ln.uom,
        }
        for ln in lines
    ]
    if as_json:
        _print_json(rows)
    elif not rows:
        typer.echo("no stock")
    else:
        _out().print(_table(
            "Stock", list(rows[0]), [list(r.values()) for r in rows],
            numeric={"quantity", "reserved"},
        ))


@app.command()
@handles_errors
def movements(
    ctx: typer.Context,
    item: ItemFilter = None,
    location: LocationFilter = None,
    since: Annotated[
        str | None,
        typer.Option(help="From this ISO time (UTC unless it says).", show_default=False),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Before this ISO time.", show_default=False)
    ] = None,
    limit: Annotated[int, typer.Option(help="Only the newest N; 0 for all.")] = 100,
    as_json: AsJson = False,
) -> None:
    """The movement ledger, oldest first."""
    lines = masterdata.movement_listing(
        SqlUnitOfWork(_engine(ctx), readonly=True), item=item, location=location, since=since,
        until=until, limit=limit,
    )
    rows = [
        {
            "id": ln.id, "time": ln.created_at.isoformat(), "kind": ln.kind.value, "sku": ln.sku,
            "quantity": ln.quantity, "uom": ln.uom, "from": ln.from_location,
            "to": ln.to_location, "lot": ln.lot, "lpn": ln.to_lpn or ln.from_lpn,
            "from_lpn": ln.from_lpn, "to_lpn": ln.to_lpn,
            "from_status": ln.from_status, "to_status": ln.to_status, "user": ln.user,
            "terminal": ln.terminal, "reference": ln.reference, "reason": ln.reason,
            "approved_by": ln.approved_by,
        }
        for ln in lines
    ]
    if as_json:
        _print_json(rows)
        return
    if not rows:
        typer.echo("no movements")
        return
    table_rows = [
        [
            r["id"], ln.created_at.isoformat(timespec="seconds"), r["kind"], r["sku"],
            r["quantity"], r["from"], r["to"], r["lot"], r["lpn"],
            _statuses(ln.from_status, ln.to_status), r["user"], r["terminal"], r["reference"],
            r["reason"],
        ]
        for r, ln in zip(rows, lines, strict=True)
    ]
    columns = ["id", "time (UTC)", "kind", "sku", "qty", "from", "to", "lot", "lpn", "status",
               "user", "terminal", "reference", "reason"]
    _out().print(_table("Movements", columns, table_rows, numeric={"id", "qty"}))


def _statuses(before: Enum | None, after: Enum | None) -> str:
    if before is not None and after is not None and before != after:
        return f"{before.value}>{after.value}"
    shown = before or after
    return "" if shown is None else str(shown.value)


# wms scan …


def _spelled_gs(data: str) -> str:
    """Shells cannot type GS (0x1D), so '\\x1d' and '<GS>' stand for it."""
    return data.replace("\\x1d", GS).replace("\\x1D", GS).replace("<GS>", GS)


@scan_app.command("explain")
@handles_errors
def scan_explain(
    ctx: typer.Context,
    data: Annotated[str, typer.Argument(help="What the scanner sent; write GS as \\x1d or <GS>.")],
    separator: Annotated[
        str | None,
        typer.Option(help="A character standing for GS, e.g. '|'.", show_default=False),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Show how a scan is read: normalisation, GS1 fields, check digits and what it names."""
    with SqlUnitOfWork(_engine(ctx), readonly=True) as uow:
        try:
            explanation = scan_explanation(_spelled_gs(data), uow.catalog, separator=separator)
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    if as_json:
        _print_json(explanation)
        return
    out = _out()
    for key, value in explanation.items():
        if isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items() if v not in (None, {}, []))
        elif isinstance(value, list):
            shown = "; ".join(str(v) for v in value)
        else:
            shown = "" if value is None else str(value)
        out.print(Text(f"{key:>13}: {shown}"))


# wms labels …

labels_app = typer.Typer(
    help="Labels: locations, items, pallets as SVG, PNG, an A4 PDF sheet or ZPL.",
    no_args_is_help=True,
)
app.add_typer(labels_app, name="labels")


class LabelFormat(Enum):
    svg = "svg"
    png = "png"
    pdf = "pdf"
    zpl = "zpl"


LabelFormatOpt = Annotated[
    LabelFormat | None,
    typer.Option("--format", help="svg or png (a file per label), pdf (A4 sheet), zpl. "
                 "Default png, or zpl with --printer.", show_default=False),
]
LabelOut = Annotated[
    Path | None,
    typer.Option("--out", help="A folder, or a file for one svg/png label or a pdf/zpl "
                 "sheet; a folder gets labels-KIND.pdf/.zpl.", show_default=False),
]
PrinterOpt = Annotated[
    str | None,
    typer.Option("--printer", help="Send the ZPL to this Zebra printer, HOST:PORT (port 9100).",
                 show_default=False),
]
PrinterTimeout = Annotated[
    float, typer.Option("--timeout", help="Seconds to wait for the printer.")
]


def _write_labels(
    labels: Sequence[Any],
    kind: str,
    fmt: LabelFormat | None,
    out: Path | None,
    printer: str | None,
    timeout: float,
) -> None:
    """Render the labels in one format, write them under out and/or send ZPL to the printer."""
    # Imported here: Pillow and reportlab add startup time every other command would pay.
    from wms_tui.labels import render

    fmt = fmt or (LabelFormat.zpl if printer else LabelFormat.png)
    if printer is not None and fmt is not LabelFormat.zpl:
        raise BadInput("--printer sends ZPL: use --format zpl")
    if out is None and printer is None:
        raise BadInput("say where the labels go: --out FOLDER_OR_FILE (or --printer for ZPL)")
    suffix = f".{fmt.value}"
    written: list[Path] = []
    if out is not None and fmt in (LabelFormat.svg, LabelFormat.png):
        if out.suffix.lower() == suffix:
            if len(labels) != 1:
                raise BadInput(f"{len(labels)} labels need a folder for --out, not {out}")
            targets = [out]
        else:
            out.mkdir(parents=True, exist_ok=True)
            seen: dict[str, int] = {}
            targets = []
            for label in labels:
                seen[label.name] = seen.get(label.name, 0) + 1
                copy = f"-{seen[label.name]}" if seen[label.name] > 1 else ""
                targets.append(out / f"{label.name}{copy}{suffix}")
        for label, target in zip(labels, targets, strict=True):
            if fmt is LabelFormat.svg:
                target.write_text(render.label_svg(label), encoding="utf-8")
            else:
                target.write_bytes(render.label_png(label))
            written.append(target)
    zpl = render.labels_zpl(labels) if fmt is LabelFormat.zpl else ""
    if out is not None and fmt in (LabelFormat.pdf, LabelFormat.zpl):
        target = out if out.suffix.lower() == suffix else out / f"labels-{kind}{suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt is LabelFormat.pdf:
            target.write_bytes(render.labels_pdf(labels))
        else:
            target.write_text(zpl, encoding="utf-8")
        written.append(target)
    if len(written) == 1:
        typer.echo(f"{len(labels)} {kind} label(s): {written[0]}")
    elif written:
        typer.echo(f"{len(labels)} {kind} labels: {written[0].parent}")
    if printer is not None:
        sent = render.send_to_printer(zpl, printer, timeout=timeout)
        typer.echo(f"{len(labels)} {kind} label(s) sent to printer {printer} ({sent} bytes)")


@labels_app.command("location")
@handles_errors
def labels_location(
    ctx: typer.Context,
    zone: Annotated[str | None, typer.Option(help="Only this zone.", show_default=False)] = None,
    code: Annotated[
        str | None,
        typer.Option(help="Only codes matching this pattern, e.g. 'A-01-*'.", show_default=False),
    ] = None,
    fmt: LabelFormatOpt = None,
    out: LabelOut = None,
    printer: PrinterOpt = None,
    timeout: PrinterTimeout = 10.0,
) -> None:
    """Bin labels in walk order: Code 128 of the location barcode with its check digits."""
    from wms_tui.labels import data as label_data

    labels = label_data.location_labels(_engine(ctx), zone=zone, code=code)
    _write_labels(labels, "location", fmt, out, printer, timeout)


@labels_app.command("item")
@handles_errors
def labels_item(
    ctx: typer.Context,
    skus: Annotated[list[str], typer.Argument(help="SKUs to label.")],
    uom: Annotated[
        str | None,
        typer.Option(help="Label this unit (default: the base unit).", show_default=False),
    ] = None,
    fmt: LabelFormatOpt = None,
    out: LabelOut = None,
    printer: PrinterOpt = None,
    timeout: PrinterTimeout = 10.0,
) -> None:
    """Item labels: EAN-13 for a GTIN-13, Code 128 of a GTIN-14, else Code 128 of the SKU."""
    from wms_tui.labels import data as label_data

    labels = label_data.item_labels(_engine(ctx), skus, uom=uom)
    _write_labels(labels, "item", fmt, out, printer, timeout)


@labels_app.command("pallet")
@handles_errors
def labels_pallet(
    ctx: typer.Context,
    lpn: Annotated[
        str | None,
        typer.Option(help="Label this LPN (by code or SSCC) with what is on it.",
                     show_default=False),
    ] = None,
    sku: Annotated[
        str | None, typer.Option(help="Label a new pallet of this item.", show_default=False)
    ] = None,
    count: Annotated[
        int | None, typer.Option(help="Units on the new pallet (37).", show_default=False)
    ] = None,
    lot: Annotated[str | None, typer.Option(help="Lot (10).", show_default=False)] = None,
    expiry: Annotated[
        str | None, typer.Option(help="Expiry date YYYY-MM-DD (17).", show_default=False)
    ] = None,
    uom: Annotated[
        str | None,
        typer.Option(help="Unit counted, whose GTIN goes in (02); default the base unit.",
                     show_default=False),
    ] = None,
    best_before: Annotated[
        bool, typer.Option("--best-before", help="Print the date as best before (15).")
    ] = False,
    company_prefix: Annotated[
        str | None,
        typer.Option("--company-prefix", envvar="WMS_GS1_COMPANY_PREFIX",
                     help="GS1 company prefix for new SSCCs.", show_default=False),
    ] = None,
    fmt: LabelFormatOpt = None,
    out: LabelOut = None,
    printer: PrinterOpt = None,
    timeout: PrinterTimeout = 10.0,
) -> None:
    """A GS1-128 pallet label: SSCC, plus content GTIN, count, lot and expiry for one item.

    With --lpn the LPN's stock fills the label (an LPN without an SSCC gets the next one);
    with --sku a new SSCC is issued and registered as an empty LPN of that name.
    """
    from wms_tui.labels import data as label_data

    if (lpn is None) == (sku is None):
        raise BadInput("give either --lpn CODE or --sku SKU --count N")
    if lpn is not None:
        extra = [name for name, value in (("--count", count), ("--lot", lot),
                 ("--expiry", expiry), ("--uom", uom)) if value is not None]
        if extra:
            raise BadInput(f"{', '.join(extra)} go with --sku; an LPN's label shows its stock")
        label = label_data.lpn_pallet_label(
            _engine(ctx), lpn, prefix=company_prefix, best_before=best_before
        )
    else:
        assert sku is not None
        if count is None:
            raise BadInput("--sku needs --count N")
        try:
            expires = date.fromisoformat(expiry) if expiry is not None else None
        except ValueError:
            raise BadInput(f"--expiry must be a date YYYY-MM-DD, got {expiry!r}") from None
        label = label_data.new_pallet_label(
            _engine(ctx), sku=sku, count=count, prefix=company_prefix, lot=lot, expiry=expires,
            uom=uom, best_before=best_before,
        )
    typer.echo(f"SSCC {label.sscc}  {label.hri}")
    _write_labels([label], "pallet", fmt, out, printer, timeout)


# wms count …


count_app = typer.Typer(help="Cycle counts: schedule, request, list, approve.",
                        no_args_is_help=True)
app.add_typer(count_app, name="count")

AsLogin = Annotated[
    str, typer.Option("--as", help="User ID of the supervisor doing this (recorded).")
]
StatusFilter = Annotated[
    list[str] | None,
    typer.Option("--status", help="open, recount, pending_approval, done, rejected, "
                 "cancelled or all (default: the open ones). Repeatable.", show_default=False),
]


def _actor(engine: Engine, login: str) -> Actor:
    """The user a command acts as; the CLI has no PIN step, its user owns the database."""
    login = users.validate_login(login)
    with SqlUnitOfWork(engine, readonly=True) as uow:
        user = uow.users.by_login(login)
        if user is None or user.id is None or not user.active:
            raise BadInput(f"no active user {login}")
        return Actor(user.id, user.login, Role(user.role), "cli")


def _count_statuses(values: list[str] | None) -> set[counting.CountStatus] | None:
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


TASK_COLUMNS = ["task", "location", "item", "status", "trigger", "attempt", "due", "created"]


def _print_schedule(report: counting.ScheduleReport, as_json: bool) -> None:
    if as_json:
        _print_json({"created": [counting.task_json(t) for t in report.created],
                     "due_items": report.due_items, "already_open": report.already_open})
        return
    if report.created:
        _out().print(_table("Count tasks created", TASK_COLUMNS, _task_rows(report.created),
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
    engine = _engine(ctx)
    try:
        day = date.fromisoformat(today) if today else date.today()
    except ValueError:
        raise BadInput(f"--today {today!r} is not a date written YYYY-MM-DD") from None
    policy = counting.CountPolicy(frequencies={"A": a_days, "B": b_days, "C": c_days})
    actor = _actor(engine, login) if login else None
    _print_schedule(counting.schedule_counts(uow_factory(engine), actor, day, policy), as_json)


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
    engine = _engine(ctx)
    report = counting.request_count(uow_factory(engine), _actor(engine, login),
                                    location=location, item=item, zone=zone)
    _print_schedule(report, as_json)


@count_app.command("list")
@handles_errors
def count_list(ctx: typer.Context, status: StatusFilter = None, as_json: AsJson = False) -> None:
    """Count tasks in the order operators get them; book quantities are never listed."""
    tasks = counting.list_tasks(uow_factory(_engine(ctx), readonly=True),
                                _count_statuses(status))
    if as_json:
        _print_json([counting.task_json(t) for t in tasks])
    elif not tasks:
        typer.echo("no count tasks")
    else:
        _out().print(_table("Count tasks", TASK_COLUMNS, _task_rows(tasks),
                            numeric={"task", "attempt"}))


@count_app.command("pending")
@handles_errors
def count_pending(ctx: typer.Context, as_json: AsJson = False) -> None:
    """Counts waiting for a supervisor: book then, counted, and what moved since."""
    with SqlUnitOfWork(_engine(ctx), readonly=True) as uow:
        pending = supervisor.pending_approvals(uow)  # type: ignore[arg-type]
    if as_json:
        _print_json([
            {"task": p.task.id, "location": p.task.location, "counted_by": p.counted_by,
             "counted_at": p.counted_at,
             "lines": [{"sku": ln.sku, "lot": ln.lot, "expected": ln.expected,
                        "counted": ln.counted, "first_count": ln.first_count,
                        "variance": ln.variance, "moved_since": ln.moved_since}
                       for ln in p.lines],
             "movements": [{"id": m.id, "time": m.created_at, "kind": m.kind.value,
                            "sku": m.sku, "quantity": m.quantity, "from": m.from_location,
                            "to": m.to_location, "user": m.user, "reference": m.reference}
                           for m in p.movements]}
            for p in pending
        ])
        return
    if not pending:
        typer.echo("no counts waiting for approval")
        return
    for p in pending:
        rows = [[ln.sku, ln.lot, ln.expected, ln.first_count, ln.counted, ln.variance,
                 ln.moved_since] for ln in p.lines]
        title = f"Count task {p.task.id} at {p.task.location}, counted by {p.counted_by}"
        _out().print(_table(title, ["item", "lot", "book", "1st count", "counted", "variance",
                                    "moved since"], rows,
                            numeric={"book", "1st count", "counted", "variance", "moved since"}))
        for m in p.movements:
            typer.echo(f"  moved since: #{m.id} {m.kind.value} {m.quantity} {m.sku} "
                       f"{m.from_location or '-'} > {m.to_location or '-'} {m.user} "
                       f"{m.reference}")


def _decide(ctx: typer.Context, task_id: int, login: str, approve: bool) -> None:
    engine = _engine(ctx)
    result = counting.approve_count(uow_factory(engine), _actor(engine, login), task_id,
                                    approve, new_confirmation_key())
    if result.status == counting.CountStatus.RECOUNT:
        _fail(f"count task {task_id} not approved: {result.reason}", 1)
    if result.status == counting.CountStatus.REJECTED:
        typer.echo(f"count task {task_id}: rejected; count task {result.new_task_id} "
                   "created for a fresh count")
    else:
        typer.echo(f"count task {task_id}: approved, {len(result.movement_ids)} "
                   "adjustment(s) posted")


TaskArg = Annotated[int, typer.Argument(help="The count task number (wms count list).")]


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


if __name__ == "__main__":  # pragma: no cover
    app(prog_name="wms")


# wms wave …

wave_app = typer.Typer(help="Waves: release outbound orders for picking.", no_args_is_help=True)
app.add_typer(wave_app, name="wave")


def _wave_json(report: outbound.WaveReport) -> dict[str, object]:
    return {
        "wave": report.code,
        "orders": list(report.orders),
        "tasks": [vars(t) for t in report.tasks],
        "unallocated": [vars(u) for u in report.unallocated],
    }


@wave_app.command("release")
@handles_errors
def wave_release(
    ctx: typer.Context,
    login: AsLogin,
    orders: Annotated[
        list[str] | None,
        typer.Option("--order", help="An order reference to release (repeatable).",
                     show_default=False),
    ] = None,
    ship_date: Annotated[
        str | None,
        typer.Option("--ship-date", help="Open orders shipping on or before this YYYY-MM-DD.",
                     show_default=False),
    ] = None,
    max_priority: Annotated[
        int | None,
        typer.Option("--max-priority", min=1, max=9, show_default=False,
                     help="Only orders this urgent or more (1 is the most urgent)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Release open orders into a new wave: allocate (FEFO/FIFO), reserve, create pick tasks.

    --order picks the orders; without it every open order matching --ship-date and
    --max-priority is released. Lines that cannot be allocated are listed, never dropped
    (docs/picking.md).
    """
    day = None
    if ship_date is not None:
        try:
            day = date.fromisoformat(ship_date)
        except ValueError:
            raise BadInput(f"--ship-date {ship_date!r} is not a date written YYYY-MM-DD") from None
    engine = _engine(ctx)
    report = outbound.release_wave(
        uow_factory(engine), _actor(engine, login), refs=orders, ship_date=day,
        max_priority=max_priority,
    )
    if as_json:
        _print_json(_wave_json(report))
        return
    typer.echo(f"wave {report.code}: {len(report.orders)} order(s) released "
               f"({', '.join(report.orders)}), {len(report.tasks)} pick task(s)")
    console = _out()
    if report.tasks:
        console.print(_table(
            "Pick tasks (walk order)",
            ["seq", "task", "order", "line", "sku", "location", "lot", "qty", "uom"],
            [[t.seq, t.task_id, t.order, t.line_no, t.sku, t.location, t.lot, t.quantity, t.uom]
             for t in report.tasks],
            numeric={"seq", "task", "line", "qty"},
        ))
    if report.unallocated:
        console.print(_table(
            "Not allocated (left open on the order)",
            ["order", "line", "sku", "ordered", "allocated", "missing", "uom", "reason"],
            [[u.order, u.line_no, u.sku, u.quantity, u.allocated, u.missing, u.uom, u.reason]
             for u in report.unallocated],
            numeric={"line", "ordered", "allocated", "missing"},
        ))


# wms report …, wms audit


report_app = typer.Typer(help="KPIs from the ledger and the counts (tables, --json, --csv).",
                         no_args_is_help=True)
app.add_typer(report_app, name="report")

Since = Annotated[str | None, typer.Option(
    help="From this day (YYYY-MM-DD) or ISO time, UTC.", show_default=False)]
Until = Annotated[str | None, typer.Option(
    help="Up to and including this day, or before this ISO time.", show_default=False)]
AsCsv = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]


def _moment(value: str | None, option: str, *, end: bool = False) -> datetime | None:
    """A day means its whole UTC day (so --until includes it); a time is taken as written."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
            return moment + timedelta(days=1) if end else moment
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"{option} {value!r} is not a day (YYYY-MM-DD) or an ISO time") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _share(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.1f}%"


def _num(value: float | None, places: int = 2) -> float | None:
    return None if value is None else round(value, places)


def _emit(title: str, rows: list[dict[str, object]], numeric: set[str], as_json: bool,
          as_csv: bool, summary: dict[str, object] | None = None,
          shown: Callable[[dict[str, object]], list[object]] | None = None,
          columns: list[str] | None = None) -> None:
    """One report, as a rich table (with a summary line), JSON (summary + rows) or CSV (rows).

    columns names what shown returns when the table shows fewer columns than the rows hold.
    """
    if as_json and as_csv:
        raise BadInput("choose one of --json and --csv")
    if as_json:
        _print_json({**(summary or {}), "rows": rows})
        return
    if as_csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if rows:
            writer.writerow(list(rows[0]))
            writer.writerows([_json_default(v) if isinstance(v, datetime | date | Enum) else v
                              for v in r.values()] for r in rows)
        typer.echo(out.getvalue(), nl=False)
        return
    console = _out()
    if rows:
        console.print(_table(title, columns or list(rows[0]),
                             [shown(r) if shown else list(r.values()) for r in rows], numeric))
    else:
        typer.echo(f"{title}: nothing to show")
    if summary:
        typer.echo("  ".join(f"{k}: {'' if v is None else v}" for k, v in summary.items()))


def _period(since: str | None, until: str | None, default_days: int) -> tuple[date, date]:
    """The whole UTC days a report covers; default the last default_days up to today."""
    end = _moment(until, "--until", end=True)
    last = (end - timedelta(days=1)).date() if end else datetime.now(UTC).date()
    start = _moment(since, "--since")
    first = start.date() if start else last - timedelta(days=default_days - 1)
    if last < first:
        raise BadInput("--until is before --since")
    return first, last


def _reading(ctx: typer.Context) -> SqlUnitOfWork:
    return SqlUnitOfWork(_engine(ctx), readonly=True)


@report_app.command("accuracy")
@handles_errors
def report_accuracy(
    ctx: typer.Context, since: Since = None, until: Until = None,
    period: Annotated[kpi.Period, typer.Option(help="Group by day, week or month.")] = (
        kpi.Period.MONTH),
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Inventory record accuracy: first counts that matched the book, by line, by units and by
    value (lines of items with a unit_cost only)."""
    with _reading(ctx) as uow:
        lines = uow.reports.count_lines(_moment(since, "--since"),
                                        _moment(until, "--until", end=True))
    report = kpi.record_accuracy(lines, period)
    rows: list[dict[str, object]] = [
        {"period": f.period, "lines": f.lines, "hits": f.hits,
         "line_accuracy": _num(f.line_accuracy, 4), "units_variance": f.units_variance,
         "units_basis": f.units_basis, "unit_accuracy": _num(f.unit_accuracy, 4),
         "costed_lines": f.costed_lines, "value_variance": _num(float(f.value_variance)),
         "value_basis": _num(float(f.value_basis)), "value_accuracy": _num(f.value_accuracy, 4)}
        for f in (*report.periods, report.overall)
    ]
    _emit("Inventory record accuracy (first counts)", rows,
          {"lines", "hits", "by line", "units off", "by units", "value off", "by value"},
          as_json, as_csv,
          # The bases stay in --json/--csv, so the table fits 80 columns.
          columns=["period", "lines", "hits", "by line", "units off", "by units", "value off",
                   "by value"],
          shown=lambda r: [r["period"], r["lines"], r["hits"],
                           _share(r["line_accuracy"]),  # type: ignore[arg-type]
                           r["units_variance"],
                           _share(r["unit_accuracy"]),  # type: ignore[arg-type]
                           r["value_variance"],
                           _share(r["value_accuracy"])])  # type: ignore[arg-type]


@report_app.command("turnover")
@handles_errors
def report_turnover(
    ctx: typer.Context, since: Since = None, until: Until = None,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Units picked over average daily on hand (from the ledger); default the last 30 days."""
    first, last = _period(since, until, 30)
    with _reading(ctx) as uow:
        entries = uow.reports.ledger(kpi.LedgerFilter(
            until=datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=UTC)))
    report = kpi.turnover(entries, first, last)
    rows: list[dict[str, object]] = [
        {"sku": ln.sku, "shipped": ln.shipped, "average_on_hand": _num(ln.average_on_hand),
         "turnover": _num(ln.turnover, 4)}
        for ln in (*report.items, report.overall)
    ]
    _emit(f"Turnover {first} to {last}", rows, {"shipped", "average_on_hand", "turnover"},
          as_json, as_csv, {"first": first, "last": last, "days": report.days})


@report_app.command("dead-stock")
@handles_errors
def report_dead_stock(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(help="No pick for this many days.", min=1)] = (
        kpi.DEFAULT_DEAD_DAYS),
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Judge as of this day or time (default now).", show_default=False)] = None,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Items on hand with no outbound movement in N days, and their share of all stock."""
    moment = _moment(as_of, "--as-of") or datetime.now(UTC)
    with _reading(ctx) as uow:
        entries = uow.reports.ledger(kpi.LedgerFilter(kinds=frozenset({MovementKind.PICK})))
        on_hand = uow.reports.on_hand()
    report = kpi.dead_stock(entries, on_hand, moment, days)
    rows: list[dict[str, object]] = [
        {"sku": d.sku, "on_hand": d.on_hand, "last_outbound": d.last_outbound,
         "share": _num(d.share, 4)}
        for d in report.items
    ]
    _emit(f"Dead stock: no pick in {days} days", rows, {"on_hand", "share"}, as_json, as_csv,
          {"days": days, "as_of": moment, "dead_units": report.dead_units,
           "on_hand_units": report.on_hand_units, "share": _num(report.share, 4)},
          shown=lambda r: [r["sku"], r["on_hand"], r["last_outbound"] or "never",
                           _share(r["share"])])  # type: ignore[arg-type]


@report_app.command("productivity")
@handles_errors
def report_productivity(
    ctx: typer.Context, since: Since = None, until: Until = None,
    idle_minutes: Annotated[int, typer.Option(
        help="A longer gap between confirmations is a break.", min=1)] = (
        kpi.DEFAULT_IDLE_MINUTES),
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Lines per hour per operator and flow, timed between consecutive confirmations."""
    with _reading(ctx) as uow:
        entries = uow.reports.ledger(kpi.LedgerFilter(
            since=_moment(since, "--since"), until=_moment(until, "--until", end=True)))
    rows: list[dict[str, object]] = [
        {"user": p.user, "flow": p.flow.value, "lines": p.lines, "timed_lines": p.timed_lines,
         "hours": _num(p.hours, 3), "lines_per_hour": _num(p.lines_per_hour)}
        for p in kpi.productivity(entries, idle_minutes)
    ]
    _emit("Operator productivity", rows, {"lines", "timed_lines", "hours", "lines_per_hour"},
          as_json, as_csv)


@report_app.command("dock-to-stock")
@handles_errors
def report_dock_to_stock(
    ctx: typer.Context, since: Since = None, until: Until = None,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Hours from a receipt onto a dock until its last unit moved off it, per item."""
    start, end = _moment(since, "--since"), _moment(until, "--until", end=True)
    with _reading(ctx) as uow:
        entries = uow.reports.ledger(kpi.LedgerFilter(since=start))
    # Receipts in the period; what left the dock afterwards still closes them.
    report = kpi.dock_to_stock(
        e for e in entries if end is None or e.kind != MovementKind.RECEIVE or e.at < end)
    rows: list[dict[str, object]] = [
        {"sku": f.sku, "receipts": f.receipts, "stocked": f.stocked,
         "median_hours": _num(f.median_hours), "average_hours": _num(f.average_hours),
         "max_hours": _num(f.max_hours)}
        for f in (*report.items, report.overall)
    ]
    waiting = [{"movement": r.movement_id, "sku": r.sku, "lpn": r.lpn, "quantity": r.quantity,
                "received_at": r.received_at} for r in report.receipts if r.stocked_at is None]
    _emit("Dock to stock (hours)", rows,
          {"receipts", "stocked", "median_hours", "average_hours", "max_hours"}, as_json, as_csv,
          {"still_on_dock": waiting} if as_json else {"still_on_dock": len(waiting)})


@report_app.command("exceptions")
@handles_errors
def report_exceptions(
    ctx: typer.Context,
    days: Annotated[int, typer.Option(
        help="Short tasks, overrides and over-receipts of the last N days.",
        min=1)] = supervisor.DEFAULT_EXCEPTION_DAYS,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Open exceptions: short lines and tasks, putaway overrides, over-receipts (with the
    order's expected and received quantity of the item), counts waiting for approval."""
    with _reading(ctx) as uow:
        found = supervisor.open_exceptions(uow, datetime.now(UTC), days)  # type: ignore[arg-type]
    rows: list[dict[str, object]] = [
        {"kind": e.kind.value, "reference": e.reference, "sku": e.sku, "location": e.location,
         "quantity": e.quantity, "expected": e.expected, "received": e.received,
         "reason": e.reason, "user": e.user, "at": e.at}
        for e in found
    ]
    _emit("Open exceptions", rows, {"quantity", "expected", "received"}, as_json, as_csv,
          {"open": len(rows)})


@report_app.command("low-stock")
@handles_errors
def report_low_stock(
    ctx: typer.Context, as_json: AsJson = False, as_csv: AsCsv = False
) -> None:
    """Pick faces holding less than the item's minimum (min_qty)."""
    with _reading(ctx) as uow:
        faces = uow.reports.pick_faces()
    rows: list[dict[str, object]] = [
        {"sku": ln.sku, "location": ln.location, "quantity": ln.quantity,
         "min_qty": ln.min_qty, "missing": ln.missing}
        for ln in kpi.low_stock(faces)
    ]
    _emit("Low stock at pick faces", rows, {"quantity", "min_qty", "missing"}, as_json, as_csv)


@app.command("audit")
@handles_errors
def audit(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option(help="Login.", show_default=False)] = None,
    item: Annotated[str | None, typer.Option(help="SKU.", show_default=False)] = None,
    location: Annotated[str | None, typer.Option(help="Location code.", show_default=False)] = None,
    since: Since = None, until: Until = None,
    limit: Annotated[int, typer.Option(help="Only the newest N; 0 for all.")] = 200,
    as_json: AsJson = False,
) -> None:
    """Who did what, when: the movement ledger and the log-in audit log, oldest first."""
    start, end = _moment(since, "--since"), _moment(until, "--until", end=True)
    with _reading(ctx) as uow:
        entries = uow.reports.ledger(kpi.LedgerFilter(
            since=start, until=end, user=user, sku=item, location=location))
        # Log-ins name no item or location, so an item or location filter leaves them out.
        events = [] if item or location else uow.reports.audit_events(start, end, user)
    rows: list[dict[str, Any]] = [
        {"time": e.at, "source": "ledger", "event": e.kind.value, "user": e.user, "sku": e.sku,
         "quantity": e.quantity, "from": e.from_location, "to": e.to_location,
         "reference": e.reference, "reason": e.reason, "terminal": None, "detail": None}
        for e in entries
    ] + [
        {"time": a.at, "source": "audit", "event": a.event, "user": a.login, "sku": None,
         "quantity": None, "from": None, "to": None, "reference": None, "reason": None,
         "terminal": a.terminal, "detail": " ".join(filter(None, (a.peer, a.detail)))}
        for a in events
    ]
    rows.sort(key=lambda r: (r["time"], r["source"]))
    if limit:
        rows = rows[-limit:]
    if as_json:
        _print_json(rows)
    elif not rows:
        typer.echo("nothing in the audit trail")
    else:
        shown = [[f"{r['time']:%Y-%m-%d %H:%M}", r["event"], r["user"], r["sku"], r["quantity"],
                  r["from"], r["to"], r["reference"],
                  r["reason"] or " ".join(filter(None, (r["terminal"], r["detail"])))]
                 for r in rows]
        _out().print(_table("Audit trail (UTC)", ["time", "event", "user", "sku", "qty", "from",
                                                  "to", "reference", "note"], shown, {"qty"}))


# wms demo


class Scenario(StrEnum):
    receive = "receive"
    putaway = "putaway"
    pick = "pick"
    count = "count"
    tour = "tour"


class ClassAuth(StrEnum):
    password = "password"
    none = "none"


demo_app = typer.Typer(help="The practice warehouse: training mode, a class server, reports.")
app.add_typer(demo_app, name="demo")


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
        help="With --serve: also telnet on this port (unencrypted).", show_default=False)
    ] = None,
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
    from wms_tui.demo.launch import prepare_demo
    from wms_tui.demo.seed import DEMO_USERS, NotADemoDatabase

    if ctx.invoked_subcommand is not None:
        if reset or serve:
            raise BadInput(f"--reset and --serve open the demo; `wms demo "
                           f"{ctx.invoked_subcommand}` takes its own options")
        return
    try:
        url, seeded = prepare_demo(_state(ctx).url, reset=reset, seed=seed)
    except NotADemoDatabase as refusal:
        _fail(str(refusal), 1)
    shown = make_url(url).render_as_string(hide_password=True)
    typer.echo(f"practice database {shown}: "
               + (f"seeded (seed {seed})" if seeded else "exists (--reset seeds it anew)"))
    typer.echo("users: " + ", ".join(f"{login}/{pin} ({role.value})"
                                     for login, _name, role, pin in DEMO_USERS))
    chosen = scenario.value if scenario else None
    if serve:
        _serve_demo(url, chosen, host, port, telnet_port, ssh_auth, device_password_file)
    elif run:
        from wms_tui.app import run_tui

        run_tui(url, terminal=terminal or "TRAIN", ascii_mode=ascii_only, lang=lang, demo=True,
                scenario=chosen)


def _serve_demo(url: str, scenario: str | None, host: str, port: int, telnet_port: int | None,
                auth: ClassAuth, password_file: Path | None) -> None:
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
                typer.echo(f"class password (SSH): {password}")
        typer.echo(f"class: ssh -p {port} RF01@{host} (the user name is the terminal ID)")
        run_server(ServeConfig(
            database_url=url, host=host, port=port, telnet_port=telnet_port,
            device_password=password, ssh_auth=auth.value, demo=True, scenario=scenario))
    except ServeConfigError as exc:
        _fail(str(exc), 2)


@demo_app.command("report")
@handles_errors
def demo_report(
    ctx: typer.Context,
    since: Since = None,
    user: Annotated[str | None, typer.Option(help="Only this login.", show_default=False)] = None,
    as_json: AsJson = False,
) -> None:
    """What each trainee completed in the practice warehouse since it was seeded."""
    from wms_tui.demo.launch import demo_url
    from wms_tui.demo.report import EXERCISES, read_activity

    url = _state(ctx).url or demo_url()
    path = _sqlite_path(url)
    if path is not None and not path.exists():
        _fail(f"no practice database at {path}: run `wms demo` first", 1)
    engine = make_engine(url)
    ctx.call_on_close(engine.dispose)
    found = read_activity(engine, since=_moment(since, "--since"), login=user)
    if user is not None and not found:
        raise BadInput(f"no user {user!r} in the practice database")
    rows: list[dict[str, object]] = [
        {"user": a.login, "name": a.name, "role": a.role, "receipts": a.receipts,
         "putaways": a.putaways, "picks": a.picks, "moves": a.moves, "counts": a.counts,
         "exercises": a.exercises, "terminals": sorted(a.terminals), "first": a.first,
         "last": a.last}
        for a in found
    ]
    if as_json:
        _print_json({"since": since, "exercise_done_when": EXERCISES, "rows": rows})
        return
    shown = [[a.login, a.receipts, a.putaways, a.picks, a.moves, a.counts,
              f"{sum(a.exercises.values())}/{len(a.exercises)}",
              f"{a.last:%m-%d %H:%M}" if a.last else "-"] for a in found]
    _out().print(_table(
        "Training since the seed" + (f", from {since}" if since else "") + " (UTC)",
        ["user", "receipts", "putaways", "picks", "moves", "counts", "done", "last"],
        shown, {"receipts", "putaways", "picks", "moves", "counts"}))
    for a in found:
        todo = [name for name, done in a.exercises.items() if not done]
        if todo and len(todo) < len(a.exercises):
            typer.echo(f"{a.login} has still to do: {', '.join(todo)}")
    _out().print("An exercise is done after " + "; ".join(
        f"{name}: {what}" for name, what in EXERCISES.items()) + ".")


# wms db backup, wms config, wms doctor


@db_app.command("backup")
@handles_errors
def db_backup(
    ctx: typer.Context,
    to: Annotated[Path | None, typer.Option(
        "--to", help="The copy's file (default: backups/ in the data dir).", show_default=False,
    )] = None,
) -> None:
    """A consistent online copy of a SQLite database (0600); pg_dump advice for PostgreSQL."""
    _must_exist(ctx)
    engine = _engine(ctx, ready=False)
    source = health_db.sqlite_file(engine)
    if engine.dialect.name != "sqlite":
        url = health_db.shown_url(engine)
        typer.echo(f"database {url} is PostgreSQL: back it up with pg_dump, e.g.\n"
                   f"  pg_dump --format=custom --file wms-$(date -u +%Y%m%dT%H%M%SZ).dump "
                   f"'{url}'\n"
                   "and restore with pg_restore --clean --dbname <url> <file>.")
        return
    if source is None:
        _fail(f"no database file to back up ({health_db.shown_url(engine)})", 1)
    folder = data_dir()
    target = to or folder / "backups" / f"wms-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.db"
    result = health_db.backup_sqlite(engine, target)
    if result.integrity:
        _fail(f"the copy {target} failed its integrity check: {result.integrity[0]}", 1)
    health_db.record_backup(folder, engine, result)
    typer.echo(f"backup {result.path}: {result.size} bytes, integrity ok (mode 0600)")


def _must_exist(ctx: typer.Context) -> None:
    """Looking at a SQLite file must never create it."""
    path = _sqlite_path(resolve_database_url(_state(ctx).url))
    if path is not None and not path.exists():
        _fail(f"no database at {path}: run `wms init` first", 1)


def _settings(engine: Engine) -> dict[str, object]:
    settings: dict[str, object] = {
        "database_url": health_db.shown_url(engine),
        "dialect": engine.dialect.name,
        "data_dir": str(data_dir()),
        "migrations": {"current": current_revision(engine), "head": head_revision()},
        "versions": {"wms-tui": _version("wms-tui"), "python": platform.python_version(),
                     "sqlalchemy": _version("sqlalchemy"), "textual": _version("textual")},
    }
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            level = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            settings["busy_timeout_ms"] = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
            settings["synchronous"] = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
                int(level or 0), str(level))
            settings["journal_mode"] = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            settings["versions"]["sqlite"] = sqlite3.sqlite_version  # type: ignore[index]
        else:
            server = conn.exec_driver_sql("SHOW server_version").scalar()
            settings["versions"]["postgresql"] = server  # type: ignore[index]
    return settings


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


@app.command("config")
@handles_errors
def config(ctx: typer.Context, as_json: AsJson = False) -> None:
    """The effective settings: database (password hidden), data dir, pragmas, schema, versions."""
    _must_exist(ctx)
    settings = _settings(_engine(ctx, ready=False))
    if as_json:
        _print_json(settings)
        return
    for key, value in settings.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        typer.echo(f"{key.replace('_', ' ')}: {value}")


@app.command("doctor")
@handles_errors
def doctor(
    ctx: typer.Context,
    stuck_hours: Annotated[int, typer.Option(
        help="A task in progress longer than this is stuck.", min=1)] = checks.DEFAULT_STUCK_HOURS,
    stale_hours: Annotated[int, typer.Option(
        help="A saved RF session older than this is stale.", min=1)] = checks.DEFAULT_STALE_HOURS,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Exit 1 on warnings too (old backup, stuck work).")] = False,
    as_json: AsJson = False,
) -> None:
    """Health check: integrity, schema, balances = ledger, reservations, backups, stuck work.

    Exit 1 when a check fails (with --strict, when one warns); --json for monitoring.
    """
    _must_exist(ctx)
    engine = _engine(ctx, ready=False)
    now = datetime.now(UTC)
    problems = health_db.integrity(engine)
    findings = [checks.verdict("integrity", problems, "ok")]
    current, head = current_revision(engine), head_revision()
    findings.append(checks.migrations(current, head))
    if current == head:
        with SqlUnitOfWork(engine, readonly=True) as uow:
            mismatches = ledger_mismatches(uow)  # type: ignore[arg-type]
        findings.append(checks.verdict("ledger", mismatches, "every balance equals its ledger sum"))
        findings += checks.stock_levels(health_db.balance_facts(engine))
        findings.append(checks.hanging("stuck tasks", health_db.tasks_in_progress(engine), now,
                                       stuck_hours))
        findings.append(checks.hanging("stale sessions", health_db.saved_sessions(engine), now,
                                       stale_hours))
    if health_db.sqlite_file(engine) is not None:
        findings.append(checks.backup_age(health_db.last_backup(data_dir(), engine), now))
    else:
        findings.append(checks.Finding("backup", checks.Level.OK,
                                       "pg_dump backups are not tracked by wms"))
    code = checks.exit_code(findings, strict=strict)
    if as_json:
        levels = {f.level for f in findings}
        status = next((lv for lv in (checks.Level.FAIL, checks.Level.WARN) if lv in levels),
                      checks.Level.OK)
        _print_json({"status": status.value, "exit_code": code,
                     "database": health_db.shown_url(engine), "checked_at": now,
                     "checks": [{"check": f.check, "level": f.level.value, "summary": f.summary,
                                 "problems": list(f.problems)} for f in findings]})
    else:
        for f in findings:
            typer.echo(f"{f.level.value.upper():4}  {f.check}: {f.summary}")
            for problem in f.problems:
                typer.echo(f"        {problem}")
    raise typer.Exit(code)


# wms export …


export_app = typer.Typer(help="Exports for the ERP: ledger events by cursor, stock snapshots.",
                         no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("events")
@handles_errors
def export_events(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(
        help="The cursor the last run printed (default: from the start).", show_default=False,
    )] = None,
    kind: Annotated[list[erp.EventKind] | None, typer.Option(
        help="Only these events (repeat): receipt, shipment, adjustment, move, status.",
        show_default=False)] = None,
    limit: Annotated[int, typer.Option(help="Events per run.", min=1)] = erp.DEFAULT_BATCH,
    as_json: AsJson = False, as_csv: AsCsv = False,
) -> None:
    """Ledger events after a cursor, from the outbox; keep the printed cursor for the next run.

    JSON: {"cursor": next, "events": [...]}. CSV: one row per event; the next cursor goes to
    stderr as `cursor: …`.
    """
    if as_json and as_csv:
        raise BadInput("choose one of --json and --csv")
    with _reading(ctx) as uow:
        batch = erp.next_batch(uow.reports, erp.Cursor.parse(since), limit, kind or ())
    rows = [e.record() for e in batch.events]
    if as_json:
        _print_json({"cursor": batch.cursor.text(), "events": rows})
        return
    if as_csv:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        typer.echo(out.getvalue(), nl=False)
    elif rows:
        _out().print(_table("Events", EXPORT_COLUMNS, [list(r.values()) for r in rows],
                            {"movement_id", "quantity"}))
    else:
        typer.echo("no new events")
    typer.echo(f"cursor: {batch.cursor.text()}", err=as_csv)


EXPORT_COLUMNS = ["cursor", "event", "movement_id", "time", "sku", "quantity", "lot",
                  "from_location", "to_location", "lpn", "reference", "reason", "user"]


@export_app.command("stock")
@handles_errors
def export_stock(ctx: typer.Context, as_json: AsJson = False, as_csv: AsCsv = False) -> None:
    """A stock snapshot per item, location, lot, LPN and status (CSV unless --json)."""
    lines = masterdata.stock_listing(SqlUnitOfWork(_engine(ctx), readonly=True))
    rows: list[dict[str, object]] = [
        {"sku": ln.sku, "location": ln.location, "lot": ln.lot, "expiry": ln.expiry,
         "lpn": ln.lpn, "status": ln.status, "quantity": ln.quantity, "reserved": ln.reserved,
         "uom": ln.uom}
        for ln in lines
    ]
    _emit("Stock snapshot", rows, {"quantity", "reserved"}, as_json, as_csv or not as_json,
          {"taken_at": datetime.now(UTC)} if as_json else None)
