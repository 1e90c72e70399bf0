"""`wms doctor`'s verdicts: pure checks over facts the database layer gathered.

A failure means the stock or the schema cannot be trusted, or the database cannot take a post
(exit 1); a warning means someone should look (an old backup, little disk space left, a task
or an RF session left hanging).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeAlias

from wms_tui.domain.errors import DatabaseUnreachable, StorageFault, TransientConflict

BACKUP_MAX_AGE = timedelta(hours=24)
DEFAULT_STUCK_HOURS = 4
DEFAULT_STALE_HOURS = 12
# Free space under the database or the data directory: below DISK_FAIL_BYTES a post, a
# checkpoint or a backup may fail any moment; below DISK_WARN_BYTES, or DISK_WARN_SHARE of the
# filesystem, it is time to make room before it comes to that.
DISK_FAIL_BYTES = 64 * 2**20
DISK_WARN_BYTES = 2**30
DISK_WARN_SHARE = 0.05
# More problems than this are summarised, so a broken database does not flood a terminal.
SHOWN_PROBLEMS = 20


class Level(enum.StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class Finding:
    check: str
    level: Level
    summary: str
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class BalanceFacts:
    """One balance with the sum of the reservation rows that point at it."""

    key: str
    quantity: int
    reserved: int
    reservation_rows: int


@dataclass(frozen=True)
class OpenWork:
    """A task in progress or a saved RF flow, with who holds it and since when."""

    reference: str
    user: str | None
    since: datetime


@dataclass(frozen=True)
class DiskSpace:
    """Free space (for an unprivileged user) on the filesystem that holds place."""

    place: str
    free: int
    total: int


# What the write probe met: nothing (the database takes writes), a storage fault, or a lock
# held long enough that the probe gave up.
WriteProbe: TypeAlias = StorageFault | TransientConflict | None


def verdict(check: str, problems: Sequence[str], ok: str, level: Level = Level.FAIL) -> Finding:
    if not problems:
        return Finding(check, Level.OK, ok)
    shown = tuple(problems[:SHOWN_PROBLEMS])
    if len(problems) > SHOWN_PROBLEMS:
        shown += (f"… and {len(problems) - SHOWN_PROBLEMS} more",)
    return Finding(check, level, f"{len(problems)} problem(s)", shown)


def migrations(current: str | None, head: str | None) -> Finding:
    if current == head:
        return Finding("migrations", Level.OK, f"at {current} (head)")
    return Finding("migrations", Level.FAIL, f"at {current or 'empty'}, this wms needs {head}",
                   ("run `wms db upgrade`",))


def stock_levels(balances: Iterable[BalanceFacts]) -> list[Finding]:
    """No negative stock, and reservations within stock and equal to their rows."""
    negative, reservations = [], []
    for b in balances:
        if b.quantity < 0:
            negative.append(f"balance {b.key} is {b.quantity}")
        # A negative balance is reported once, above, not again as over-reserved.
        if b.reserved < 0 or 0 <= b.quantity < b.reserved:
            reservations.append(f"balance {b.key} has {b.reserved} reserved of {b.quantity}")
        if b.reserved != b.reservation_rows:
            reservations.append(f"balance {b.key} says {b.reserved} reserved, its reservations"
                                f" add up to {b.reservation_rows}")
    return [verdict("negative stock", negative, "none"),
            verdict("reservations", reservations, "within stock and matching their rows")]


def backup_age(last: datetime | None, now: datetime,
               max_age: timedelta = BACKUP_MAX_AGE) -> Finding:
    if last is None:
        return Finding("backup", Level.WARN, "never backed up", ("run `wms db backup`",))
    age = now - last
    hours = age.total_seconds() / 3600
    text = f"last backup {last.isoformat(timespec='seconds')} ({hours:.1f} h ago)"
    return Finding("backup", Level.WARN if age > max_age else Level.OK, text)


def hanging(check: str, work: Iterable[OpenWork], now: datetime, hours: int) -> Finding:
    """Tasks or sessions untouched for longer than hours."""
    limit = now - timedelta(hours=hours)
    old = [f"{w.reference} ({w.user or 'nobody'}) since {w.since.isoformat(timespec='minutes')}"
           for w in work if w.since < limit]
    return verdict(check, old, f"none older than {hours} h", Level.WARN)


def reachable(probe: WriteProbe) -> bool:
    return not isinstance(probe, DatabaseUnreachable)


def storage(probe: WriteProbe) -> list[Finding]:
    """Whether the database answers and takes writes; out of reach, nothing else is known."""
    if isinstance(probe, DatabaseUnreachable):
        summary = f"unreachable ({probe.detail})" if probe.detail else "unreachable"
        return [Finding("database", Level.FAIL, summary,
                        ("is the database server running, and the URL right?",))]
    found = [Finding("database", Level.OK, "reachable")]
    if probe is None:
        found.append(Finding("writable", Level.OK, "yes"))
    elif isinstance(probe, TransientConflict):
        found.append(Finding("writable", Level.WARN, f"not checked: {probe}"))
    else:
        found.append(Finding("writable", Level.FAIL, str(probe),
                             ("every post on the RF terminals fails until this is mended",)))
    return found


def _size(count: int) -> str:
    return f"{count / 2**30:.1f} GiB" if count >= 2**30 else f"{count / 2**20:.0f} MiB"


def disk_space(places: Sequence[DiskSpace]) -> Finding:
    """FAIL below DISK_FAIL_BYTES free, WARN below DISK_WARN_BYTES or DISK_WARN_SHARE, per place."""
    level, lines = Level.OK, []
    for p in places:
        share = p.free / p.total if p.total else 0.0
        if p.free < DISK_FAIL_BYTES:
            level = Level.FAIL
        elif (p.free < DISK_WARN_BYTES or share < DISK_WARN_SHARE) and level is Level.OK:
            level = Level.WARN
        lines.append(f"{_size(p.free)} free ({share:.0%}) under {p.place}")
    if not lines:
        return Finding("disk space", Level.WARN, "not checked: no place to look at")
    if level is Level.OK:
        return Finding("disk space", Level.OK, "; ".join(lines))
    return Finding("disk space", level, "; ".join(lines),
                   ("make room: old backups, logs; a full disk stops every post",))


def exit_code(findings: Iterable[Finding], *, strict: bool = False) -> int:
    """1 when a check failed (or, with strict, warned); else 0."""
    bad = {Level.FAIL, Level.WARN} if strict else {Level.FAIL}
    return 1 if any(f.level in bad for f in findings) else 0
