"""What comes before device authentication is counted in memory and summed up, not logged
row by row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from wms_tui.serve.audit import OTHER_ADDRESSES, SUMMARY, ConnectTally, DoorCounts


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 8, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_one_summary_row_per_address_and_door_then_counting_starts_anew() -> None:
    clock = Clock()
    tally = ConnectTally(clock=clock)
    for _ in range(500):
        tally.count("ssh", "10.0.0.9", "connects")
    tally.count("ssh", "10.0.0.9", "wrong_passwords")
    tally.count("telnet", "10.0.0.9", "refused")
    tally.count("ssh", "10.0.0.5", "unknown_keys")
    assert tally.counts("ssh", "10.0.0.9") == DoorCounts(connects=500, wrong_passwords=1)
    clock.now += timedelta(minutes=1)
    rows = tally.drain()
    assert [(r.event, r.peer, r.detail) for r in rows] == [
        (SUMMARY, "10.0.0.5", "ssh: 1 unknown device key since 08:15:00 UTC"),
        (SUMMARY, "10.0.0.9", "ssh: 500 connects without device auth, 1 wrong device password "
                              "since 08:15:00 UTC"),
        (SUMMARY, "10.0.0.9", "telnet: 1 refused while locked out since 08:15:00 UTC"),
    ]
    assert not tally and tally.drain() == []
    tally.count("ssh", "10.0.0.9", "connects")
    assert tally.drain()[0].detail.endswith("since 08:16:00 UTC")


def test_addresses_beyond_the_limit_are_counted_together() -> None:
    tally = ConnectTally(max_addresses=3)
    for n in range(100):
        tally.count("ssh", f"10.0.{n}.1", "connects")
    rows = tally.drain()
    assert len(rows) == 4
    assert tally.counts("ssh", OTHER_ADDRESSES) == DoorCounts()
    [other] = [r for r in rows if r.peer == OTHER_ADDRESSES]
    assert other.detail.startswith("ssh: 97 connects without device auth")


def test_only_known_counts() -> None:
    with pytest.raises(ValueError, match="unknown count"):
        ConnectTally().count("ssh", "10.0.0.1", "logins")
