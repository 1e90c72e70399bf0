"""Walking RF flows over a real terminal with scanner bursts: a whole code and its suffix in one
write, as a scanner sends it, while a person's keys arrive one read each.

A Walker holds the terminal and the practice database; each of its checks sends bursts at one
place (a scan prompt, F1 help, the F6 list, a pop-up question, a question step) and asserts the
rules: a scan never answers a question, never crashes the app, never posts on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, func, select
from sqlmodel import col

from tests.e2e.clients import WAIT, Terminal
from wms_tui.db.tables import CountLine, IdempotencyRecord, Movement, Task

F1 = "\x1bOP"
F5 = "\x1b[15~"
F6 = "\x1b[17~"
ESC = "\x1b"
CTRL_U = "\x15"
WRONG = "WRONG-0000"
SCAN_REFUSED = "A scan does not answer."
STEP_REFUSED = "A scan does not answer. Key the number, then Enter"
# Every kind of burst once: a wrong scan, No, two digits, Yes with a CR+LF suffix.
ALL_KINDS = (WRONG + "\r", "2\r", "11\r", "1\r\n")
# What a crashed or crashing app shows: its own fault line, or Python leaking onto the screen.
CRASH_SIGNS = ("System error", "Traceback", '.py"', "Error")
# The app has answered a burst when nothing more arrives for this long: long enough for a flow
# call that should not have happened to draw its answer. Once what should follow is on the
# screen, a shorter wait lets the frame finish.
QUIET = 0.15
QUIET_SHORT = 0.06
ENTRY = re.compile(r"^[<>].*_$")


class Ledger:
    """What a burst must never change: movements, count lines, exactly-once records, tasks."""

    def __init__(self, path: Path) -> None:
        self.engine = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")

    def snapshot(self) -> tuple[object, ...]:
        with self.engine.connect() as conn:
            counts = tuple(conn.scalar(select(func.count()).select_from(table))
                           for table in (Movement, CountLine, IdempotencyRecord))
            tasks = tuple(conn.execute(select(col(Task.status), func.count())
                                       .group_by(col(Task.status))
                                       .order_by(col(Task.status))).all())
        return (*counts, tasks)

    def movements(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.scalar(select(func.count()).select_from(Movement)) or 0)

    def dispose(self) -> None:
        self.engine.dispose()


def scanner_codes(rows: list[str]) -> list[str | None]:
    """The codes the F6 list shows, in its numbering: "" for Enter, None when cut off."""
    codes: list[str | None] = []
    for row in rows[1:]:
        entry = re.fullmatch(r"(\d) (.+)", row)
        if entry:
            label = entry.group(2)
            codes.append(None if label.endswith("…") else label.split()[-1])
        elif row.startswith("  ") and codes:
            shown = row.strip()
            codes[-1] = "" if shown == "(Enter)" else shown
    return codes


def hint(answers: int) -> str:
    return "Key 1 or 2, then Enter" if answers == 2 else f"Key 1 to {answers}, then Enter"


@dataclass
class Walker:
    t: Terminal
    ledger: Ledger

    # What is on the screen.

    def rows(self) -> list[str]:
        return self.t.screen.text().split("\n")

    def words(self) -> str:
        return self.t.screen.words()

    def bells(self) -> int:
        return self.t.screen.raw.count(b"\x07")

    def view(self) -> list[str]:
        """The step as drawn: header, facts and prompt down to the entry line, no blank rows.

        A longer message takes blank fact rows, so rows shift; the lines themselves do not.
        """
        rows = self.rows()
        entry = next((n for n, row in enumerate(rows) if ENTRY.match(row)), len(rows) - 1)
        return [row for row in rows[: entry + 1] if row.strip()]

    def refused(self) -> bool:
        return any(row.startswith("! ") for row in self.rows())

    def alive(self, what: str) -> None:
        assert not self.t.closed.is_set(), f"the link closed after {what!r}"
        text = self.t.screen.text()
        for sign in CRASH_SIGNS:
            assert sign not in text, f"{sign!r} on screen after {what!r}:\n{text}"

    # Sending.

    async def settle(self, quiet: float = QUIET) -> None:
        """Until the app has drawn everything it had to say."""
        end = time.monotonic() + WAIT
        seen, since = len(self.t.screen.raw), time.monotonic()
        while time.monotonic() < end:
            await asyncio.sleep(0.02)
            if len(self.t.screen.raw) != seen:
                seen, since = len(self.t.screen.raw), time.monotonic()
            elif time.monotonic() - since >= quiet:
                return

    async def burst(self, data: str, *expect: str) -> None:
        """Send data in one write, as a scanner does, and wait for what should follow."""
        self.t.send(data.encode())
        if expect:
            await self.t.wait_for(*expect)
        await self.settle(QUIET_SHORT if expect else QUIET)
        self.alive(data)

    async def rung(self, data: str, bells: int, *expect: str) -> None:
        """A burst that must be refused with the bell (and these words on the screen)."""
        self.t.send(data.encode())
        await self.t.wait_until(lambda _rows: self.bells() > bells and all(
            text in self.words() for text in expect))
        await self.settle(QUIET_SHORT)
        self.alive(data)

    async def gone(self, text: str, quiet: float = QUIET) -> None:
        await self.t.wait_until(lambda _rows: text not in self.words())
        await self.settle(quiet)

    # At a scan prompt.

    async def scan_prompt(self, wrong: bool = True) -> None:
        """A wrong scan is refused by the step; two digits without a suffix are only typed."""
        view, ledger = self.view(), self.ledger.snapshot()
        if wrong:
            await self.rung(WRONG + "\r", self.bells())
            assert self.refused(), self.t.screen.text()
            assert self.view() == view, self.t.screen.text()
        await self.burst("22", ">22_")
        assert self.view()[:-1] == view[:-1], self.t.screen.text()
        await self.burst(CTRL_U, ">_")
        assert self.view() == view, self.t.screen.text()
        assert self.ledger.snapshot() == ledger

    async def scan(self, code: str, suffix: str, *expect: str) -> None:
        """A right code and its suffix in one write: submitted once, the suffix never twice."""
        assert code, "a burst needs a code"
        await self.burst(code + suffix, *expect)
        await self.settle()
        assert not self.refused(), f"{code + suffix!r} was not submitted once:\n" \
                                   f"{self.t.screen.text()}"

    # Pop-ups.

    async def help(self, data: str) -> None:
        """F1, then a burst: the help closes on its first key and the rest goes nowhere."""
        screen, ledger = self.t.screen.text(), self.ledger.snapshot()
        await self.burst(F1, "Any key: back")
        self.t.send(data.encode())
        await self.gone("Any key: back")
        self.alive(data)
        assert self.t.screen.text() == screen, f"F1 then {data!r}:\n{self.t.screen.text()}"
        assert self.ledger.snapshot() == ledger

    async def question_popup(self, marker: str, *bursts: str, typed: bool = True) -> None:
        """A pop-up question is open: no burst answers it, each is refused with the bell."""
        ledger = self.ledger.snapshot()
        for data in bursts or (WRONG + "\r", "2\r", "11\r"):
            await self.rung(data, self.bells(), SCAN_REFUSED)
            assert marker in self.words(), f"{data!r} answered {marker!r}"
            assert ">_" in self.rows(), self.t.screen.text()
        if typed:
            # Two digits in one burst are only typed; a person's Enter does not make them an
            # answer.
            await self.burst("22", ">22_")
            await self.rung("\r", self.bells(), SCAN_REFUSED)
            assert marker in self.words(), f"'22' then Enter answered {marker!r}"
        assert self.ledger.snapshot() == ledger

    async def scanner(self, *bursts: str, typed: bool = False) -> list[str | None]:
        """F6: read the listed codes, refuse bursts at the list, close it with Esc."""
        view = self.view()
        await self.burst(F6, "Scanner", WRONG)
        codes = scanner_codes(self.rows())
        assert codes and codes[-1] == WRONG, self.t.screen.text()
        await self.question_popup("Scanner", *(bursts or ("1\r",)), typed=typed)
        self.t.send(ESC.encode())
        await self.gone("Scanner", QUIET_SHORT)
        assert self.view() == view, self.t.screen.text()
        return codes

    async def lose_work(self, *bursts: str, typed: bool = False) -> None:
        """Esc with work on the step asks "Lose this work?"; bursts do not answer, 2 keeps it."""
        view = self.view()
        await self.burst(ESC, "Lose this work?")
        await self.question_popup("Lose this work?", *(bursts or ("2\r",)), typed=typed)
        await self.t.answer("2")
        await self.gone("Lose this work?")
        assert self.view() == view, self.t.screen.text()

    async def question_step(self, *bursts: str) -> None:
        """A step that asks a question (yes/no, a reason): no burst answers it."""
        view, ledger = self.view(), self.ledger.snapshot()
        for data in bursts or (WRONG + "\r", "1\r", "2\n", "11\r"):
            await self.rung(data, self.bells(), STEP_REFUSED)
            assert self.view() == view, f"{data!r} answered the step:\n{self.t.screen.text()}"
        await self.burst("22", ">22_")
        await self.rung("\r", self.bells(), STEP_REFUSED)
        assert self.view() == view, f"'22' then Enter answered:\n{self.t.screen.text()}"
        assert self.ledger.snapshot() == ledger

    # Around the flows.

    async def login(self, user: str = "OP1", pin: str = "1111") -> None:
        """Log in as a person keys it; a saved flow offered for resuming is declined."""
        await self.t.wait_for("User ID")
        await self.t.enter(user, "PIN")
        await self.t.enter(pin, "0 Logout")
        await self.settle()
        if "Resume" in self.words():
            await self.t.answer("2")
            await self.gone("Resume")

    def screen_changed(self, before: str) -> Callable[[list[str]], bool]:
        return lambda _rows: self.t.screen.text() != before

    async def leave_flow(self) -> None:
        """Esc back to the menu, saying yes to losing the work on the way."""
        for _ in range(10):
            if "Choose a number" in self.words():
                return
            answered = self.screen_changed(self.t.screen.text())
            self.t.send(ESC.encode())
            # A lone Esc waits out the escape-sequence delay; on a loaded machine that is longer
            # than a quiet spell, so wait for the screen to answer before sending the next one.
            with contextlib.suppress(AssertionError):
                await self.t.wait_until(answered, timeout=5)
            await self.settle()
            self.alive(ESC)
            if "Lose this work?" in self.words():
                await self.t.answer("1")
                await self.gone("Lose this work?")
        try:
            await self.t.wait_for("Choose a number", timeout=5)
        except AssertionError:
            raise AssertionError(f"Esc never reached the menu:\n{self.t.screen.text()}") from None
