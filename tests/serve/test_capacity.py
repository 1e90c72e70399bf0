"""`wms serve`'s default session limit: the available memory at 16 MB a session, bounded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wms_tui.serve import capacity
from wms_tui.serve.capacity import (
    CEILING,
    FLOOR,
    SESSION_BYTES,
    UNKNOWN,
    available_memory,
    sessions_for,
)

MIB = 2**20
MEMINFO = """MemTotal:       24730916 kB
MemFree:        20900000 kB
MemAvailable:    8388608 kB
Buffers:           10000 kB
"""


def test_sixteen_megabytes_a_session() -> None:
    assert SESSION_BYTES == 16 * MIB
    assert sessions_for(8 * 1024 * MIB) == 512
    assert sessions_for(8 * 1024 * MIB + SESSION_BYTES - 1) == 512


def test_a_small_machine_still_gets_the_floor_and_a_big_one_the_ceiling() -> None:
    assert sessions_for(64 * MIB) == FLOOR
    assert sessions_for(0) == FLOOR
    assert sessions_for(1024 * 1024 * MIB) == CEILING
    assert FLOOR < UNKNOWN < CEILING


def test_unknown_memory_gets_the_old_default() -> None:
    assert sessions_for(None) == UNKNOWN == 200


def test_reads_mem_available_in_kilobytes(tmp_path: Path) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text(MEMINFO)
    assert available_memory(meminfo) == 8388608 * 1024
    assert sessions_for(available_memory(meminfo)) == 512


def test_without_proc_it_falls_back_to_free_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pages = {"SC_AVPHYS_PAGES": 262144, "SC_PAGE_SIZE": 4096}
    monkeypatch.setattr(os, "sysconf", pages.__getitem__)
    assert available_memory(tmp_path / "missing") == 1024 * MIB


def test_a_meminfo_without_the_line_falls_back_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       24730916 kB\nMemAvailable: lots\n")
    monkeypatch.setattr(os, "sysconf", {"SC_AVPHYS_PAGES": 1, "SC_PAGE_SIZE": 4096}.__getitem__)
    assert available_memory(meminfo) == 4096


def test_nothing_known_is_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unsupported(name: str) -> int:
        raise ValueError(f"unrecognized configuration name {name}")

    monkeypatch.setattr(os, "sysconf", unsupported)
    assert available_memory(tmp_path / "missing") is None


@pytest.mark.parametrize(("available", "limit", "said"), [
    (8 * 1024 * MIB, 512, "8192 MiB available at 16 MiB per session"),
    (None, 200, "available memory unknown"),
])
def test_the_default_says_how_it_was_sized(
    monkeypatch: pytest.MonkeyPatch, available: int | None, limit: int, said: str
) -> None:
    monkeypatch.setattr(capacity, "available_memory", lambda: available)
    assert capacity.default_max_sessions() == (limit, said)
