"""`wms serve`'s start-up line names its session limit and how it was chosen."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ServeFactory, Site
from wms_tui.serve.capacity import CEILING, FLOOR

pytestmark = pytest.mark.slow

SIZED = re.compile(r"at most (\d+) \((\d+) MiB available at 16 MiB per session\)")


def test_without_max_sessions_the_limit_is_sized_from_memory(
    site: Site, serve: ServeFactory
) -> None:
    found = SIZED.search(serve(site, "--ssh-auth", "none").text())
    assert found is not None
    limit, available = int(found[1]), int(found[2])
    assert limit == max(FLOOR, min(CEILING, available // 16))


def test_max_sessions_is_taken_as_given(site: Site, serve: ServeFactory) -> None:
    text = serve(site, "--ssh-auth", "none", "--max-sessions", "7").text()
    assert "at most 7 (--max-sessions)" in text
