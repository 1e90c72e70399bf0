"""A flood of input over real SSH costs a session bounded memory, a bell or two, and no hang-up
delay: a 1 MB paste in one write and a 600 KB stream, at the Move flow's first scan prompt.

Before the input limits the paste rang ~9,700 bells (one per character past 256) and took a
session to 354 MiB; the stream reached 628 MiB and the session ignored its hang-up for 15 s.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.e2e.clients import SshTerminal
from tests.e2e.conftest import ServeFactory, Server, Site

pytestmark = pytest.mark.slow

BEL = 0x07
# What the flood may add to the session's peak resident memory over its size after log-in.
MAX_GROWTH_MIB = 48
# A dropped link ends the session within this, backlog or not (the server's log says so).
HANG_UP_WITHIN = 2.5


def session_pid(server: Server, number: int = 1, timeout: float = 20) -> int:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = re.search(rf"session {number} \S+ \S+ from \S+ started: pid (\d+)", server.text())
        if found:
            return int(found.group(1))
        time.sleep(0.05)
    raise AssertionError(f"session {number} never started:\n{server.text()}")


def peak_mib(pid: int) -> float:
    """The process's peak resident set (VmHWM) in MiB."""
    status = Path(f"/proc/{pid}/status").read_text()
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    assert found is not None, status
    return int(found.group(1)) / 1024


async def seconds_until_ended(server: Server, number: int = 1, limit: float = 20) -> float:
    """Seconds from now until the server logs that the session ended."""
    start = time.monotonic()
    pattern = rf"session {number} \S+ \S+ from \S+ ended after "
    while not re.search(pattern, server.text()):
        if time.monotonic() - start > limit:
            return limit
        await asyncio.sleep(0.02)
    return time.monotonic() - start


async def shown(t: SshTerminal, text: str, timeout: float) -> bool:
    try:
        await t.wait_for(text, timeout=timeout)
    except AssertionError:
        return False
    return True


def bells(t: SshTerminal, since: int = 0) -> int:
    return bytes(t.screen.raw[since:]).count(BEL)


Flood = Callable[[SshTerminal], Awaitable[None]]


def flood_then_drop(server: Server, flood: Flood, before_drop: Flood | None = None,
                    ) -> dict[str, float]:
    """At Move's first scan prompt: the flood, a pause, a right scan, then the link drops.

    What it measures: whether the refusal was shown, whether the scan after it was answered
    within 5 s, BEL bytes received, the session's peak memory before and after, and the
    seconds from the drop until the server logs the session's end.
    """
    figures: dict[str, float] = {}

    async def operator() -> None:
        t = await SshTerminal.connect(server.port, cols=20, rows=16)
        await t.login()
        await t.key("3", "Scan from location")
        pid = session_pid(server)
        figures["before"] = peak_mib(pid)
        since = len(t.screen.raw)
        await flood(t)
        figures["told"] = await shown(t, "Too long", timeout=10)
        await asyncio.sleep(1.0)  # a pause: a person, not the rest of the flood
        figures["submitted"] = "Scan a loc or" in t.screen.words()
        t.send(b"A-01-01-1\r")
        figures["answered"] = await shown(t, "From: A-01-01-1", timeout=5)
        figures["bells"] = bells(t, since)
        figures["peak"] = peak_mib(pid)
        figures["growth"] = figures["peak"] - figures["before"]
        if before_drop is not None:
            await before_drop(t)
        t.drop()
        figures["ended"] = await seconds_until_ended(server)

    asyncio.run(operator())
    return figures


def assert_bounded(figures: dict[str, float]) -> None:
    assert figures["told"] and not figures["submitted"], figures
    assert figures["answered"], figures
    assert figures["bells"] <= 3, figures
    assert figures["growth"] <= MAX_GROWTH_MIB, figures
    assert figures["ended"] < HANG_UP_WITHIN, figures


def test_a_1_mb_paste_is_refused_once_in_bounded_memory(site: Site, serve: ServeFactory) -> None:
    server = serve(site, "--ssh-auth", "none")

    async def paste(t: SshTerminal) -> None:
        t.send(b"9" * 1_000_000 + b"\r")  # one write, as a paste sends it

    figures = flood_then_drop(server, paste)
    print(f"\n1 MB paste: {figures}")
    assert_bounded(figures)
    assert [m.kind.value for m in site.movements()] == ["receive"]  # nothing was moved
    assert re.search(r"WARNING \S+ session 1 RF01 from \S+: input flood", rf_log(server))


async def stream(t: SshTerminal) -> None:
    """600 KB of scan-like text in 1 KiB writes, with no Enter in it."""
    chunk = b"0123456789ABCDEF" * 64
    for _ in range(600):
        t.send(chunk)
        await asyncio.sleep(0.001)


def test_a_600_kb_stream_then_a_hang_up_in_the_middle_of_another(
    site: Site, serve: ServeFactory,
) -> None:
    server = serve(site, "--ssh-auth", "none")
    # The link drops while the session is still in the thick of the second stream.
    figures = flood_then_drop(server, stream, before_drop=stream)
    print(f"\n600 KB stream: {figures}")
    assert_bounded(figures)


def rf_log(server: Server) -> str:
    log = server.data_dir / "rf.log"
    return log.read_text(errors="replace") if log.exists() else ""
