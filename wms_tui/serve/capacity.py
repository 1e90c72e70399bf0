"""How many RF sessions `wms serve` admits unless told: as many as the machine's available
memory holds at 16 MB each, the PSS bench/sessions.py measures per idle session."""

from __future__ import annotations

import os
from pathlib import Path

SESSION_BYTES = 16 * 1024 * 1024
# Below the floor a small box still serves a shift; past the ceiling other limits bite first.
FLOOR = 20
CEILING = 2000
# Where available memory cannot be read (not Linux, no /proc).
UNKNOWN = 200

MEMINFO = Path("/proc/meminfo")


def available_memory(meminfo: Path = MEMINFO) -> int | None:
    """Bytes the kernel can give new processes without swapping: MemAvailable, else the free
    physical pages; None where neither is known."""
    try:
        lines = meminfo.read_text().splitlines()
    except OSError:
        lines = []
    for line in lines:
        name, _, rest = line.partition(":")
        fields = rest.split()
        if name == "MemAvailable" and fields and fields[0].isdigit():
            # /proc/meminfo counts in kB whatever its unit column says.
            return int(fields[0]) * 1024
    try:
        pages, page_size = os.sysconf("SC_AVPHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return None
    return pages * page_size if pages > 0 and page_size > 0 else None


def sessions_for(available: int | None) -> int:
    """Sessions that fit in available bytes at SESSION_BYTES each, kept between FLOOR and
    CEILING; UNKNOWN when the memory is not known."""
    if available is None:
        return UNKNOWN
    return max(FLOOR, min(CEILING, available // SESSION_BYTES))


def default_max_sessions() -> tuple[int, str]:
    """The session limit sized from this machine's memory now, and how, for the start-up log."""
    available = available_memory()
    if available is None:
        return UNKNOWN, "available memory unknown"
    return sessions_for(available), (
        f"{available // 2**20} MiB available at {SESSION_BYTES // 2**20} MiB per session")
