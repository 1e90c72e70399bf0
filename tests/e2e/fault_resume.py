"""Break the link or the server right after the scan that posts, then resume: was anything
lost, posted twice, or posted without the resumed screen saying so? (issue 18 item 1)

One round, over real SSH against `wms serve`: OP1 keys a Move of 1 EA from A-01-01-1 up to the
To step, sends the To scan and, shortly after it (random), one fault strikes, so the post lands
before, during or after it:

- `drop`: the TCP link ends under the terminal (no SSH goodbye), 0-60 ms after the scan;
- `kill-session`: SIGKILL of the session's own process (the pid the server logged for it);
- `kill-server`: SIGKILL of `wms serve` with its zygote and every session, as a crash would,
  then the server starts again on the same database and data directory.

A dropped session goes on to finish its post, so a drop's timing hardly matters; a kill's does,
so a kill strikes 0 to twice the recent median scan-to-ledger time after the scan (at least
0-60 ms): on a busy machine a fixed 0-60 ms window lands every kill before the commit.

Once the session is over (and on PostgreSQL no backend is left mid-transaction), a new
connection logs in and resumes. A post that committed must be named on the message line
("Last: Moved 1 EA"); one that did not leaves the operator at the To step, who scans it again.
Either way the round ends with exactly one move in the ledger, under its own confirmation key.

Shared by tests/e2e/test_serve_fault_resume.py and bench/fault_resume.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import signal
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, get_args

from sqlalchemy import Engine, select, text
from sqlmodel import Session, col

from tests.e2e.clients import WAIT, SshTerminal
from tests.e2e.conftest import Server
from wms_tui.db.tables import Movement

Fault = Literal["drop", "kill-session", "kill-server"]
FAULTS: tuple[Fault, ...] = get_args(Fault)

EA_GTIN = "09501101530003"
FROM, TO = "A-01-01-1", "A-01-02-1"
# What the resumed screen says of a move of 1 EA that committed (the To location follows when
# the saved state knows it).
NAMED = "Last: Moved 1 EA"
# The longest gap between the To scan and a drop, in seconds; a kill's gap is at most twice
# the median time from a To scan to its move in the ledger (so kills land before and after the
# commit however busy the machine is), and never less than this.
MAX_DELAY = 0.060
# Recent rounds whose scan-to-ledger times set the kills' window.
LATENCY_ROUNDS = 9
# How long the resumed screen has to name a post that committed, or to (wrongly) name one
# that did not.
RESUME_WAIT = 5.0
QUIET = 0.3
# How long after the menu the resume offer may take to open.
OFFER_WAIT = 1.0
ENDED = re.compile(r"session \d+ .* ended after ")
STARTED = re.compile(r"session (\d+) .* started: pid (\d+)")


@dataclass(frozen=True)
class Round:
    fault: Fault
    delay: float
    # The To scan's move committed before the resume.
    committed: bool
    # The next log-in offered to resume the Move.
    offered: bool
    # The resumed screen's message line named the move.
    named: bool
    # The message line after resuming, for a failure's report.
    said: str
    # Moves the round added to the ledger, and how many distinct confirmation keys they carry.
    moves: int
    keys: int
    # Seconds from the To scan that posted (the interrupted one or the one after resuming)
    # to its move's time in the ledger.
    latency: float | None = None


@dataclass
class FaultReport:
    rounds: list[Round] = field(default_factory=list)
    # Moves in the ledger over the run, and how many distinct confirmation keys they carry.
    moves: int = 0
    keys: int = 0
    seconds: float = 0.0

    @property
    def committed(self) -> int:
        return sum(r.committed for r in self.rounds)

    @property
    def named(self) -> int:
        """Rounds whose committed post the resumed screen named."""
        return sum(r.committed and r.named for r in self.rounds)

    @property
    def unnamed(self) -> list[Round]:
        """Committed but not named: an operator would key the move again."""
        return [r for r in self.rounds if r.committed and not r.named]

    @property
    def false_claims(self) -> list[Round]:
        """Named though nothing committed."""
        return [r for r in self.rounds if r.named and not r.committed]

    @property
    def lost(self) -> int:
        """Rounds that left no move in the ledger."""
        return sum(r.moves == 0 for r in self.rounds)

    @property
    def duplicated(self) -> int:
        """Moves beyond one per round (whatever their keys), and beyond one per confirmation
        key over the whole run."""
        return max(sum(r.moves - 1 for r in self.rounds if r.moves > 1),
                   self.moves - self.keys)

    def of(self, fault: Fault) -> FaultReport:
        """The rounds of one fault kind."""
        rounds = [r for r in self.rounds if r.fault == fault]
        return FaultReport(rounds, sum(r.moves for r in rounds), sum(r.keys for r in rounds))

    def counts(self) -> dict[str, int]:
        latencies = [r.latency for r in self.rounds if r.latency is not None]
        return {"rounds": len(self.rounds), "committed": self.committed, "named": self.named,
                "lost": self.lost, "duplicated": self.duplicated,
                "unnamed": len(self.unnamed), "false_claims": len(self.false_claims),
                "max_delay_ms": round(max((r.delay for r in self.rounds), default=0) * 1000),
                "median_latency_ms": round(statistics.median(latencies) * 1000)
                if latencies else 0}

    def table(self) -> str:
        columns = ("rounds", "committed", "named", "lost", "duplicated", "false_claims",
                   "max_delay_ms", "median_latency_ms")
        lines = [f"{'fault':<14}" + "".join(f"{name:>{len(name) + 2}}" for name in columns)]
        kinds = [(fault, self.of(fault)) for fault in FAULTS]
        for name, part in [*((f, p) for f, p in kinds if p.rounds), ("all", self)]:
            counts = part.counts()
            lines.append(f"{name:<14}" + "".join(f"{counts[c]:>{len(c) + 2}}"
                                                 for c in columns))
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        faults = {fault: self.of(fault).counts() for fault in FAULTS
                  if any(r.fault == fault for r in self.rounds)}
        return {**self.counts(), "moves": self.moves, "seconds": round(self.seconds, 1),
                "faults": faults}


def move_keys(engine: Engine) -> list[str | None]:
    """The confirmation key of every move in the ledger."""
    return [key for key, _ in moves(engine)]


def moves(engine: Engine) -> list[tuple[str | None, datetime]]:
    """The confirmation key and time of every move in the ledger."""
    with Session(engine) as session:
        rows = session.execute(
            select(col(Movement.confirmation), col(Movement.created_at))
            .where(col(Movement.kind) == "move").order_by(col(Movement.id))).all()
    # SQLite gives the UTC time back without its zone.
    return [(key, at if at.tzinfo else at.replace(tzinfo=UTC)) for key, at in rows]


def kill_window(rounds: Sequence[Round]) -> float:
    """How long after the To scan a kill may strike: up to twice the recent median time from
    scan to ledger, so about half the kills land after the commit."""
    recent = [r.latency for r in rounds if r.latency is not None][-LATENCY_ROUNDS:]
    return max(MAX_DELAY, 2 * statistics.median(recent)) if recent else MAX_DELAY


async def wait_ended(log: Callable[[], str], sessions: int, timeout: float = WAIT) -> None:
    """Until the server has logged the end of that many sessions (its posts are then done)."""
    end = time.monotonic() + timeout
    while len(ENDED.findall(log())) < sessions:
        if time.monotonic() > end:
            raise AssertionError(f"session {sessions} never ended:\n{log()[-2000:]}")
        await asyncio.sleep(0.01)


async def settled(engine: Engine, timeout: float = WAIT) -> None:
    """Until no other PostgreSQL backend on the database is inside a statement or transaction.

    A killed client's COMMIT may still be running in its backend, so the ledger is read only
    once the backend has committed or rolled back; SQLite has no such server side.
    """
    if engine.dialect.name != "postgresql":
        return
    busy = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
                "AND coalesce(state, '') <> 'idle'")
    end = time.monotonic() + timeout
    while True:
        with engine.connect() as conn:
            if not conn.execute(busy).scalar_one():
                return
        if time.monotonic() > end:
            raise AssertionError("a PostgreSQL backend stayed busy after the fault")
        await asyncio.sleep(0.01)


def _stat(pid: int) -> tuple[str, int] | None:
    """A process's state letter and parent pid from /proc, or None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name in parentheses may hold spaces and ')': the fields follow the last ')'.
    state, ppid = stat[stat.rindex(")") + 2:].split()[:2]
    return state, int(ppid)


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def process_tree(pid: int) -> list[int]:
    """pid and its descendants, parents first, from /proc (the zygote and its sessions are
    children of `wms serve` but in their own process groups, so a group kill misses them)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[1], []).append(int(entry.name))
    tree = [pid]
    for parent in tree:
        tree.extend(children.get(parent, ()))
    return tree


def session_pid(server: Server) -> int:
    """The pid of the server's newest session, as its log names it, checked against /proc."""
    started = STARTED.findall(server.text())
    assert started, f"no session started:\n{server.text()[-2000:]}"
    pid = int(started[-1][1])
    assert pid in process_tree(server.proc.pid)[1:], f"session pid {pid} is not the server's"
    return pid


