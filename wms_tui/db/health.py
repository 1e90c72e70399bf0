"""What `wms doctor` and `wms db backup` ask of the database itself: integrity, facts, copies."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shlex
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from wms_tui.db.tables import Balance, FlowState, Reservation, Task, User, table_of
from wms_tui.db.uow import driver_fault, is_transient, storage_fault
from wms_tui.domain.errors import DatabaseReadOnly, TransientConflict, WmsError
from wms_tui.domain.health import BalanceFacts, DiskSpace, OpenWork, WriteProbe

B = table_of(Balance)
R = table_of(Reservation)
TASK = table_of(Task)
FLOW = table_of(FlowState)
USER = table_of(User)

BACKUP_RECORD = "backup.json"


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def shown_url(engine_or_url: Engine | str) -> str:
    """The database URL with any password hidden, safe to print and to log."""
    url = engine_or_url.url if isinstance(engine_or_url, Engine) else make_url(engine_or_url)
    return url.render_as_string(hide_password=True)


def libpq_url(engine: Engine) -> str:
    """The URL as libpq tools (pg_dump, psql) read it: no SQLAlchemy driver, no password."""
    url = engine.url
    bare = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                      database=url.database, query=url.query)
    return bare.render_as_string(hide_password=False)


def pg_dump_recipe(engine: Engine) -> str:
    """How to back up and restore a PostgreSQL database with its own tools, ready to paste."""
    url = shlex.quote(libpq_url(engine))
    hidden = (" (password hidden: set PGPASSWORD or use ~/.pgpass)"
              if engine.url.password else "")
    return (f"database {url} is PostgreSQL: back it up with pg_dump{hidden}:\n"
            f"  pg_dump --format=custom --file wms-$(date -u +%Y%m%dT%H%M%SZ).dump {url}\n"
            "restore a dump (stop `wms serve` first) with:\n"
            f"  pg_restore --clean --if-exists --no-owner --dbname {url} <file>.dump\n"
            "then run `wms db epoch --renew`, so ERPs re-sync their export cursors.")


def sqlite_file(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(engine.url.database)


def write_probe(engine: Engine) -> WriteProbe:
    """Whether the database takes writes, found without writing anything that lasts.

    SQLite: the write lock (BEGIN IMMEDIATE) and a table created, then rolled back, which a
    read-only file, mount or connection refuses. PostgreSQL: transaction_read_only, which a
    read-only default or a standby server turns on. Out of reach is a fault like the others.
    """
    try:
        with engine.connect() as conn:
            if engine.dialect.name != "sqlite":
                if conn.exec_driver_sql("SHOW transaction_read_only").scalar() == "on":
                    return DatabaseReadOnly("transaction_read_only is on")
                return None
            trans = conn.begin()
            try:
                conn.exec_driver_sql("CREATE TABLE wms_write_probe (x INTEGER)")
            finally:
                trans.rollback()
    except DBAPIError as exc:
        if is_transient(exc):
            return TransientConflict(_first_line(exc.orig or exc))
        fault = storage_fault(exc)
        if fault is None:
            raise
        return fault
    return None


def disk_space(engine: Engine, data_folder: Path) -> list[DiskSpace]:
    """Free space where the SQLite file (and its WAL) and the data directory (backups, logs)
    live, each filesystem once; a PostgreSQL server's own disk is out of sight from here."""
    database = sqlite_file(engine)
    places = [database.parent] if database is not None else []
    places.append(data_folder)
    seen: set[int] = set()
    found = []
    for place in places:
        try:
            device = place.stat().st_dev
            usage = shutil.disk_usage(place)
        except FileNotFoundError:
            continue
        if device not in seen:
            seen.add(device)
            found.append(DiskSpace(str(place), usage.free, usage.total))
    return found


