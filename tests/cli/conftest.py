"""Run `wms` in-process with CliRunner, each test on its own database."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
from sqlalchemy import Engine, create_engine, text
from typer.testing import CliRunner, Result

from cli import app
from tests.conftest import pg_database_url
from wms_tui.db.engine import make_engine


class Wms(Protocol):
    """`wms` with its arguments, and what a person would type at its prompts."""

    def __call__(self, *args: str, input: str | None = None) -> Result: ...


MakeWms = Callable[[str], Wms]


class Sql(Protocol):
    """A query on an engine; its cells are whatever the driver returns, so they are Any."""

    def __call__(self, engine: Engine, query: str, **params: object) -> list[tuple[Any, ...]]: ...


def make_runner(url: str, data_dir: Path) -> Wms:
    """A `wms` that talks to url; WMS_DATA_DIR keeps the real user data dir out of tests."""
    runner = CliRunner()
    env = {"WMS_DATABASE_URL": url, "WMS_DATA_DIR": str(data_dir)}

    def wms(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)

    return wms


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'db' / 'wms.db'}"


def empty_pg_url() -> str:
    """This worker's PostgreSQL database with an empty schema, as `wms init` first meets it."""
    url = pg_database_url()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return url


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return sqlite_url(tmp_path)


@pytest.fixture
def make_wms(tmp_path: Path) -> MakeWms:
    """A `wms` for any database URL, such as the PostgreSQL one."""
    return lambda url: make_runner(url, tmp_path / "data")


@pytest.fixture
def wms(make_wms: MakeWms, db_url: str) -> Wms:
    return make_wms(db_url)


@pytest.fixture(scope="session")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database through `wms init` per test process; tests get copies (migrations are slow)."""
    folder = tmp_path_factory.mktemp("initialised")
    result = make_runner(sqlite_url(folder), folder / "data")("init")
    assert result.exit_code == 0, result.output
    return folder / "db" / "wms.db"


@pytest.fixture
def ready(wms: Wms, db_url: str, initialised: Path) -> Wms:
    """A `wms` whose database has been through `wms init` (a copy of the session's one)."""
    target = Path(db_url.removeprefix("sqlite:///"))
    target.parent.mkdir(mode=0o700, exist_ok=True)
    with sqlite3.connect(initialised) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    target.chmod(0o600)
    return wms


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    """An engine on the test's SQLite database, to look at what the commands wrote."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_url() -> str:
    return empty_pg_url()


@pytest.fixture
def sql() -> Sql:
    """Run a query on an engine and return plain tuples."""

    def run(engine: Engine, query: str, **params: object) -> list[tuple[Any, ...]]:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(query), params)]

    return run
