"""Engine set-up: SQLite pragmas and BEGIN IMMEDIATE, PostgreSQL via psycopg 3."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

APP_NAME = "wms-tui"
BUSY_TIMEOUT_MS = 10_000
READONLY = {"wms_readonly": True}


def data_dir() -> Path:
    """The per-user data directory; one created here is readable by its owner only."""
    path = Path(os.environ.get("WMS_DATA_DIR") or user_data_dir(APP_NAME))
    try:
        path.mkdir(parents=True, mode=0o700)
    except FileExistsError:
        if not path.is_dir():
            raise
        # An existing directory is not ours to change: its owner chose who may read it.
        return path
    # mkdir's mode passes through the umask; chmod makes it exactly 0700 whatever the umask.
    os.chmod(path, 0o700)
    return path


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'wms.db'}"


def resolve_database_url(url: str | None = None) -> str:
    """Explicit URL, else WMS_DATABASE_URL, else the SQLite file in the data directory."""
    url = url or os.environ.get("WMS_DATABASE_URL") or default_database_url()
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _precreate_private_file(path: str) -> None:
    """SQLite creates its file with the umask; create it 0600 first so stock data stays private."""
    if path in ("", ":memory:") or os.path.exists(path):
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def make_engine(url: str | None = None, *, synchronous: str = "FULL", **kwargs: Any) -> Engine:
    """Create an engine with the project's concurrency settings for its dialect."""
    url = resolve_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database or "", synchronous, **kwargs)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_engine(url: str, path: str, synchronous: str, **kwargs: Any) -> Engine:
    if synchronous.upper() not in ("FULL", "NORMAL", "EXTRA"):
        raise ValueError(f"synchronous must be FULL, NORMAL or EXTRA, not {synchronous!r}")
    _precreate_private_file(path)
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own BEGIN handling would defer the write lock; we issue BEGIN ourselves.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if path not in ("", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the lock up front so two posts never deadlock upgrading a read lock.
        readonly = conn.get_execution_options().get("wms_readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
