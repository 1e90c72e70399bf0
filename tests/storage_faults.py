"""Storage faults made on demand, on any machine, as root or not, with no mounts.

A full disk is SQLite's own page limit (`PRAGMA max_page_count`) pinned at the file's size, a
read-only database is `PRAGMA query_only` (SQLite) or `default_transaction_read_only`
(PostgreSQL), and an unreachable server is a port nothing listens on.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

# Each movement written while the disk is "full" brings this much ballast along, so the post
# needs pages the pinned file cannot grow.
BALLAST_BYTES = 1 << 20


def closed_port_url() -> str:
    """A PostgreSQL URL on a local port nothing listens on: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/test"


@contextmanager
def on_every_connection(engine: Engine, *statements: str) -> Iterator[None]:
    """Run statements on each connection the engine opens while inside (pooled ones dropped)."""

    def run(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        for statement in statements:
            cursor.execute(statement)
        cursor.close()
        if engine.dialect.name != "sqlite":
            # psycopg opened a transaction for the SET; the session setting outlives it.
            dbapi_conn.commit()

    engine.dispose()
    event.listen(engine, "connect", run)
    try:
        yield
    finally:
        event.remove(engine, "connect", run)
        engine.dispose()


@contextmanager
def disk_full(engine: Engine) -> Iterator[None]:
    """A SQLite database that cannot grow, and every movement posted needs it to: the post
    fails with SQLITE_FULL, "database or disk is full", as on a full disk."""
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE ballast (b BLOB)")
        conn.exec_driver_sql(
            "CREATE TRIGGER ballast_per_movement AFTER INSERT ON movement BEGIN "
            f"INSERT INTO ballast VALUES (zeroblob({BALLAST_BYTES})); END")

    def pin(dbapi_conn: Any, _record: Any) -> None:
        size = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {size}")

    engine.dispose()
    event.listen(engine, "connect", pin)
    try:
        yield
    finally:
        event.remove(engine, "connect", pin)
        engine.dispose()
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TRIGGER ballast_per_movement")
            conn.exec_driver_sql("DROP TABLE ballast")


@contextmanager
def read_only(engine: Engine) -> Iterator[None]:
    """Every connection refuses writes, as a read-only file or a standby server does."""
    statement = ("PRAGMA query_only = 1" if engine.dialect.name == "sqlite"
                 else "SET default_transaction_read_only = on")
    with on_every_connection(engine, statement):
        yield