async def wait_dead(pids: Sequence[int], timeout: float = WAIT) -> None:
    end = time.monotonic() + timeout
    while any(alive(pid) for pid in pids):
        if time.monotonic() > end:
            raise AssertionError(f"still alive after SIGKILL: {[p for p in pids if alive(p)]}")
        await asyncio.sleep(0.01)


def kill(pids: Sequence[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


async def log_in(port: int) -> tuple[SshTerminal, bool]:
    """A new connection, OP1 logged in; whether the Move was offered to resume (the offer
    opens right after the menu is drawn)."""
    t = await SshTerminal.connect(port, cols=20, rows=16)
    await t.wait_for("User ID")
    await t.enter("OP1", "PIN")
    t.send(b"1234\r")
    await t.wait_until(lambda rows: "0 Logout" in "\n".join(rows)
                       or "Resume Move?" in " ".join(" ".join(rows).split()))
    end = time.monotonic() + OFFER_WAIT
    while "Resume Move?" not in t.screen.words() and time.monotonic() < end:
        await asyncio.sleep(0.01)
    return t, "Resume Move?" in t.screen.words()


async def resumed_screen(t: SshTerminal, committed: bool) -> str:
    """The resumed flow's screen, once its message line has been drawn.

    The flow screen shows its step at once and the resume (which looks the key up) answers a
    moment later, so a screen with the step alone may not be the last word: wait for the
    message a committed post must have, and a while for one that nothing should have said.
    """
    await t.wait_until(lambda rows: any(
        prompt in " ".join(rows) for prompt in ("Scan from", "Scan to location")))
    end = time.monotonic() + (RESUME_WAIT if committed else QUIET)
    while NAMED not in t.screen.words() and time.monotonic() < end and not t.closed.is_set():
        await asyncio.sleep(0.01)
    return t.screen.words()


def schedule(faults: Sequence[Fault], rounds: int, rng: random.Random) -> list[Fault]:
    """Each fault kind in turn, as evenly as rounds allow, in a seeded random order."""
    kinds = [faults[i % len(faults)] for i in range(rounds)]
    rng.shuffle(kinds)
    return kinds


async def run_rounds(start: Callable[[], Server], engine: Engine, rounds: int,
                     faults: Sequence[Fault] = ("drop",), seed: int = 18) -> FaultReport:
    """Rounds of move, fault, resume against `wms serve`; start starts a server on the site
    (again after each server kill: same database, same data directory)."""
    rng = random.Random(seed)
    report = FaultReport()
    started = time.monotonic()
    moves_before = len(move_keys(engine))
    server = await asyncio.to_thread(start)
    ended = len(ENDED.findall(server.text()))
    t, offered = await log_in(server.port)
    assert not offered, "a saved Move before the first round"
    await t.key("3", "Scan from location")
    for fault in schedule(faults, rounds, rng):
        await t.enter(FROM, "Scan item")
        await t.enter(EA_GTIN, "Qty in EA")
        await t.enter("1", "Scan to location")
        before = len(move_keys(engine))
        # Found before the scan, so the fault strikes on time.
        victims = (process_tree(server.proc.pid) if fault == "kill-server"
                   else [session_pid(server)])
        delay = rng.uniform(0, MAX_DELAY if fault == "drop" else kill_window(report.rounds))
        scanned = datetime.now(UTC)
        t.send(f"{TO}\r".encode())
        await asyncio.sleep(delay)
        if fault == "drop":
            t.drop()
        else:
            kill(victims)
        if fault == "kill-server":
            await t.wait_closed()
            await wait_dead(victims)
            await asyncio.to_thread(server.proc.wait)
            server = await asyncio.to_thread(start)
            ended = len(ENDED.findall(server.text()))
        else:
            ended += 1
            await wait_ended(server.text, ended)
            # The session's end closes the connection: the terminal sees the link go.
            await t.wait_closed()
        await t.close()
        await settled(engine)
        committed = len(move_keys(engine)) == before + 1
        t, offered = await log_in(server.port)
        said = ""
        if offered:
            await t.answer("1")
            said = await resumed_screen(t, committed)
            if "Scan to location" in said:
                # Not posted: the operator is at the To step with the move kept; scan it.
                scanned = datetime.now(UTC)
                await t.enter(TO, f"Moved 1 EA to {TO}")
        else:
            await t.key("3", "Scan from location")
        added = moves(engine)[before:]
        keys = [key for key, _ in added]
        latency = (added[0][1] - scanned).total_seconds() if len(added) == 1 else None
        report.rounds.append(Round(fault, delay, committed, offered, NAMED in said, said,
                                   len(keys), len(set(keys)), latency))
    await t.close()
    keys = move_keys(engine)[moves_before:]
    report.moves, report.keys = len(keys), len(set(keys))
    report.seconds = time.monotonic() - started
    return report
