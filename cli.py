"""The `wms` admin command: parses arguments, calls the domain services, prints the answer.

Exit codes: 0 ok, 1 error, 2 bad input (a malformed file, option or value).
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
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

from wms_tui.db.engine import make_engine, resolve_database_url
from wms_tui.db.migrate import current_revision, head_revision, upgrade
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain import counting, inbound, masterdata, outbound, supervisor, users
from wms_tui.domain.errors import (
    BadInput,
    InvalidQuantity,
    ScanRejected,
    UnknownUnit,
    WmsError,
)
from wms_tui.domain.masterdata import CsvTable, ImportReport
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.scan import GS, scan_explanation
from wms_tui.domain.stock import new_confirmation_key

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


FileArg = Annotated[Path, typer.Argument(help="A UTF-8 CSV file with a header row.")]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Check every row and report; change nothing.")
]


def _read_table(path: Path) -> CsvTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {path}: {exc.strerror or exc}") from None
    return masterdata.read_csv(data, str(path))


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


@location_app.command("import")
@handles_errors
def location_import(ctx: typer.Context, file: FileArg, dry_run: DryRun = False) -> None:
    """Create or update locations from a CSV file (docs/import-formats.md)."""
    table = _read_table(file)
    engine = _engine(ctx)
    with _progress(len(table.rows), "locations") as advance:
        report = masterdata.import_locations(
            uow_factory(engine, readonly=dry_run), table, dry_run=dry_run, progress=advance
        )
    _finish(report)


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
def item_import(ctx: typer.Context, file: FileArg, dry_run: DryRun = False) -> None:
    """Create or update items and their units from a CSV file, one row per item and unit."""
    table = _read_table(file)
    engine = _engine(ctx)
    with _progress(len(table.rows), "items") as advance:
        report = masterdata.import_items(
            uow_factory(engine, readonly=dry_run), table, dry_run=dry_run, progress=advance
        )
    _finish(report)


class OrderKind(str, Enum):
    inbound = "inbound"
    outbound = "outbound"


@order_app.command("import")
@handles_errors
def order_import(
    ctx: typer.Context,
    file: FileArg,
    kind: Annotated[OrderKind, typer.Option(help="Which orders the file holds.")],
    dry_run: DryRun = False,
) -> None:
    """Create or update orders and their lines from a CSV file (docs/import-inbound.md,
    docs/import-outbound.md)."""
    table = _read_table(file)
    engine = _engine(ctx)
    importer = (outbound.import_outbound_orders if kind is OrderKind.outbound
                else inbound.import_inbound_orders)
    with _progress(len(table.rows), "order lines") as advance:
        report = importer(
            uow_factory(engine, readonly=dry_run), table, dry_run=dry_run, progress=advance
        )
    _finish(report)


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
