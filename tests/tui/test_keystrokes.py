"""The operator guide's table of scans and keys per unit of work is what the flows take today."""

from __future__ import annotations

import re
from pathlib import Path

from tests.keystrokes import measure

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operator-guide.md"
ROW = re.compile(r"^\| (?P<name>[^|]+?) \| (?P<figures>\d+(?: \| \d+){5}) \|$")


def guide_table() -> dict[str, tuple[int, int, int]]:
    """The 'after' columns (scans, keys, screens) of the guide's keystroke table."""
    section = GUIDE.read_text(encoding="utf-8").split("## Scans and keys per unit of work")[1]
    rows = {}
    for line in section.splitlines():
        if match := ROW.match(line):
            figures = [int(n) for n in match["figures"].split(" | ")]
            rows[match["name"]] = (figures[3], figures[4], figures[5])
    return rows


def test_the_guide_gives_the_scans_and_keys_the_flows_take() -> None:
    measured = measure()
    assert measured == guide_table()
    # The rules of fewer keys show: a count of one item is 2 scans, its quantity and Enter.
    assert measured["count (one item)"] == (2, len("24") + 2, 4)
