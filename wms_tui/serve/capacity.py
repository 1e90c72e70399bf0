"""How many RF sessions `wms serve` admits unless told: as many as the machine's available
memory holds at 16 MB each, the PSS bench/sessions.py measures per idle session, and never more
than the open-files limit has descriptors for."""

from __future__ import annotations

import os
import resource
from collections.abc import Callable
from dataclasses import dataclass
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


# Descriptors the server holds per session, measured (bench/sessions.py): its SSH or telnet
# socket and the pty master, plus the pty slave or a spawn's pipe while a session starts.
FILES_PER_SESSION = 3
# The server's own (listeners, database, logs, the zygote's socket: 14 measured) and
# connections still authenticating or being refused.
FILES_RESERVED = 100


@dataclass(frozen=True)
class OpenFiles:
    """The session limit the open-files limit allows; `note` says what was done, if anything."""

    sessions: int
    note: str = ""


class OpenFilesTooFew(Exception):
    """The session limit asked for cannot be served within the open-files hard limit."""


def files_needed(sessions: int) -> int:
    return FILES_RESERVED + FILES_PER_SESSION * sessions


def sessions_within(files: int) -> int:
    return max(0, (files - FILES_RESERVED) // FILES_PER_SESSION)


def fit_open_files(sessions: int, *, asked: bool,
                   limits: Callable[[], tuple[int, int]] | None = None,
                   set_soft: Callable[[int, int], None] | None = None) -> OpenFiles:
    """Make room for `sessions` in the open-files limit (RLIMIT_NOFILE): the soft limit is
    raised as far as the hard one allows; past that a default limit is lowered to what fits,
    and a limit the operator asked for (`asked`) is refused with OpenFilesTooFew, as running
    out of descriptors would refuse terminals at random instead."""
    limits = limits or (lambda: resource.getrlimit(resource.RLIMIT_NOFILE))
    set_soft = set_soft or (lambda soft, hard: resource.setrlimit(resource.RLIMIT_NOFILE,
                                                                   (soft, hard)))
    soft, hard = limits()
    needed = files_needed(sessions)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return OpenFiles(sessions)
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    raised = soft
    if target > soft:
        try:
            set_soft(target, hard)
            raised = target
        except (ValueError, OSError):
            raised = soft
    if raised >= needed:
        return OpenFiles(sessions, f"open-files limit raised from {soft} to {raised} for "
                                   f"{sessions} sessions")
    fits = sessions_within(raised)
    limit = f"the open-files limit is {raised} (hard limit {_shown(hard)})"
    if asked or fits < 1:
        raise OpenFilesTooFew(
            f"--max-sessions {sessions} needs {needed} open files and {limit}: raise it "
            f"(ulimit -n, or LimitNOFILE= in the service unit) or serve at most {fits} sessions")
    return OpenFiles(fits, f"at most {fits} sessions instead of {sessions}: {limit}, "
                           f"{FILES_PER_SESSION} per session")


def _shown(limit: int) -> str:
    return "unlimited" if limit == resource.RLIM_INFINITY else str(limit)
