"""`wms doctor`'s verdicts: pure checks over facts the database layer gathered.

A failure means the stock or the schema cannot be trusted (exit 1); a warning means someone
should look (an old backup, a task or an RF session left hanging).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

BACKUP_MAX_AGE = timedelta(hours=24)
DEFAULT_STUCK_HOURS = 4
DEFAULT_STALE_HOURS = 12
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


def exit_code(findings: Iterable[Finding], *, strict: bool = False) -> int:
    """1 when a check failed (or, with strict, warned); else 0."""
    bad = {Level.FAIL, Level.WARN} if strict else {Level.FAIL}
    return 1 if any(f.level in bad for f in findings) else 0
