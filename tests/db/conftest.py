"""Fixtures shared by the database race tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from wms_tui.db.engine import make_engine


@pytest.fixture
def own_engines(engine: Engine) -> Iterator[list[Engine]]:
    """One engine (so one connection pool) per operator, as two terminal servers would have."""
    url = engine.url.render_as_string(hide_password=False)
    engines = [make_engine(url), make_engine(url)]
    yield engines
    for eng in engines:
        eng.dispose()
