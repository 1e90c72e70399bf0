"""What every `wms` command shares: the site it works on, refusals as exit codes, options.

Exit codes: 0 ok, 1 error, 2 bad input (a malformed file, option or value).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, NoReturn, ParamSpec, TypeVar

import typer

from wms_tui.domain.errors import BadInput, InvalidQuantity, ScanRejected, UnknownUnit, WmsError
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.text import visible

if TYPE_CHECKING:
    from wms_tui.bootstrap import Site

P = ParamSpec("P")
R = TypeVar("R")

BAD_INPUT_ERRORS = (BadInput, ScanRejected, InvalidQuantity, UnknownUnit)


@dataclass
class CliState:
    """The database the command works on; it is opened on first use, never at import."""

    url: str | None
    site: Site | None = None


def fail(message: str, code: int) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _database_error(exc: Exception) -> bool:
    """A SQLAlchemy error; a command that never loaded SQLAlchemy cannot have raised one, so
    asking costs no import."""
    errors = sys.modules.get("sqlalchemy.exc")
    return errors is not None and isinstance(exc, errors.SQLAlchemyError)


def handles_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn refusals into one 'error: …' line and the documented exit code, never a traceback.

    The message goes through visible as a last line of defence: a value a message forgot to
    show (an ESC in a file name, a SKU) is printed escaped, never obeyed by the terminal.
    """

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except BAD_INPUT_ERRORS as exc:
            fail(visible(str(exc)), 2)
        except WmsError as exc:
            fail(visible(str(exc)), 1)
        except OSError as exc:
            fail(visible(str(exc)), 1)
        except Exception as exc:
            if not _database_error(exc):
                raise
            fail(visible(f"database: {_first_line(getattr(exc, 'orig', None) or exc)}"), 1)

    return run


def cli_state(ctx: typer.Context) -> CliState:
    state = ctx.find_root().obj
    assert isinstance(state, CliState)
    return state


def database_url(ctx: typer.Context) -> str:
    """--database-url, else $WMS_DATABASE_URL, else the SQLite file in the data dir."""
    from wms_tui.bootstrap import resolve_database_url

    return resolve_database_url(cli_state(ctx).url)


def must_exist(ctx: typer.Context) -> None:
    """Looking at a SQLite file must never create it."""
    from wms_tui.bootstrap import sqlite_path

    path = sqlite_path(database_url(ctx))
    if path is not None and not path.exists():
        fail(f"no database at {path}: run `wms init` first", 1)


def open_site(ctx: typer.Context, *, ready: bool = True) -> Site:
    """The site this command works on; with ready, refuse a database whose schema is not
    current. It is closed when the command ends."""
    from wms_tui.bootstrap import wire

    state = cli_state(ctx)
    if state.site is None:
        if ready:
            must_exist(ctx)
        state.site = wire(database_url(ctx))
        ctx.find_root().call_on_close(state.site.close)
    if ready:
        current, head = state.site.schema()
        if current is None:
            fail("the database has no schema yet: run `wms init`", 1)
        if current != head:
            fail(f"the database is at revision {current}, this wms needs {head}: "
                 "run `wms db upgrade`", 1)
    return state.site


def open_other_site(ctx: typer.Context, url: str) -> Site:
    """A site on another database than the command's own (the practice one), closed likewise."""
    from wms_tui.bootstrap import wire

    site = wire(url)
    ctx.call_on_close(site.close)
    return site


def prompt_pin(label: str) -> str:
    return str(typer.prompt(label, hide_input=True, confirmation_prompt=True))


def refuse_pin_option(pin: str | None) -> None:
    if pin is not None:
        raise BadInput("--pin on the command line shows the PIN to `ps` and the shell history: "
                       "leave it out to be asked, or send it with --pin-stdin")


def read_pin(label: str, from_stdin: bool) -> str:
    """A PIN from a hidden prompt, or from standard input's first line for scripts: never from
    the command line, where `ps` and shell history would show it."""
    if not from_stdin:
        return prompt_pin(label)
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise BadInput("--pin-stdin: standard input has no PIN on its first line")
    return line


def acting_user(site: Site, login: str) -> Actor:
    """The user a command acts as; the CLI has no PIN step, its user owns the database."""
    from wms_tui.domain import users

    login = users.validate_login(login)
    with site.read_factory() as uow:
        user = uow.users.by_login(login)
        if user is None or user.id is None or not user.active:
            raise BadInput(f"no active user {login}")
        return Actor(user.id, user.login, Role(user.role), "cli")


# Options several commands take, spelled and explained the same everywhere.

ItemFilter = Annotated[
    str | None, typer.Option("--item", help="SKU, barcode, alias or GTIN.", show_default=False)
]
LocationFilter = Annotated[
    str | None, typer.Option("--location", help="Location code or barcode.", show_default=False)
]
PinStdin = Annotated[bool, typer.Option(
    "--pin-stdin", help="Read the PIN from standard input's first line instead of a prompt.")]
# Kept, hidden, so an old script gets told why instead of "no such option".
PinRefused = Annotated[str | None, typer.Option("--pin", hidden=True, show_default=False)]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
AsCsv = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]
AsLogin = Annotated[
    str, typer.Option("--as", help="User ID of the supervisor doing this (recorded).")
]
Since = Annotated[str | None, typer.Option(
    help="From this day (YYYY-MM-DD) or ISO time, UTC.", show_default=False)]
Until = Annotated[str | None, typer.Option(
    help="Up to and including this day, or before this ISO time.", show_default=False)]
