"""A warehouse with stock for every RF app test, on a fresh migrated SQLite file."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.tui.helpers import Site


@pytest.fixture
def site(sqlite_engine: Engine) -> Site:
    return Site.build(sqlite_engine)
