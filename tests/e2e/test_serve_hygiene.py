"""What an old RF terminal receives and may send: VT-safe output, 8-bit input, idle silence."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.clients import SshTerminal
from tests.e2e.conftest import ServeFactory, Site
from tests.e2e.test_serve_flows import assert_vt_safe
from wms_tui.serve.sessions import InputTranscoder, screen_message


@pytest.mark.slow
@pytest.mark.parametrize("term", ["vt100", "vt220"])
def test_old_terminals_get_no_mouse_or_kitty_and_survive_8_bit_input(
    site: Site, serve: ServeFactory, term: str,
) -> None:
    server = serve(site, "--ssh-auth", "none")

    async def operator() -> None:
        t = await SshTerminal.connect(server.port, term=term, cols=20, rows=16)
        await t.login()
        await t.key("3", "Scan from location")
        await asyncio.sleep(0.5)
        idle_from = len(t.screen.raw)
        await asyncio.sleep(1.5)
        assert len(t.screen.raw) == idle_from  # an idle terminal receives nothing
        # Latin-1 é, a lone 0xFF and an 8-bit CSI (cursor up) from an 8-bit terminal.
        t.send(b"A-01-01-1\xe9\r")
        await t.wait_for("Scan a loc or")
        t.send(b"\x9bA\xff\r")
        await t.wait_for("Scan a loc or")
        await t.enter("A-01-01-1", "From: A-01-01-1", "Scan item")
        await t.close()
        assert_vt_safe(bytes(t.screen.raw))
        if term == "vt100":
            assert max(bytes(t.screen.raw)) < 0x80  # ASCII only: no line drawing, no UTF-8

    asyncio.run(operator())
    assert "Traceback" not in (server.data_dir / "rf.log").read_text(errors="replace")


def test_utf8_passes_and_8_bit_bytes_become_utf8() -> None:
    transcoder = InputTranscoder()
    assert transcoder.feed("A1-é-库\r".encode()) == "A1-é-库\r".encode()
    assert transcoder.feed(b"\xe9t\xe9") == "été".encode()[:-2]
    assert transcoder.flush() == "é".encode()
    assert transcoder.feed(b"\x9bA") == b"\x1b[A"  # 8-bit CSI: cursor up
    assert transcoder.feed(b"\xff") == "ÿ".encode()


def test_a_character_split_across_packets_is_joined() -> None:
    transcoder = InputTranscoder()
    data = "库".encode()
    assert transcoder.feed(data[:1]) == b""
    assert transcoder.feed(data[1:] + b"\r") == data + b"\r"


def test_telnet_enter_is_one_enter() -> None:
    transcoder = InputTranscoder(telnet=True)
    assert transcoder.feed(b"OP1\r\n1234\r\x00") == b"OP1\r1234\r"
    assert transcoder.feed(b"X\r") == b"X\r"
    assert transcoder.feed(b"\nY") == b"Y"


def test_messages_after_the_app_fit_the_screen() -> None:
    text = screen_message("Server busy: 200 sessions, try later", 20).decode()
    assert all(len(line) <= 20 for line in text.split("\r\n"))
    assert " ".join(text.split()) == "Server busy: 200 sessions, try later"