def integrity(engine: Engine) -> list[str]:
    """SQLite's integrity_check (every page and index), or a plain round trip on PostgreSQL."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = [str(r[0]) for r in conn.exec_driver_sql("PRAGMA integrity_check")]
            return [] if rows == ["ok"] else rows
        conn.execute(text("SELECT 1"))
        return []


def balance_facts(engine: Engine) -> list[BalanceFacts]:
    rows_sum = (select(R.c.balance_id, func.sum(R.c.quantity).label("held"))
                .group_by(R.c.balance_id).subquery())
    query = (select(B.c.key, B.c.quantity, B.c.reserved, rows_sum.c.held)
             .outerjoin(rows_sum, rows_sum.c.balance_id == B.c.id)
             .order_by(B.c.id))
    with engine.connect() as conn:
        return [BalanceFacts(r.key, r.quantity, r.reserved, int(r.held or 0))
                for r in conn.execute(query)]


def tasks_in_progress(engine: Engine) -> list[OpenWork]:
    query = (select(TASK.c.id, TASK.c.kind, TASK.c.updated_at, USER.c.login)
             .outerjoin(USER, USER.c.id == TASK.c.assigned_to)
             .where(TASK.c.status == "in_progress")
             .order_by(TASK.c.updated_at))
    with engine.connect() as conn:
        return [OpenWork(f"{r.kind} task {r.id}", r.login, _aware(r.updated_at))
                for r in conn.execute(query)]


def saved_sessions(engine: Engine) -> list[OpenWork]:
    query = (select(FLOW.c.flow, FLOW.c.terminal, FLOW.c.updated_at, USER.c.login)
             .join(USER, USER.c.id == FLOW.c.user_id)
             .order_by(FLOW.c.updated_at))
    with engine.connect() as conn:
        return [OpenWork(f"{r.flow} flow on {r.terminal or '?'}", r.login, _aware(r.updated_at))
                for r in conn.execute(query)]


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    at: datetime


class BackupFailed(WmsError):
    """A backup that could not be made; no file of it is left behind."""


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _why(exc: BaseException) -> str:
    """A failed copy in a few words: "disk full", "permission denied"."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "disk full"
        return (exc.strerror or _first_line(exc)).lower()
    fault = driver_fault(exc)
    return fault.FAULT if fault is not None else _first_line(exc)


def copy_database(source: Path, copy: Path) -> list[str]:
    """Copy source's pages into the file copy; the copy's integrity problems (none: [])."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(copy)
        try:
            # Pages are copied under a read transaction, so writers may go on meanwhile.
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            check = [str(r[0]) for r in dst.execute("PRAGMA integrity_check")]
        finally:
            dst.close()
    finally:
        src.close()
    return [] if check == ["ok"] else check


def backup_sqlite(engine: Engine, target: Path) -> BackupResult:
    """A consistent online copy through SQLite's backup API, private (0600) from the start.

    The copy is made in a hidden temporary file beside target and renamed into place only once
    it passed its integrity check, so a failure (a full disk, a folder we may not write) leaves
    no file behind, and nothing in the way of the next backup.
    """
    source = sqlite_file(engine)
    if source is None:
        raise ValueError("only a SQLite file database can be copied this way")
    if target.exists():
        raise FileExistsError(f"{target} exists already; a backup never overwrites")
    folder = target.parent
    at = datetime.now(UTC)
    temporary: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # mkstemp makes the file 0600, so no one else can read the copy while it is written.
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        os.close(handle)
        temporary = Path(name)
        problems = copy_database(source, temporary)
        if problems:
            raise BackupFailed(f"backup failed: the copy failed its integrity check: "
                               f"{problems[0]}")
        temporary.rename(target)
        temporary = None
    except (OSError, sqlite3.Error) as exc:
        raise BackupFailed(f"backup failed: {_why(exc)} at {folder}") from exc
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()
    return BackupResult(target, target.stat().st_size, at)


def record_backup(folder: Path, engine: Engine, result: BackupResult) -> None:
    """Remember the last backup per database, so `wms doctor` can tell its age."""
    path = folder / BACKUP_RECORD
    records = read_backups(folder)
    records[shown_url(engine)] = {"at": result.at.isoformat(), "path": str(result.path),
                                  "size": result.size}
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(records, indent=2))
        os.chmod(tmp, 0o600)
        tmp.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise BackupFailed(f"backup {result.path} was made, but recording it in {path} "
                           f"failed: {_why(exc)}") from exc


def read_backups(folder: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads((folder / BACKUP_RECORD).read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def last_backup(folder: Path, engine: Engine) -> datetime | None:
    record = read_backups(folder).get(shown_url(engine))
    if not record or not isinstance(record.get("at"), str):
        return None
    return datetime.fromisoformat(str(record["at"]))


SYNCHRONOUS_LEVELS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


@dataclass(frozen=True)
class ServerSettings:
    """What the database says about itself, for `wms config`."""

    server: str
    version: str
    # SQLite's busy timeout, synchronous level and journal mode; nothing on PostgreSQL.
    pragmas: dict[str, object]


def server_settings(engine: Engine) -> ServerSettings:
    """The settings a connection actually runs with, read back from the database."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            level = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            return ServerSettings("sqlite", sqlite3.sqlite_version, {
                "busy_timeout_ms": conn.exec_driver_sql("PRAGMA busy_timeout").scalar(),
                "synchronous": SYNCHRONOUS_LEVELS.get(int(level or 0), str(level)),
                "journal_mode": conn.exec_driver_sql("PRAGMA journal_mode").scalar(),
            })
        version = conn.exec_driver_sql("SHOW server_version").scalar()
        return ServerSettings("postgresql", str(version), {})
