"""A dropped link, an idle terminal or a stopping server costs the operator nothing."""

from __future__ import annotations

import asyncio
import re
import time

import pytest

from tests.e2e.clients import SshTerminal
from tests.e2e.conftest import EA_GTIN, ServeFactory, Server, Site, move_five_then_drop
from wms_tui.domain.model import MovementKind

pytestmark = pytest.mark.slow


def wait_for_log(server: Server, pattern: str, count: int = 1, timeout: float = 30) -> None:
    end = time.monotonic() + timeout
    while len(re.findall(pattern, server.text())) < count:
        if time.monotonic() > end:
            raise AssertionError(f"{pattern!r} x{count} not in the log:\n{server.text()}")
        time.sleep(0.05)


def move_count(site: Site) -> int:
    return len([m for m in site.movements() if m.kind is MovementKind.MOVE])


def test_dropped_link_mid_flow_then_reconnect_resume_and_finish(
    site: Site, serve: ServeFactory,
) -> None:
    server = serve(site, "--ssh-auth", "none")

    async def first_terminal() -> None:
        await move_five_then_drop(server.port)

    async def second_terminal() -> None:
        t = await SshTerminal.connect(server.port, cols=20, rows=16, username="RF09")
        await t.wait_for("User ID")
        await t.enter("OP1", "PIN")
        await t.enter("1234", "Resume Move?", "2 No")
        screen = await t.answer("1", "Scan to location")
        assert "From: A-01-01-1" in screen and "Qty: 5 EA" in screen
        await t.enter("A-01-02-1", "Moved 5 EA to", "A-01-02-1")
        # A confirmation in flight when the link drops is posted whole or not at all.
        await t.enter("A-01-01-1", "Scan item")
        await t.enter(EA_GTIN, "Qty in EA")
        await t.enter("3", "Scan to location")
        t.send(b"A-01-02-1\r")
        t.drop()

    async def third_terminal() -> None:
        t = await SshTerminal.connect(server.port, cols=20, rows=16)
        await t.login_screen_then("OP1", "1234")
        posted = move_count(site) == 2
        if "Resume Move?" in t.screen.words():
            await t.answer("1")
            lines = await t.wait_until(lambda lines: any(
                prompt in " ".join(lines) for prompt in ("Scan to location", "Scan from")))
            if posted:
                # Committed before the link dropped: the flow had moved on to the next move.
                assert "Scan to location" not in " ".join(lines)
            else:
                assert "Qty: 3 EA" in " ".join(lines)
                await t.enter("A-01-02-1", "Moved 3 EA")
        else:
            assert posted
        await t.close()

    asyncio.run(first_terminal())
    wait_for_log(server, r"session 1 .* ended after .*\(hangup")
    assert site.on_hand(site.wh.a2) == 0  # the move was never confirmed
    asyncio.run(second_terminal())
    wait_for_log(server, r"session 2 .* ended after .*\(hangup")
    asyncio.run(third_terminal())
    assert (site.on_hand(site.wh.a1), site.on_hand(site.wh.a2)) == (22, 8)
    assert move_count(site) == 2
    assert site.ledger_mismatches() == []
    logouts = [detail for event, login, _, detail in site.audit() if event == "logout"]
    assert logouts[:2] == ["hangup", "hangup"]


def test_idle_terminal_is_logged_out_and_resumes(site: Site, serve: ServeFactory) -> None:
    server = serve(site, "--ssh-auth", "none", "--idle-timeout", "2")

    async def operator() -> None:
        t = await SshTerminal.connect(server.port, cols=20, rows=16)
        await t.login()
        await t.key("3", "Scan from location")
        await t.enter("A-01-01-1", "Scan item")
        await t.wait_closed(timeout=30)
        assert "Idle timeout: logged out. Your work is saved." in t.screen.words()
        t = await SshTerminal.connect(server.port, cols=20, rows=16)
        await t.wait_for("User ID")
        await t.enter("OP1", "PIN")
        await t.enter("1234", "Resume Move?")
        screen = await t.answer("1", "Scan item")
        assert "From: A-01-01-1" in screen
        await t.close()

    asyncio.run(operator())
    assert ("logout", "OP1", "idle timeout") in [
        (event, login, detail) for event, login, _, detail in site.audit()]
    assert re.search(r"session 1 .* ended after 0:00:0\d \(idle timeout", server.text())


def test_sigterm_ends_sessions_gracefully(site: Site, serve: ServeFactory) -> None:
    server = serve(site, "--ssh-auth", "none")

    async def operator() -> None:
        t = await SshTerminal.connect(server.port, cols=20, rows=16)
        await t.login()
        await t.key("3", "Scan from location")
        await t.enter("A-01-01-1", "Scan item")
        server.proc.terminate()
        await t.wait_closed(timeout=30)
        assert "Server stopping: your work is saved." in t.screen.words()

    asyncio.run(operator())
    assert server.proc.wait(30) == 0
    log = server.text()
    assert re.search(r"session 1 .* ended after .*\(server stopping", log)
    assert "wms serve: stopped" in log
    assert ("logout", "OP1", "server stopping") in [
        (event, login, detail) for event, login, _, detail in site.audit()]
