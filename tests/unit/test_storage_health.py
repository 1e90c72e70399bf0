"""The doctor's storage verdicts over plain facts: reachable, writable, disk space."""

from __future__ import annotations

import pytest

from wms_tui.domain.errors import DatabaseReadOnly, DatabaseUnreachable, DiskFull, TransientConflict
from wms_tui.domain.health import (
    DISK_FAIL_BYTES,
    DISK_WARN_BYTES,
    DiskSpace,
    Level,
    WriteProbe,
    disk_space,
    reachable,
    storage,
)

GIB = 2**30


def levels(probe: WriteProbe) -> dict[str, Level]:
    return {f.check: f.level for f in storage(probe)}


def test_a_database_that_takes_writes_is_ok() -> None:
    assert levels(None) == {"database": Level.OK, "writable": Level.OK}
    assert reachable(None)


@pytest.mark.parametrize("fault", [DatabaseReadOnly("attempt to write a readonly database"),
                                   DiskFull("database or disk is full")])
def test_a_database_that_refuses_writes_fails_writable_by_name(
    fault: DatabaseReadOnly | DiskFull,
) -> None:
    database, writable = storage(fault)
    assert database.level is Level.OK and writable.level is Level.FAIL
    assert writable.summary == str(fault)
    assert reachable(fault)


def test_an_unreachable_database_is_one_failure_and_nothing_else() -> None:
    probe = DatabaseUnreachable("connection failed: Connection refused")
    [database] = storage(probe)
    assert database.level is Level.FAIL
    assert database.summary == "unreachable (connection failed: Connection refused)"
    assert not reachable(probe)


def test_a_lock_held_through_the_probe_only_warns() -> None:
    assert levels(TransientConflict("database is locked"))["writable"] is Level.WARN


@pytest.mark.parametrize(("free", "total", "level"), [
    (DISK_FAIL_BYTES - 1, 100 * GIB, Level.FAIL),
    (DISK_FAIL_BYTES, 100 * GIB, Level.WARN),
    (DISK_WARN_BYTES - 1, 100 * GIB, Level.WARN),
    (DISK_WARN_BYTES, 10 * GIB, Level.OK),
    (49 * GIB, 1000 * GIB, Level.WARN),
    (50 * GIB, 1000 * GIB, Level.OK),
])
def test_disk_space_thresholds(free: int, total: int, level: Level) -> None:
    assert disk_space([DiskSpace("/var/lib/wms", free, total)]).level is level


def test_the_worst_place_decides_and_every_place_is_named() -> None:
    found = disk_space([DiskSpace("/db", 40 * GIB, 100 * GIB),
                        DiskSpace("/data", 10 * 2**20, 100 * GIB)])
    assert found.level is Level.FAIL
    assert found.summary == "40.0 GiB free (40%) under /db; 10 MiB free (0%) under /data"
