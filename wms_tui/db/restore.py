"""`wms db restore` for SQLite and the database epoch every restore renews.

A restore checks the backup first (a SQLite file, integrity ok, a schema revision this wms
knows), copies it into a private temporary file beside the database, gives the copy a new
epoch, keeps the old database as `<name>.before-restore-<time>` and renames the copy into
place, so the database file is always either the old one or the whole new one.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect, select, update

from wms_tui.db.health import copy_database
from wms_tui.db.migrate import alembic_config, head_revision
from wms_tui.db.tables import DatabaseEpoch, OutboxEvent, table_of
from wms_tui.domain.errors import BadInput, WmsError
from wms_tui.domain.exports import Cursor, new_epoch

EPOCH = table_of(DatabaseEpoch)
OUT = table_of(OutboxEvent)
SQLITE_MAGIC = b"SQLite format 3\x00"


class RestoreRefused(BadInput):
    """A backup that is not one, or a database that must not be replaced: nothing changed."""


class RestoreFailed(WmsError):
    """The copy could not be made; the database is as it was and no file is left behind."""


@dataclass(frozen=True)
class BackupFacts:
    path: Path
    revision: str
    # True when the backup's schema is older than this wms's: `wms db upgrade` after.
    older: bool
    size: int


@dataclass(frozen=True)
class Restored:
    backup: BackupFacts
    target: Path
    # The database that was there before, kept beside it (None when there was none).
    kept: Path | None
    epoch: str | None
    previous_epoch: str | None


def _known_revisions() -> list[str]:
    """This wms's migrations, newest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in script.walk_revisions()]


def check_backup(path: Path) -> BackupFacts:
    """Refuse a file that is no SQLite database, fails integrity_check or is not this wms's."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
        size = path.stat().st_size
    except OSError as exc:
        raise RestoreRefused(f"cannot read backup {path}: {exc.strerror or exc}") from None
    if magic != SQLITE_MAGIC:
        raise RestoreRefused(f"{path} is not a SQLite database (no SQLite header)")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            check = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
            tables = {str(r[0]) for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            rows = (conn.execute("SELECT version_num FROM alembic_version").fetchall()
                    if "alembic_version" in tables else [])
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise RestoreRefused(f"{path} fails SQLite's integrity check: {exc}") from None
    if check != ["ok"]:
        raise RestoreRefused(f"{path} fails SQLite's integrity check: {check[0]}")
    if len(rows) != 1:
        raise RestoreRefused(f"{path} is not a wms database (it has no schema revision)")
    revision = str(rows[0][0])
    known = _known_revisions()
    if revision not in known:
        raise RestoreRefused(f"{path} has schema revision {revision}, which this wms does not "
                             f"know (it is at {known[0]}): restore it with the wms that made it")
    return BackupFacts(path, revision, revision != head_revision(), size)


def in_use(database: Path) -> bool:
    """Whether another connection has the database open.

    SQLite deletes a WAL file when the last connection to the database closes, so a WAL that
    is still there after a connection of ours opened and closed belongs to someone else.
    """
    wal = Path(f"{database}-wal")
    if not wal.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{database}?mode=rw", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return True  # Locked or unreadable: treat it as in use rather than replace it blind.
    return wal.exists()


def holds_data(database: Path) -> bool:
    """Whether the file is a database with any table in it (an empty file is not)."""
    if not database.exists() or database.stat().st_size == 0:
        return False
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return bool(conn.execute("SELECT count(*) FROM sqlite_master "
                                 "WHERE type = 'table'").fetchone()[0])
    except sqlite3.DatabaseError:
        # Not a database at all: replacing it loses nothing a restore could be refused for,
        # but it is still kept aside like any other file.
        return True
    finally:
        conn.close()


def renew_epoch(conn: Connection) -> tuple[str, str | None] | None:
    """Give the database a new epoch, remembering the old one and its last export position,
    so ERPs holding old cursors are refused and told where to go on; None before 0018 (its
    migration gives the database a fresh epoch anyway)."""
    if not inspect(conn).has_table(EPOCH.name):
        return None
    old = conn.execute(select(EPOCH.c.epoch)).scalar_one_or_none()
    last = conn.execute(select(OUT.c.txid, OUT.c.id)
                        .order_by(OUT.c.txid.desc(), OUT.c.id.desc()).limit(1)).first()
    position = Cursor() if last is None else Cursor(last.txid, last.id)
    epoch = new_epoch()
    conn.execute(update(EPOCH).values(epoch=epoch, previous=old,
                                      resumes_after=position.text(),
                                      created_at=datetime.now(UTC)))
    return epoch, old


def current_epoch(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table(EPOCH.name):
            return None
        return conn.execute(select(EPOCH.c.epoch)).scalar_one_or_none()


def renew_engine_epoch(engine: Engine) -> tuple[str, str | None] | None:
    """renew_epoch in a transaction of its own (after a PostgreSQL pg_restore)."""
    with engine.begin() as conn:
        return renew_epoch(conn)


def _renew_file_epoch(path: Path) -> tuple[str, str | None] | None:
    """renew_epoch on a SQLite file no one else has open; a plain engine, so the file keeps
    its rollback journal until the app opens it in WAL mode."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        return renew_engine_epoch(engine)
    finally:
        engine.dispose()


def restore_sqlite(backup: Path, target: Path, *, force: bool = False) -> Restored:
    """Put backup in target's place (see the module's docstring); refuses a live target
    (one holding data, or open elsewhere) unless force."""
    facts = check_backup(backup)
    if target.exists() and backup.resolve() == target.resolve():
        raise RestoreRefused(f"{backup} is the database itself")
    # Looking also checkpoints a WAL no one else holds, so the old file is whole on its own.
    busy = target.exists() and in_use(target)
    if not force:
        if busy:
            raise RestoreRefused(
                f"database {target} is open elsewhere (its WAL has readers): stop `wms serve` "
                "and other wms commands first, or add --force")
        if holds_data(target):
            raise RestoreRefused(
                f"database {target} exists and holds data: add --force to replace it (it is "
                "kept as a .before-restore file)")
    folder = target.parent
    temporary: Path | None = None
    kept: Path | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        # mkstemp makes the file 0600, so the copy is private while it is written.
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".restore",
                                        dir=folder)
        os.close(handle)
        temporary = Path(name)
        problems = copy_database(backup, temporary)
        if problems:
            raise RestoreFailed(f"restore failed: the copy failed its integrity check: "
                                f"{problems[0]}")
        renewed = _renew_file_epoch(temporary)
        if target.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            kept = target.with_name(f"{target.name}.before-restore-{stamp}")
            # A second name for the old file, then one atomic rename over the first: the
            # database path never points at nothing, nor at half a copy.
            os.link(target, kept)
            wal = Path(f"{target}-wal")
            if wal.exists():
                # Forced past its readers: the old database's WAL goes with the kept file.
                wal.replace(Path(f"{kept}-wal"))
        temporary.replace(target)
        temporary = None
    except (OSError, sqlite3.Error) as exc:
        if kept is not None:
            with contextlib.suppress(OSError):
                kept.unlink()
        raise RestoreFailed(f"restore failed: {exc} at {folder}") from exc
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink()
    # The old database's shared-memory index must not be taken for the new file's.
    with contextlib.suppress(FileNotFoundError):
        Path(f"{target}-shm").unlink()
    epoch, previous = renewed if renewed is not None else (None, None)
    return Restored(facts, target, kept, epoch, previous)
