"""Fixtures for RF app tests: a warehouse with stock on a fresh SQLite file, the practice one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.tui.demo_helpers import seed_file
from tests.tui.helpers import Site
from wms_tui.db.engine import make_engine


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--screens-update", action="store_true", default=False,
                     help="rewrite tests/tui/__screens__ from the screens the flows show now")


@pytest.fixture
def site(sqlite_engine: Engine) -> Site:
    return Site.build(sqlite_engine)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The practice warehouse, seeded once per module; each test works on its own copy."""
    return seed_file(tmp_path_factory.mktemp("demo") / "demo.db")


@pytest.fixture
def demo_engine(template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "demo.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()
