"""Operators at real SSH and telnet clients: log in, receive, put away, move, resize."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.e2e.clients import OpenSshTerminal, SshTerminal, TelnetTerminal
from tests.e2e.conftest import EA_GTIN, ServeFactory, Site
from wms_tui.domain.model import MovementKind

pytestmark = pytest.mark.slow

# What a VT100/VT220 must never receive: mouse tracking, kitty keyboard, xterm-only modes.
XTERM_ONLY = [b"\x1b[?1000h", b"\x1b[?1002h", b"\x1b[?1003h", b"\x1b[?1006h", b"\x1b[?1015h",
              b"\x1b[>", b"\x1b[<u", b"\x1b[?1004h", b"\x1b[?2004h", b"\x1b[?2048",
              b"\x1b[?2026$p", b"\x1b]22;"]
KITTY_PUSH = re.compile(rb"\x1b\[>\d*u")


def assert_vt_safe(raw: bytes) -> None:
    for sequence in XTERM_ONLY:
        assert sequence not in raw, sequence
    assert not KITTY_PUSH.search(raw)
    assert b"\x1b[38;" not in raw and b"\x1b[48;" not in raw  # no colour


def rows(text: str) -> list[str]:
    return text.split("\n")


def test_receive_then_putaway_over_ssh_at_20x16(
    site: Site, serve: ServeFactory, device_key: tuple[object, object],
) -> None:
    private, authorized = device_key
    server = serve(site, "--authorized-keys", str(authorized))

    async def operator() -> None:
        t = await SshTerminal.connect(server.port, client_keys=[str(private)], cols=20, rows=16)
        screen = await t.wait_for("User ID")
        assert rows(screen)[0] == "Login           RF01"
        await t.login()
        await t.key("1", "Scan order or SSCC")
        await t.enter("PO-100", "Order: PO-100", "Scan item")
        screen = await t.enter(EA_GTIN, "Qty in EA")
        assert rows(screen)[:7] == ["Receive         RF01", "Order: PO-100", "Item: WIDGET",
                                    "Blue widget", "Dock: DOCK-1", "Expected: 24 EA",
                                    "Left: 24 EA"]
        assert rows(screen)[12:14] == ["Qty in EA", ">_"]
        screen = await t.enter("24", "Rcvd 24 EA WIDGET")
        assert "Order done" in screen
        await t.key("\x1b", "Choose a number")
        await t.key("2", "Scan LPN or item")
        screen = await t.enter(EA_GTIN, "Qty (Enter=all)")
        assert rows(screen)[:5] == ["Putaway         RF01", "Item: WIDGET", "Blue widget",
                                    "From: DOCK-1", "On dock: 24 EA"]
        screen = await t.enter("", "Scan location")
        assert rows(screen)[1:5] == ["Item: WIDGET", "Blue widget", "Qty: 24 EA",
                                     "To: A-01-01-1"]
        await t.enter("A-01-01-1", "Put away to A-01-01-1")
        await t.key("\x1b", "Choose a number")
        await t.key("0", "User ID")
        await t.close()
        assert_vt_safe(bytes(t.screen.raw))

    asyncio.run(operator())
    assert site.on_hand(site.wh.dock) == 0
    assert site.on_hand(site.wh.a1) == 54
    assert site.ledger_mismatches() == []
    assert {m.terminal for m in site.movements()} >= {"RF01"}
    server.stop()
    log = server.text()
    assert re.search(r"session 1 ssh RF01 from 127\.0\.0\.1:\d+ started", log)
    assert re.search(r"session 1 ssh RF01 from 127\.0\.0\.1:\d+ ended after 0:00:\d\d", log)
    events = [(event, login) for event, login, _, _ in site.audit()]
    assert events[:4] == [("connect", None), ("login", "OP1"), ("logout", "OP1"),
                          ("disconnect", None)]
    assert all(peer and peer.startswith("127.0.0.1:") for _, _, peer, _ in site.audit())


def test_resize_from_20x16_to_40x8_mid_flow(site: Site, serve: ServeFactory) -> None:
    server = serve(site, "--ssh-auth", "none")

    async def operator() -> None:
        t = await SshTerminal.connect(server.port, cols=20, rows=16)
        await t.login()
        screen = await t.key("3", "Scan from location", "or LPN")
        assert rows(screen)[11:14] == ["Scan from location", "or LPN", ">_"]
        await t.enter("A-01-01-1", "From: A-01-01-1")
        t.resize(40, 8)
        lines = await t.wait_until(lambda lines: lines[0] == "Move" + " " * 32 + "RF01")
        assert len(lines) == 8
        assert lines[1] == "From: A-01-01-1" and "Scan item" in lines
        await t.enter(EA_GTIN, "Qty in EA")
        screen = await t.enter("5", "Scan to location")
        assert rows(screen)[0].endswith("RF01") and len(rows(screen)[0]) == 40
        await t.enter("A-01-02-1", "Moved")
        await t.close()

    asyncio.run(operator())
    assert (site.on_hand(site.wh.a1), site.on_hand(site.wh.a2)) == (25, 5)
    assert site.ledger_mismatches() == []


def test_openssh_client_on_a_pty_at_80x24(
    site: Site, serve: ServeFactory, device_key: tuple[object, object],
) -> None:
    private, authorized = device_key
    server = serve(site, "--authorized-keys", str(authorized), "--ssh-auth", "keys")

    async def operator() -> None:
        t = await OpenSshTerminal.connect(server.port, private, cols=80, rows=24,  # type: ignore[arg-type]
                                          username="rf02")
        try:
            screen = await t.wait_for("User ID")
            assert rows(screen)[0] == "Login" + " " * 71 + "RF02"
            await t.login()
            await t.key("3", "Scan from location or LPN")
            await t.enter("A-01-01-1", "Scan item")
            await t.enter(EA_GTIN, "Qty in EA")
            await t.enter("7", "Scan to location")
            await t.enter("A-01-02-1", "Moved")
            assert_vt_safe(bytes(t.screen.raw))
        finally:
            await t.close()

    asyncio.run(operator())
    assert site.on_hand(site.wh.a2) == 7
    moves = [m for m in site.movements() if m.kind is MovementKind.MOVE]
    assert [m.terminal for m in moves] == ["RF02"] * len(moves) and moves
    assert site.ledger_mismatches() == []


def test_telnet_client_with_ttype_and_naws_at_40x8(site: Site, serve: ServeFactory) -> None:
    telnet_port = _port()
    server = serve(site, "--ssh-auth", "none", "--telnet-port", str(telnet_port), "--spawn")
    assert "telnet is unencrypted" in server.text()

    async def operator() -> None:
        t = await TelnetTerminal.connect(telnet_port, term="vt100", cols=40, rows=8)
        try:
            screen = await t.wait_for("User ID")
            assert len(rows(screen)) == 8 and rows(screen)[0].startswith("Login")
            await t.login()
            await t.key("1", "Scan order or SSCC")
            await t.enter("PO-100", "Scan item")
            await t.enter(EA_GTIN, "Qty in EA")
            screen = await t.enter("10", "Rcvd 10 EA WIDGET")
            # Telnet's CR LF for Enter is one Enter: no empty second submit was refused.
            assert "!" not in screen
            assert_vt_safe(bytes(t.screen.raw))
        finally:
            await t.close()

    asyncio.run(operator())
    assert site.on_hand(site.wh.dock) == 10
    assert site.ledger_mismatches() == []
    assert "telnet" in server.text() and "spawn" in server.text()


def _port() -> int:
    from tests.e2e.conftest import free_port

    return free_port()
