"""Fixtures shared by the database race and lock tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import pg_database_url
from wms_tui.db.connection_slots import create_slot_file
from wms_tui.db.engine import make_engine


@pytest.fixture
def own_engines(engine: Engine) -> Iterator[list[Engine]]:
    """One engine (so one connection pool) per operator, as two terminal servers would have."""
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url), make_engine(url)]
    yield engines
    for eng in engines:
        eng.dispose()


@pytest.fixture
def slot_file(tmp_path: Path) -> Path:
    """A fresh PostgreSQL connection-slot file, as `wms serve` makes at start."""
    return create_slot_file(tmp_path)


@pytest.fixture
def url() -> str:
    """This worker's own PostgreSQL database."""
    return pg_database_url()
