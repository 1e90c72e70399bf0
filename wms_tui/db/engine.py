"""Engine set-up: SQLite pragmas and BEGIN IMMEDIATE, PostgreSQL via psycopg 3."""

from __future__ import annotations

import os
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_dir
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

from wms_tui.db.driver_sql import run_driver_sql
from wms_tui.db.write_lock import QueuedConnection, write_lock_for

if TYPE_CHECKING:
    from wms_tui.db.connection_slots import ConnectionSlots

APP_NAME = "wms-tui"
BUSY_TIMEOUT_MS = 10_000
READONLY = {"wms_readonly": True}
# A pooled PostgreSQL connection idle longer than this is pinged before it is lent.
PING_AFTER_IDLE_SECONDS = 1.0
# A transaction whose commit need not wait for the disk (PostgreSQL); see relaxed_engine.
RELAXED_COMMIT = {"wms_relaxed_commit": True}


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


def make_engine(url: str | None = None, *, synchronous: str = "FULL",
                slots: ConnectionSlots | None = None, **kwargs: Any) -> Engine:
    """Create an engine with the project's concurrency settings for its dialect; on PostgreSQL,
    slots (shared by the processes of one `wms serve`) bound the connections open at once."""
    url = resolve_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database or "", synchronous, **kwargs)
    engine = create_engine(url, **kwargs)
    if slots is not None:
        _connect_in_slots(engine, slots)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("wms_relaxed_commit", False):
            conn.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")

    return engine


def _connect_in_slots(engine: Engine, slots: ConnectionSlots) -> None:
    """Each DBAPI connection holds a slot from before it connects until it is closed.

    The pool closes a connection on check-in under NullPool, when it is invalidated (a
    disconnect) or recycled ("close"), or after it was detached ("close_detached"). A
    connection the pool drops without either event (its connect-time set-up failed) gives its
    slot back when it is garbage collected.
    """
    held: weakref.WeakKeyDictionary[Any, weakref.finalize[Any, Any]] = \
        weakref.WeakKeyDictionary()

    @event.listens_for(engine, "do_connect")
    def _take_slot(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        slot = slots.acquire()
        try:
            dbapi_conn = dialect.connect(*cargs, **cparams)
        except BaseException:
            if slot is not None:
                slot.release()
            raise
        if slot is not None:
            held[dbapi_conn] = weakref.finalize(dbapi_conn, slot.release)
        return dbapi_conn

    def _give_back(dbapi_conn: Any) -> None:
        release = held.pop(dbapi_conn, None)
        if release is None:
            return
        try:
            # Closed before the slot is free, so the next holder's connection never overlaps
            # it; the pool's own close after this event does nothing more.
            dbapi_conn.close()
        finally:
            release()

    @event.listens_for(engine, "close")
    def _slot_back_on_close(dbapi_conn: Any, _record: Any) -> None:
        _give_back(dbapi_conn)

    @event.listens_for(engine, "close_detached")
    def _slot_back_on_close_detached(dbapi_conn: Any) -> None:
        _give_back(dbapi_conn)


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection before lending it only when it sat idle for a while.

    A ping per transaction was a round trip per post. A connection given back moments ago
    was alive then; one that died since fails its first statement, which SQLAlchemy names
    a disconnect and answers by dropping the whole pool, so the next transaction reconnects.
    """

    @event.listens_for(engine, "checkin")
    def _given_back(_dbapi_conn: Any, record: Any) -> None:
        record.info["wms_given_back"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _lent(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        given_back = record.info.get("wms_given_back")
        if given_back is None or time.monotonic() - given_back < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            if engine.dialect.is_disconnect(exc, dbapi_conn, None):  # type: ignore[arg-type]
                # The pool drops this connection and lends a new one instead.
                raise DisconnectionError(str(exc).strip()) from exc
            raise


def relaxed_engine(engine: Engine) -> Engine:
    """An engine on the same database whose commits do not wait for the disk, for writes that
    only cost a little if a power cut loses them (the RF resume point, rewritten every step).

    SQLite: a second engine on the file with synchronous=NORMAL, atomic in WAL mode and safe
    from a killed process; the next durable commit of anyone syncs its pages too. PostgreSQL:
    synchronous_commit off for those transactions. An in-memory database: the engine itself.
    Dispose of it with the engine (it holds its own SQLite connections).
    """
    if is_sqlite(engine):
        if engine.url.database in (None, "", ":memory:"):
            return engine
        return make_engine(engine.url.render_as_string(hide_password=False),
                           synchronous="NORMAL")
    return engine.execution_options(**RELAXED_COMMIT)


def _sqlite_engine(url: str, path: str, synchronous: str, **kwargs: Any) -> Engine:
    if synchronous.upper() not in ("FULL", "NORMAL", "EXTRA"):
        raise ValueError(f"synchronous must be FULL, NORMAL or EXTRA, not {synchronous!r}")
    _precreate_private_file(path)
    on_file = path not in ("", ":memory:")
    connect_args = kwargs.pop("connect_args", {})
    connect_args.setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
    connect_args.setdefault("check_same_thread", False)
    if on_file:
        connect_args.setdefault("factory", QueuedConnection)
    engine = create_engine(url, connect_args=connect_args, **kwargs)
    write_lock = write_lock_for(path, BUSY_TIMEOUT_MS / 1000) if on_file else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # pysqlite's own BEGIN handling would defer the write lock; we issue BEGIN ourselves.
        dbapi_conn.isolation_level = None
        if isinstance(dbapi_conn, QueuedConnection):
            dbapi_conn.write_lock = write_lock
        cur = dbapi_conn.cursor()
        if on_file:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the lock up front so two posts never deadlock upgrading a read lock.
        # Straight on the driver: SQLAlchemy's statement path cost more than the BEGIN itself.
        if conn.get_execution_options().get("wms_readonly", False):
            run_driver_sql(conn, "BEGIN")
            return
        dbapi_conn = conn.connection.driver_connection
        queued = isinstance(dbapi_conn, QueuedConnection)
        if queued:
            # Wait in the fair queue (wms_tui/db/write_lock.py), not in SQLite's sleeps.
            dbapi_conn.take_write_lock()
        try:
            run_driver_sql(conn, "BEGIN IMMEDIATE")
        except BaseException:
            if queued:
                dbapi_conn.drop_write_lock()
            raise

    return engine


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
