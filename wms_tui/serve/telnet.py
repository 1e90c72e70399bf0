"""The telnet side of `wms serve`, for RF guns whose emulator speaks nothing else.

Off unless `--telnet-port` is given: telnet is unencrypted, so user IDs and PINs cross the
network in the clear. Terminal type comes from TTYPE, window size from NAWS (and its changes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

import telnetlib3
from telnetlib3.telopt import NAWS

from wms_tui.serve.sessions import SessionManager, SessionRequest

log = logging.getLogger("wms_tui.serve")

WARNING = ("telnet is unencrypted: user IDs and PINs cross the network in the clear; "
           "use it only on a network you trust")
# How long to wait for the client's terminal type and window size after negotiation.
TERMINAL_INFO_WAIT = 2.0


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


def make_shell(manager: SessionManager) -> Any:
    async def shell(reader: Any, writer: Any) -> None:
        peer_info = writer.get_extra_info("peername")
        peer = f"{peer_info[0]}:{peer_info[1]}" if peer_info else "?"
        connected = time.monotonic()
        manager.record("connect", peer=peer, detail="telnet")
        try:
            await _terminal_info(writer)
            term = str(writer.get_extra_info("TERM") or "vt100").lower()
            cols = int(writer.get_extra_info("cols") or 80)
            rows = int(writer.get_extra_info("rows") or 24)
            user = str(writer.get_extra_info("USER") or "")
            terminal_id = (user.upper() or (peer_info[0] if peer_info else "TELNET"))[:20]
            channel = _TelnetChannel(writer)
            session = manager.open(channel, SessionRequest("telnet", peer, terminal_id, term,
                                                           cols, rows))
            if session is None:
                return

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
            seconds = time.monotonic() - connected
            manager.record("disconnect", peer=peer, detail=f"telnet after {seconds:.0f} s")
            writer.close()

    return shell


async def start_telnet_server(manager: SessionManager, *, host: str, port: int) -> Any:
    """Listen for telnet RF terminals: character mode (WILL SGA, WILL ECHO), bytes as they are."""
    log.warning("%s (port %d)", WARNING, port)
    return await telnetlib3.create_server(
        host=host, port=port, shell=make_shell(manager), encoding=False,
        connect_maxwait=1.0, timeout=False,
    )
