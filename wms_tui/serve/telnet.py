"""The telnet side of `wms serve`, for RF guns whose emulator speaks nothing else.

Off unless `--telnet-port` is given: telnet is unencrypted, so user IDs and PINs cross the
network in the clear; off loopback it needs `--telnet-insecure` and a device password, which
telnet then asks for before the app, throttled like SSH's. Terminal type comes from TTYPE,
window size from NAWS (and its changes), the terminal ID from NEW-ENVIRON USER.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import telnetlib3
from telnetlib3.telopt import NAWS

from wms_tui.serve.sessions import SessionManager, SessionRequest, terminal_id, terminal_type
from wms_tui.serve.throttle import AuthThrottle, DevicePassword

log = logging.getLogger("wms_tui.serve")

WARNING = ("telnet is unencrypted: user IDs and PINs cross the network in the clear; "
           "use it only on a network you trust")
# How long to wait for the client's terminal type and window size after negotiation.
TERMINAL_INFO_WAIT = 2.0
# The device password, asked before the app when one is configured (shown before log-in, so
# in English, like the server's other messages).
PASSWORD_PROMPT = "Device password: "
PASSWORD_WRONG = "Wrong device password."
PASSWORD_GIVE_UP = "Device password refused: disconnected."
PASSWORD_TRIES = 3
# Longer answers are cut (and so wrong), never buffered without bound.
MAX_PASSWORD = 256


class _TelnetChannel:
    def __init__(self, writer: Any) -> None:
        self.writer = writer
        self.closed = asyncio.Event()

    def write(self, data: bytes) -> None:
        if not self.writer.is_closing():
            self.writer.write(data)

    def close(self) -> None:
        self.closed.set()
        if not self.writer.is_closing():
            self.writer.close()


async def _terminal_info(writer: Any) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + TERMINAL_INFO_WAIT
    while loop.time() < end:
        if writer.get_extra_info("TERM") and writer.remote_option.enabled(NAWS):
            return
        await asyncio.sleep(0.02)


async def _read_line(reader: Any) -> tuple[bytes, bytes] | None:
    """One line of input (CR or LF ends it, backspace edits it) and what came after it;
    None when the client hung up first."""
    line = bytearray()
    while True:
        data = await reader.read(4096)
        if not data:
            return None
        for i, byte in enumerate(data):
            if byte in (0x0D, 0x0A):
                rest = data[i + 1:]
                # Telnet's Enter is CR LF or CR NUL: its second half is not input.
                if byte == 0x0D and rest[:1] in (b"\n", b"\x00"):
                    rest = rest[1:]
                return bytes(line), bytes(rest)
            if byte in (0x08, 0x7F):
                del line[-1:]
            elif len(line) < MAX_PASSWORD:
                line.append(byte)


async def _device_password(reader: Any, writer: Any, password: DevicePassword, address: str,
                           peer: str, manager: SessionManager) -> bytes | None:
    """Ask for the device password (never echoed) until it is right or the tries are used up;
    the input that followed the right one, else None."""
    for attempt in range(1, PASSWORD_TRIES + 1):
        writer.write(b"\r\n" + PASSWORD_PROMPT.encode())
        answer = await _read_line(reader)
        if answer is None:
            return None
        given, rest = answer
        if await password.check(address, given.decode("utf-8", "surrogateescape")):
            writer.write(b"\r\n")
            return rest
        manager.count("telnet", address, "wrong_passwords")
        log.warning("telnet from %s: device password refused (%d)", peer, attempt)
        if password.throttle.locked(address):
            break
        writer.write(b"\r\n" + PASSWORD_WRONG.encode())
    writer.write(b"\r\n" + PASSWORD_GIVE_UP.encode() + b"\r\n")
    return None


Shell = Callable[[Any, Any], Awaitable[None]]


def make_shell(manager: SessionManager, password: DevicePassword | None = None, *,
               login_timeout: float = 60.0) -> Shell:
    """The telnet session: the device password when one is configured, then the RF app."""

    async def shell(reader: Any, writer: Any) -> None:
        peer_info = writer.get_extra_info("peername")
        address = str(peer_info[0]) if peer_info else "?"
        peer = f"{address}:{peer_info[1]}" if peer_info else "?"
        connected = time.monotonic()
        authenticated = False
        try:
            await _terminal_info(writer)
            early = b""
            if password is not None:
                try:
                    passed = await asyncio.wait_for(
                        _device_password(reader, writer, password, address, peer, manager),
                        login_timeout)
                except TimeoutError:
                    passed = None
                if passed is None:
                    return
                early = passed
            authenticated = True
            term = terminal_type(str(writer.get_extra_info("TERM") or ""))
            cols = int(writer.get_extra_info("cols") or 80)
            rows = int(writer.get_extra_info("rows") or 24)
            user = str(writer.get_extra_info("USER") or "")
            terminal = terminal_id(user, address if peer_info else "TELNET", peer=peer)
            manager.record("connect", peer=peer, terminal=terminal, detail="telnet")
            channel = _TelnetChannel(writer)
            session = manager.open(channel, SessionRequest("telnet", peer, terminal, term,
                                                           cols, rows))
            if session is None:
                return
            if early:
                session.feed(early)

            def naws(new_rows: int, new_cols: int) -> None:
                writer.protocol.on_naws(new_rows, new_cols)
                session.resize(new_cols, new_rows)

            writer.set_ext_callback(NAWS, naws)
            while not channel.closed.is_set():
                reading = asyncio.ensure_future(reader.read(4096))
                closing = asyncio.ensure_future(channel.closed.wait())
                done, _ = await asyncio.wait({reading, closing},
                                             return_when=asyncio.FIRST_COMPLETED)
                closing.cancel()
                if reading not in done:
                    reading.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await reading
                    break
                data = reading.result()
                if not data:
                    session.hangup()
                    break
                session.feed(data)
        finally:
            if authenticated:
                seconds = time.monotonic() - connected
                manager.record("disconnect", peer=peer, detail=f"telnet after {seconds:.0f} s")
            else:
                manager.count("telnet", address, "connects")
            writer.close()

    return shell


class RfTelnetServer(telnetlib3.TelnetServer):
    """telnetlib3's server, except that a locked-out address is closed before negotiation."""

    def __init__(self, manager: SessionManager, throttle: AuthThrottle, **options: Any) -> None:
        super().__init__(**options)
        self.manager = manager
        self.throttle = throttle
        self.refused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if peer else "?"
        if self.throttle.locked(address):
            self.refused = True
            self.manager.count("telnet", address, "refused")
            if isinstance(transport, asyncio.WriteTransport):
                transport.abort()
            else:
                transport.close()
            return
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.refused:
            super().connection_lost(exc)


async def start_telnet_server(manager: SessionManager, *, host: str, port: int,
                              password: str | None = None,
                              throttle: AuthThrottle | None = None,
                              login_timeout: float = 60.0) -> asyncio.Server:
    """Listen for telnet RF terminals: character mode (WILL SGA, WILL ECHO), bytes as they are;
    with a device password, every connection is asked for it first (throttled as SSH is)."""
    log.warning("%s (port %d)", WARNING, port)
    shared = AuthThrottle() if throttle is None else throttle
    shell = make_shell(manager, None if password is None else DevicePassword(password, shared),
                       login_timeout=login_timeout)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: RfTelnetServer(manager, shared, shell=shell, encoding=False,
                               connect_maxwait=1.0, timeout=False),
        host, port)
