"""Drop the link right after the scan that posts, then resume: was anything lost, posted twice,
or posted without the resumed screen saying so? (issue 18 item 1)

One round, over real SSH against `wms serve`: OP1 keys a Move of 1 EA from A-01-01-1 up to the
To step, sends the To scan and drops the link 0-60 ms after it (random), so the post lands
before, during or after the drop. Once the server has ended that session, a new connection
logs in and resumes. A post that committed must be named on the message line ("Last: Moved 1
EA"); one that did not leaves the operator at the To step, who scans it again. Either way the
round ends with exactly one move in the ledger, under its own confirmation key.

Shared by tests/e2e/test_serve_fault_resume.py and bench/fault_resume.py.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from tests.e2e.clients import WAIT, SshTerminal
from wms_tui.db.tables import Movement

EA_GTIN = "09501101530003"
FROM, TO = "A-01-01-1", "A-01-02-1"
# What the resumed screen says of a move of 1 EA that committed (the To location follows when
# the saved state knows it).
NAMED = "Last: Moved 1 EA"
# The longest gap between the To scan and the drop, in seconds.
MAX_DELAY = 0.060
# How long the resumed screen has to name a post that committed, or to (wrongly) name one
# that did not.
RESUME_WAIT = 5.0
QUIET = 0.3
# How long after the menu the resume offer may take to open.
OFFER_WAIT = 1.0
ENDED = re.compile(r"session \d+ .* ended after ")


@dataclass(frozen=True)
class Round:
    delay: float
    # The dropped To scan's move committed.
    committed: bool
    # The next log-in offered to resume the Move.
    offered: bool
    # The resumed screen's message line named the move.
    named: bool
    # The message line after resuming, for a failure's report.
    said: str


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
        """Rounds whose move never reached the ledger."""
        return max(len(self.rounds) - self.keys, 0)

    @property
    def duplicated(self) -> int:
        """Moves beyond one per confirmation key."""
        return self.moves - self.keys

    def table(self) -> str:
        rows = (("rounds", len(self.rounds)), ("committed before resume", self.committed),
                ("named on resume", self.named), ("lost", self.lost),
                ("duplicated", self.duplicated))
        return "\n".join(f"{name:<26}{value:>6}" for name, value in rows)

    def as_dict(self) -> dict[str, object]:
        return {"rounds": len(self.rounds), "committed": self.committed, "named": self.named,
                "lost": self.lost, "duplicated": self.duplicated,
                "unnamed": len(self.unnamed), "false_claims": len(self.false_claims),
                "moves": self.moves, "seconds": round(self.seconds, 1)}


def move_keys(engine: Engine) -> list[str | None]:
    """The confirmation key of every move in the ledger."""
    with Session(engine) as session:
        return list(session.execute(
            select(col(Movement.confirmation)).where(col(Movement.kind) == "move")
            .order_by(col(Movement.id))).scalars())


async def wait_ended(log: Callable[[], str], sessions: int, timeout: float = WAIT) -> None:
    """Until the server has logged the end of that many sessions (its posts are then done)."""
    end = time.monotonic() + timeout
    while len(ENDED.findall(log())) < sessions:
        if time.monotonic() > end:
            raise AssertionError(f"session {sessions} never ended:\n{log()[-2000:]}")
        await asyncio.sleep(0.01)


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


async def run_rounds(port: int, engine: Engine, log: Callable[[], str], rounds: int,
                     seed: int = 18) -> FaultReport:
    """Rounds of move, drop, resume against `wms serve` on port; log reads the server's log."""
    rng = random.Random(seed)
    report = FaultReport()
    started = time.monotonic()
    moves_before = len(move_keys(engine))
    ended = len(ENDED.findall(log()))
    t, offered = await log_in(port)
    assert not offered, "a saved Move before the first round"
    await t.key("3", "Scan from location")
    for _ in range(rounds):
        await t.enter(FROM, "Scan item")
        await t.enter(EA_GTIN, "Quantity")
        await t.enter("1", "Scan to location")
        before = len(move_keys(engine))
        delay = rng.uniform(0, MAX_DELAY)
        t.send(f"{TO}\r".encode())
        await asyncio.sleep(delay)
        t.drop()
        ended += 1
        await wait_ended(log, ended)
        committed = len(move_keys(engine)) == before + 1
        t, offered = await log_in(port)
        said = ""
        if offered:
            await t.answer("1")
            said = await resumed_screen(t, committed)
            if "Scan to location" in said:
                # Not posted: the operator is at the To step with the move kept; scan it.
                await t.enter(TO, f"Moved 1 EA to {TO}")
        else:
            await t.key("3", "Scan from location")
        report.rounds.append(Round(delay, committed, offered, NAMED in said, said))
    await t.close()
    keys = move_keys(engine)[moves_before:]
    report.moves, report.keys = len(keys), len(set(keys))
    report.seconds = time.monotonic() - started
    return report
