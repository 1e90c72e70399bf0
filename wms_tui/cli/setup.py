"""`wms init` and `wms db …`: create the database, migrate it, back it up."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wms_tui.cli.common import (
    PinRefused,
    PinStdin,
    database_url,
    fail,
    handles_errors,
    must_exist,
    open_site,
    read_pin,
    refuse_pin_option,
)
from wms_tui.domain.model import Role

if TYPE_CHECKING:
    from wms_tui.bootstrap import Site

db_app = typer.Typer(help="Database schema, backups and restores.", no_args_is_help=True)


def _upgrade(site: Site) -> None:
    before, after = site.upgrade()
    if before == after:
        typer.echo(f"schema: at {after} (up to date)")
    else:
        typer.echo(f"schema: {before or 'empty'} -> {after}")


@handles_errors
def init(
    ctx: typer.Context,
    admin: Annotated[
        str | None,
        typer.Option("--admin", help="Create this first admin user.", show_default=False),
    ] = None,
    pin_stdin: PinStdin = False,
    pin: PinRefused = None,
) -> None:
    """Create the database (or bring it up to date), warehouse WH1 and optionally an admin."""
    from wms_tui.bootstrap import sqlite_path
    from wms_tui.db import health as health_db
    from wms_tui.domain import masterdata, users

    refuse_pin_option(pin)
    url = database_url(ctx)
    shown = health_db.shown_url(url)
    path = sqlite_path(url)
    if path is not None:
        folder = path.parent
        if not folder.exists():
            # Only a folder created here is made private; an existing one is not ours to change.
            folder.mkdir(parents=True, mode=0o700)
            os.chmod(folder, 0o700)
            typer.echo(f"data directory {folder}: created (mode 0700)")
        existed = path.exists()
        site = open_site(ctx, ready=False)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o600
        typer.echo(f"database {shown}: {'exists' if existed else 'created'} (mode {mode:04o})")
    else:
        site = open_site(ctx, ready=False)
        typer.echo(f"database {shown}")
    _upgrade(site)
    created = masterdata.ensure_default_warehouse(site.uow_factory())
    typer.echo(f"warehouse {created}: created" if created else "warehouse: exists")
    if admin is None:
        return
    login = users.validate_login(admin)
    with site.read_factory() as uow:
        exists = uow.users.by_login(login) is not None
    if exists:
        typer.echo(f"user {login}: exists, left as it is")
    else:
        users.add_user(
            site.uow_factory(), login, login.title(), Role.ADMIN.value,
            read_pin("PIN for the admin", pin_stdin),
        )
        typer.echo(f"user {login}: created (admin)")


@db_app.command("upgrade")
@handles_errors
def db_upgrade(ctx: typer.Context) -> None:
    """Apply the migrations shipped with this wms."""
    _upgrade(open_site(ctx, ready=False))


@db_app.command("current")
@handles_errors
def db_current(ctx: typer.Context) -> None:
    """Show the database's schema revision and the one this wms needs."""
    must_exist(ctx)
    current, head = open_site(ctx, ready=False).schema()
    if current is None:
        typer.echo(f"schema: empty (this wms needs {head}): run `wms init`")
    elif current == head:
        typer.echo(f"schema: {current} (head)")
    else:
        typer.echo(f"schema: {current} (this wms needs {head}): run `wms db upgrade`")


@db_app.command("backup")
@handles_errors
def db_backup(
    ctx: typer.Context,
    to: Annotated[Path | None, typer.Option(
        "--to", help="The copy's file (default: backups/ in the data dir).", show_default=False,
    )] = None,
) -> None:
    """A consistent online copy of a SQLite database (0600); pg_dump advice for PostgreSQL."""
    from wms_tui.bootstrap import data_dir
    from wms_tui.db import health as health_db

    must_exist(ctx)
    engine = open_site(ctx, ready=False).engine
    source = health_db.sqlite_file(engine)
    if engine.dialect.name != "sqlite":
        typer.echo(health_db.pg_dump_recipe(engine))
        return
    if source is None:
        fail(f"no database file to back up ({health_db.shown_url(engine)})", 1)
    folder = data_dir()
    target = to or folder / "backups" / f"wms-{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}.db"
    # A failure (disk full, no permission, a bad copy) is one error line; no file is left.
    result = health_db.backup_sqlite(engine, target)
    health_db.record_backup(folder, engine, result)
    typer.echo(f"backup {result.path}: {result.size} bytes, integrity ok (mode 0600)")


@db_app.command("restore")
@handles_errors
def db_restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A backup `wms db backup` made (SQLite).")],
    force: Annotated[bool, typer.Option(
        "--force", help="Replace a database that holds data or is open elsewhere.",
    )] = False,
) -> None:
    """Put a SQLite backup in the database's place, with a new export epoch.

    The backup is checked first (a SQLite file, integrity ok, a schema this wms knows); the
    old database is kept beside it as <name>.before-restore-<time>. ERPs holding export
    cursors of the old database are refused and told where to go on (docs/import-formats.md).
    """
    from wms_tui.bootstrap import sqlite_path
    from wms_tui.db import health as health_db
    from wms_tui.db import restore as restore_db

    url = database_url(ctx)
    target = sqlite_path(url)
    if target is None:
        fail(f"wms db restore restores SQLite files; {health_db.shown_url(url)} is "
             "PostgreSQL: use pg_restore as `wms db backup` shows, then "
             "`wms db epoch --renew`", 2)
    done = restore_db.restore_sqlite(file, target, force=force)
    facts = done.backup
    typer.echo(f"restored {facts.path} (schema {facts.revision}, {facts.size} bytes) "
               f"to {done.target} (mode 0600)")
    if done.kept is not None:
        typer.echo(f"the database it replaced is kept as {done.kept}")
    if done.epoch is not None:
        typer.echo(f"export epoch: {done.epoch} (was {done.previous_epoch}): ERPs must "
                   "re-sync; `wms export events` tells them from where")
    if facts.older:
        typer.echo(f"schema {facts.revision} is older than this wms needs: "
                   "run `wms db upgrade` next")


@db_app.command("epoch")
@handles_errors
def db_epoch(
    ctx: typer.Context,
    renew: Annotated[bool, typer.Option(
        "--renew", help="Give the database a new epoch (after restoring it with pg_restore).",
    )] = False,
) -> None:
    """Show the database's export epoch, the first part of every `wms export events` cursor."""
    from wms_tui.db import restore as restore_db

    must_exist(ctx)
    engine = open_site(ctx).engine
    if renew:
        renewed = restore_db.renew_engine_epoch(engine)
        if renewed is None:
            fail("this database has no export epoch yet: run `wms db upgrade`", 1)
        typer.echo(f"export epoch: {renewed[0]} (was {renewed[1]}): ERPs must re-sync")
        return
    epoch = restore_db.current_epoch(engine)
    if epoch is None:
        fail("this database has no export epoch yet: run `wms db upgrade`", 1)
    typer.echo(f"export epoch: {epoch}")
