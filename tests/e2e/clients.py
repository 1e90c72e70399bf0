"""Real terminal clients for end-to-end tests, each rendering what it receives into pyte.

The asyncssh client, the system's OpenSSH `ssh` binary on a pseudo-terminal, and a telnetlib3
client all look the same to a test: wait for text on the screen, type, resize, drop the link.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import struct
import subprocess
import termios
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import asyncssh
import pyte
import telnetlib3

WAIT = 20.0


class Screen:
    """A VT100/VT220 screen (pyte) plus every byte that was drawn on it."""

    def __init__(self, cols: int, rows: int) -> None:
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.raw = bytearray()

    def feed(self, data: bytes) -> None:
        self.raw += data
        self.stream.feed(data)

    def resize(self, cols: int, rows: int) -> None:
        self.screen.resize(rows, cols)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def words(self) -> str:
        return " ".join(self.text().split())


class Terminal:
    """What every client shares: the screen, waiting for text, typing."""

    def __init__(self, cols: int, rows: int) -> None:
        self.screen = Screen(cols, rows)
        self.closed = asyncio.Event()

    def received(self, data: bytes) -> None:
        self.screen.feed(data)

    def send(self, data: bytes) -> None:
        raise NotImplementedError

    async def wait_for(self, *texts: str, timeout: float = WAIT) -> str:
        """Wait until every text is on the screen (words joined by single spaces)."""
        end = time.monotonic() + timeout
        while True:
            words = self.screen.words()
            if all(text in words for text in texts):
                return self.screen.text()
            if time.monotonic() > end or self.closed.is_set():
                raise AssertionError(f"{texts!r} not on screen:\n{self.screen.text()}")
            await asyncio.sleep(0.02)

    async def wait_until(self, check: Callable[[list[str]], bool],
                         timeout: float = WAIT) -> list[str]:
        """Wait until check(rows of the screen) holds."""
        end = time.monotonic() + timeout
        while True:
            lines = self.screen.text().split("\n")
            if check(lines):
                return lines
            if time.monotonic() > end or self.closed.is_set():
                raise AssertionError(f"never true on screen:\n{self.screen.text()}")
            await asyncio.sleep(0.02)

    async def wait_closed(self, timeout: float = WAIT) -> None:
        await asyncio.wait_for(self.closed.wait(), timeout)

    async def enter(self, text: str, *expect: str) -> str:
        """Type text and Enter (as a scanner sends it), then wait for what should follow."""
        self.send(text.encode() + b"\r")
        return await self.wait_for(*expect) if expect else self.screen.text()

    async def key(self, text: str, *expect: str) -> str:
        self.send(text.encode())
        return await self.wait_for(*expect) if expect else self.screen.text()

    async def answer(self, number: str, *expect: str) -> str:
        """Answer a question as a person does: the number, seen on screen, then Enter.

        A question refuses a scanner burst, so the two keys must reach the app as two reads.
        """
        self.send(number.encode())
        await self.wait_for(f">{number}_")
        self.send(b"\r")
        return await self.wait_for(*expect) if expect else self.screen.text()

    async def login(self, user: str = "OP1", pin: str = "1234") -> None:
        await self.wait_for("User ID")
        await self.enter(user, "PIN")
        await self.enter(pin, "0 Logout")

    async def login_screen_then(self, user: str, pin: str) -> str:
        """Log in and wait for what follows: the menu, or the offer to resume on top of it."""
        await self.wait_for("User ID")
        await self.enter(user, "PIN")
        self.send(pin.encode() + b"\r")
        await self.wait_for("0 Logout")
        await asyncio.sleep(0.3)  # the resume offer opens right after the menu is drawn
        return self.screen.text()

    async def close(self) -> None:
        raise NotImplementedError


class _SshSession(asyncssh.SSHClientSession[bytes]):
    def __init__(self, terminal: SshTerminal) -> None:
        self.terminal = terminal

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self.terminal.received(data)

    def connection_lost(self, exc: Exception | None) -> None:
        self.terminal.closed.set()


class SshTerminal(Terminal):
    """The asyncssh client with a pty of the given type and size."""

    def __init__(self, cols: int, rows: int) -> None:
        super().__init__(cols, rows)
        self.conn: asyncssh.SSHClientConnection | None = None
        self.chan: asyncssh.SSHClientChannel[bytes] | None = None

    @classmethod
    async def connect(cls, port: int, *, term: str = "vt220", cols: int = 20, rows: int = 16,
                      username: str = "RF01", **options: Any) -> SshTerminal:
        terminal = cls(cols, rows)
        options.setdefault("client_keys", None)
        terminal.conn = await asyncssh.connect(
            "127.0.0.1", port, username=username, known_hosts=None, agent_path=None,
            **options)
        terminal.chan, _ = await terminal.conn.create_session(
            lambda: _SshSession(terminal), term_type=term, term_size=(cols, rows),
            encoding=None)
        return terminal

    def send(self, data: bytes) -> None:
        assert self.chan is not None
        self.chan.write(data)

    def resize(self, cols: int, rows: int) -> None:
        assert self.chan is not None
        self.screen.resize(cols, rows)
        self.chan.change_terminal_size(cols, rows)

    def drop(self) -> None:
        """The link dies under the terminal: no SSH goodbye, the TCP connection just ends."""
        assert self.conn is not None
        self.conn.abort()
        self.closed.set()

    async def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.conn.wait_closed(), 5)


class OpenSshTerminal(Terminal):
    """The system's `ssh` binary on a pseudo-terminal of the given size, as a user runs it."""

    def __init__(self, cols: int, rows: int) -> None:
        super().__init__(cols, rows)
        self.master = -1
        self.proc: subprocess.Popen[bytes] | None = None

    @classmethod
    async def connect(cls, port: int, key: Path, *, term: str = "vt220", cols: int = 80,
                      rows: int = 24, username: str = "RF02") -> OpenSshTerminal:
        terminal = cls(cols, rows)
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        env = {k: v for k, v in os.environ.items()
               if k not in ("COLUMNS", "LINES", "SSH_AUTH_SOCK")}
        env["TERM"] = term
        terminal.proc = subprocess.Popen(
            ["ssh", "-tt", "-F", "/dev/null", "-o", "StrictHostKeyChecking=no",
             "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
             "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-i", str(key), "-p", str(port),
             f"{username}@127.0.0.1"],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        terminal.master = master
        os.set_blocking(master, False)
        asyncio.get_running_loop().add_reader(master, terminal._readable)
        return terminal

    def _readable(self) -> None:
        try:
            data = os.read(self.master, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            asyncio.get_running_loop().remove_reader(self.master)
            self.closed.set()
            return
        self.received(data)

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    async def close(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            await asyncio.to_thread(self.proc.wait, 10)
        with contextlib.suppress(ValueError, OSError):
            asyncio.get_running_loop().remove_reader(self.master)
        with contextlib.suppress(OSError):
            os.close(self.master)


class TelnetTerminal(Terminal):
    """A telnetlib3 client announcing its terminal type (TTYPE) and size (NAWS)."""

    def __init__(self, cols: int, rows: int) -> None:
        super().__init__(cols, rows)
        self.writer: Any = None
        self.task: asyncio.Task[None] | None = None

    @classmethod
    async def connect(cls, port: int, *, term: str = "vt220", cols: int = 40,
                      rows: int = 8) -> TelnetTerminal:
        terminal = cls(cols, rows)
        reader, terminal.writer = await telnetlib3.open_connection(
            "127.0.0.1", port, encoding=False, term=term, cols=cols, rows=rows,
            connect_maxwait=1.0)
        terminal.task = asyncio.ensure_future(terminal._pump(reader))
        return terminal

    async def _pump(self, reader: Any) -> None:
        while True:
            data = await reader.read(4096)
            if not data:
                self.closed.set()
                return
            self.received(data)

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def close(self) -> None:
        self.writer.close()
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.task
