"""Shared fixtures: a migrated database on SQLite (a file, WAL) and on the real PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from tests.factories import Warehouse, build_warehouse
from wms_tui.db.engine import make_engine
from wms_tui.db.migrate import upgrade
from wms_tui.db.uow import SqlUnitOfWork

PG_ADMIN_URL = os.environ.get(
    "WMS_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


_created: list[str] = []


def _admin(sql: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(sql))
    finally:
        admin.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Each worker drops the databases it made (atexit does not run in xdist workers)."""
    for path in _migrated:
        shutil.rmtree(path.parent, ignore_errors=True)
    for name in _created:
        # Cleanup must not hide the test result.
        with contextlib.suppress(Exception):
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_database_url() -> str:
    """One database per test run and xdist worker, dropped at exit, so runs never collide."""
    name = f"wms_test_{os.getppid() if _worker() != 'main' else os.getpid()}_{_worker()}"
    if name not in _created:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(f'CREATE DATABASE "{name}"')
        _created.append(name)
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def fresh_pg_engine() -> Engine:
    engine = make_engine(pg_database_url())
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


_migrated: list[Path] = []


def _migrated_sqlite() -> Path:
    """One SQLite file migrated to head per test process, copied for each test."""
    if not _migrated:
        path = Path(tempfile.mkdtemp(prefix="wms-migrated-")) / "wms.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        _migrated.append(path)
    return _migrated[0]


def fresh_sqlite_engine(path: str, synchronous: str = "FULL") -> Engine:
    """A migrated database at path: a page copy of the process's migrated file."""
    source, copy = sqlite3.connect(_migrated_sqlite()), sqlite3.connect(path)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    return make_engine(f"sqlite:///{path}", synchronous=synchronous)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    else:
        eng = fresh_pg_engine()
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    yield eng
    eng.dispose()


@pytest.fixture
def uow(engine: Engine) -> Callable[[], SqlUnitOfWork]:
    return lambda: SqlUnitOfWork(engine)


@pytest.fixture
def wh(engine: Engine) -> Warehouse:
    return build_warehouse(engine)
