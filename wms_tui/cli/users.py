"""`wms user …`: operators, supervisors and admins who sign in at the terminals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.common import (
    PinRefused,
    PinStdin,
    handles_errors,
    open_site,
    read_pin,
    refuse_pin_option,
)
from wms_tui.cli.importing import DryRun, FileArg, FormatOpt, Partial, run_import
from wms_tui.cli.output import console, print_json, table
from wms_tui.domain.errors import BadInput

if TYPE_CHECKING:
    from wms_tui.domain.ports import UserRecord

user_app = typer.Typer(help="Operators, supervisors and admins.", no_args_is_help=True)

LoginArg = Annotated[str, typer.Argument(help="User ID, as typed at the terminal.")]


@user_app.command("add")
@handles_errors
def user_add(
    ctx: typer.Context,
    login: LoginArg,
    name: Annotated[str | None, typer.Option(help="Full name (default: the user ID).")] = None,
    role: Annotated[str, typer.Option(help="operator, supervisor or admin.")] = "operator",
    pin_stdin: PinStdin = False,
    lang: Annotated[str, typer.Option(help="Screen language: en or zh_CN.")] = "en",
    pin: PinRefused = None,
) -> None:
    """Add a user who signs in at the terminals with a user ID and PIN."""
    from wms_tui.domain import users

    site = open_site(ctx)
    # Typos are refused before the PIN is asked for.
    users.validate_login(login)
    users.parse_role(role)
    if lang not in users.LANGUAGES:
        raise BadInput(f"language {lang!r} must be one of {', '.join(users.LANGUAGES)}")
    refuse_pin_option(pin)
    user = users.add_user(site.uow_factory(), login, name or login, role,
                          read_pin("PIN", pin_stdin), lang)
    typer.echo(f"user {user.login}: created ({user.role}, {user.language})")


@user_app.command("list")
@handles_errors
def user_list(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False
) -> None:
    """List users; PIN hashes are never shown."""
    with open_site(ctx).read_factory() as uow:
        rows = [_user_row(u) for u in uow.users.all()]
    if as_json:
        print_json(rows)
        return
    columns = ["login", "name", "role", "language", "active", "locked"]
    console().print(table("Users", columns, [[r[c] for c in columns] for r in rows],
                          numeric=set()))


def _user_row(user: UserRecord) -> dict[str, object]:
    from wms_tui.domain import users

    # One look at the clock per user, so "locked" and "locked_until" always agree.
    locked = users.is_locked(user)
    return {
        "login": user.login, "name": user.name, "role": user.role, "language": user.language,
        "active": user.active, "failed_attempts": user.failed_attempts, "locked": locked,
        "locked_until": user.locked_until if locked else None,
    }


def _set_active(ctx: typer.Context, login: str, active: bool) -> None:
    from wms_tui.domain import users

    users.set_active(open_site(ctx).uow_factory(), login, active)
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
    pin_stdin: PinStdin = False,
    pin: PinRefused = None,
) -> None:
    """Set a new PIN and unlock the account."""
    from wms_tui.domain import users

    refuse_pin_option(pin)
    site = open_site(ctx)
    users.reset_pin(site.uow_factory(), login, read_pin("New PIN", pin_stdin))
    typer.echo(f"user {login.upper()}: PIN reset, account unlocked")


@user_app.command("unlock")
@handles_errors
def user_unlock(ctx: typer.Context, login: LoginArg) -> None:
    """Let a user locked out by wrong PINs sign in again, with the PIN they have."""
    from wms_tui.domain import users

    was_locked = users.unlock(open_site(ctx).uow_factory(), login)
    typer.echo(f"user {login.upper()}: {'unlocked' if was_locked else 'was not locked'}")


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
    from wms_tui.domain import user_import as user_imports

    run_import(ctx, file, "users", user_imports.import_users, dry_run=dry_run,
               partial=partial, fmt=fmt)
