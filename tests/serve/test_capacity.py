"""`wms serve`'s default session limit: the available memory at 16 MB a session, bounded."""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pytest

from wms_tui.serve import capacity
from wms_tui.serve.capacity import (
    CEILING,
    FILES_PER_SESSION,
    FILES_RESERVED,
    FLOOR,
    SESSION_BYTES,
    UNKNOWN,
    OpenFiles,
    OpenFilesTooFew,
    available_memory,
    files_needed,
    fit_open_files,
    sessions_for,
    sessions_within,
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


class Limits:
    """RLIMIT_NOFILE as a fake: (soft, hard), and whether raising the soft one is allowed."""

    def __init__(self, soft: int, hard: int, can_raise: bool = True) -> None:
        self.soft, self.hard, self.can_raise = soft, hard, can_raise

    def get(self) -> tuple[int, int]:
        return self.soft, self.hard

    def set(self, soft: int, hard: int) -> None:
        if not self.can_raise or soft > self.hard:
            raise ValueError("not allowed")
        self.soft, self.hard = soft, hard


def fit(sessions: int, limits: Limits, *, asked: bool) -> OpenFiles:
    return fit_open_files(sessions, asked=asked, limits=limits.get, set_soft=limits.set)


def test_a_limit_with_room_is_left_alone() -> None:
    limits = Limits(files_needed(200), 4096)
    assert fit(200, limits, asked=True) == OpenFiles(200)
    assert limits.soft == files_needed(200)


def test_a_low_soft_limit_is_raised_to_what_the_sessions_need() -> None:
    limits = Limits(1024, 524288)
    found = fit(2000, limits, asked=False)
    assert found.sessions == 2000
    assert limits.soft == files_needed(2000) == FILES_RESERVED + FILES_PER_SESSION * 2000
    assert found.note == f"open-files limit raised from 1024 to {limits.soft} for 2000 sessions"


def test_past_the_hard_limit_a_default_is_lowered_to_what_fits() -> None:
    limits = Limits(1024, 4096)
    found = fit(2000, limits, asked=False)
    assert limits.soft == 4096
    assert found.sessions == sessions_within(4096) == (4096 - FILES_RESERVED) // 3
    assert files_needed(found.sessions) <= 4096 < files_needed(found.sessions + 1)
    assert found.note.startswith(f"at most {found.sessions} sessions instead of 2000: "
                                 "the open-files limit is 4096 (hard limit 4096)")


def test_past_the_hard_limit_an_asked_for_limit_is_refused() -> None:
    limits = Limits(1024, 4096)
    with pytest.raises(OpenFilesTooFew, match=(
            r"--max-sessions 5000 needs 15100 open files and the open-files limit is 4096 "
            r"\(hard limit 4096\): raise it \(ulimit -n, or LimitNOFILE= in the service "
            r"unit\) or serve at most 1332 sessions")):
        fit(5000, limits, asked=True)


def test_a_soft_limit_that_cannot_be_raised_counts_as_it_is() -> None:
    limits = Limits(1024, 8192, can_raise=False)
    found = fit(1000, limits, asked=False)
    assert found.sessions == sessions_within(1024)
    assert "the open-files limit is 1024 (hard limit 8192)" in found.note


def test_no_room_for_a_single_session_is_refused_even_by_default() -> None:
    with pytest.raises(OpenFilesTooFew):
        fit(20, Limits(64, 64), asked=False)


def test_an_unlimited_hard_limit_is_named_so() -> None:
    limits = Limits(16, resource.RLIM_INFINITY, can_raise=False)
    with pytest.raises(OpenFilesTooFew, match=r"hard limit unlimited"):
        fit(20, limits, asked=True)
