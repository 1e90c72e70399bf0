"""What `wms doctor` and `wms db backup` ask of the database itself: integrity, facts, copies."""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from wms_tui.db.tables import Balance, FlowState, Reservation, Task, User, table_of
from wms_tui.domain.health import BalanceFacts, OpenWork

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


def sqlite_file(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return None
    return Path(engine.url.database)


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
    integrity: list[str]
    at: datetime


def backup_sqlite(engine: Engine, target: Path) -> BackupResult:
    """A consistent online copy through SQLite's backup API, private (0600) from the start."""
    source = sqlite_file(engine)
    if source is None:
        raise ValueError("only a SQLite file database can be copied this way")
    if target.exists():
        raise FileExistsError(f"{target} exists already; a backup never overwrites")
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    at = datetime.now(UTC)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            # Pages are copied under a read transaction, so writers may go on meanwhile.
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            check = [str(r[0]) for r in dst.execute("PRAGMA integrity_check")]
        finally:
            dst.close()
    finally:
        src.close()
    os.chmod(target, 0o600)
    return BackupResult(target, target.stat().st_size, [] if check == ["ok"] else check, at)


def record_backup(folder: Path, engine: Engine, result: BackupResult) -> None:
    """Remember the last backup per database, so `wms doctor` can tell its age."""
    path = folder / BACKUP_RECORD
    records = read_backups(folder)
    records[shown_url(engine)] = {"at": result.at.isoformat(), "path": str(result.path),
                                  "size": result.size}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(records, indent=2))
    os.chmod(tmp, 0o600)
    tmp.replace(path)


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
