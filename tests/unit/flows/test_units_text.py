"""A quantity asked in one unit is shown in that unit with the base units beside it."""

from __future__ import annotations

import pytest

from wms_tui.domain.flows.base import units_text


@pytest.mark.parametrize(("base", "uom", "factor", "expected"), [
    (24, "CS", 12, "2 CS (24 EA)"),
    (30, "CS", 12, "2 CS+6 (30 EA)"),
    (6, "CS", 12, "6 EA"),
    (24, "EA", 1, "24 EA"),
])
def test_units_text(base: int, uom: str, factor: int, expected: str) -> None:
    assert units_text(base, uom, factor, "EA") == expected
