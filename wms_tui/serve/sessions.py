"""RF sessions: one pseudo-terminal and one app process per connection, and their limits.

The network side (SSH or telnet) hands a connection over as a Channel; the session opens a
pty with the client's window size, has the launcher start the app on its slave side, and
pumps bytes between the channel and the pty master. The manager admits sessions up to the
limit, ends idle ones, writes the audit log, logs one line per session start and end, and
ends them all gracefully when the server stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import itertools
import logging
import os
import re
import signal
import struct
import termios
import textwrap
import time
import tty
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from wms_tui.db.connection_slots import LingerSwitch
from wms_tui.domain.text import shown
from wms_tui.serve.audit import AuditLog, ConnectTally
from wms_tui.serve.capacity import default_max_sessions
from wms_tui.serve.session import SessionSpec
from wms_tui.serve.zygote import Launcher, SessionProcess, signal_session

log = logging.getLogger("wms_tui.serve")

# Input held for an app that is not reading (it is starting or stuck); beyond it, keys drop.
MAX_PENDING_INPUT = 65536
# A multi-byte character split across two packets is completed within this time, or it was
# never UTF-8 but an 8-bit terminal's byte.
SPLIT_CHARACTER_WAIT = 0.1
# How long an app may take to end after it was told to (hang-up, idle, shutdown).
END_GRACE = 15.0

BUSY_MESSAGE = "Server busy: {count} sessions, try later"
IDLE_MESSAGE = "Idle timeout: logged out. Your work is saved."
STOP_MESSAGE = "Server stopping: your work is saved. Reconnect later."


class Channel(Protocol):
    """What a session needs from a network connection."""

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...


# What a client may name its terminal (SSH user name, telnet NEW-ENVIRON USER) and its terminal
# type (pty request, TTYPE); anything else is replaced, so no client text lands raw anywhere.
TERMINAL_ID = re.compile(r"[A-Za-z0-9_.:-]{1,40}")
TERM_TYPE = re.compile(r"[A-Za-z0-9_.+-]{1,40}")
# Terminal IDs are shown in the header of a 20-column screen.
TERMINAL_ID_WIDTH = 20


def terminal_id(name: str, default: str, *, peer: str = "?") -> str:
    """The terminal ID a client asked for, upper-cased, or the default when it named none or
    one outside TERMINAL_ID (logged, escaped, so an admin can find the device)."""
    if not name:
        return default[:TERMINAL_ID_WIDTH]
    if TERMINAL_ID.fullmatch(name):
        return name.upper()[:TERMINAL_ID_WIDTH]
    log.warning("terminal name '%s' from %s refused (only letters, digits and _.:-, at most "
                "40); using %s", shown(name, 40), peer, default)
    return default[:TERMINAL_ID_WIDTH]


def terminal_type(name: str, default: str = "vt100") -> str:
    """The terminal type a client announced, lower-cased, or the default for anything odd."""
    return name.lower() if TERM_TYPE.fullmatch(name) else default


@dataclass(frozen=True)
class SessionRequest:
    """A connection asking for an RF session, with what its client said about its terminal."""

    protocol: str
    peer: str
    terminal_id: str
    term: str
    cols: int
    rows: int


def _utf8_length(lead: int) -> int:
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


class InputTranscoder:
    """Client bytes made into valid UTF-8, because Textual's input thread dies on anything else.

    Valid UTF-8 passes through. Other bytes come from 8-bit terminals (a VT220 in 8-bit mode,
    a Latin-1 keyboard): C1 controls become their 7-bit ESC forms (0x9B CSI is ESC [) and the
    rest are read as Latin-1. Telnet's CR LF and CR NUL for Enter become CR, or the app would
    see Enter followed by Ctrl-J, a second Enter.
    """

    def __init__(self, telnet: bool = False) -> None:
        self.telnet = telnet
        self.pending = b""
        self.after_cr = False

    def feed(self, data: bytes) -> bytes:
        data, self.pending = self.pending + data, b""
        out = bytearray()
        i = 0
        while i < len(data):
            byte = data[i]
            if byte < 0x80:
                if self.telnet and self.after_cr and byte in (0x0A, 0x00):
                    self.after_cr = False
                    i += 1
                    continue
                self.after_cr = byte == 0x0D
                out.append(byte)
                i += 1
                continue
            self.after_cr = False
            length = _utf8_length(byte)
            if length:
                chunk = data[i:i + length]
                if len(chunk) < length and all(0x80 <= b <= 0xBF for b in chunk[1:]):
                    self.pending = chunk
                    break
                try:
                    chunk.decode("utf-8")
                except UnicodeDecodeError:
                    pass
                else:
                    out += chunk
                    i += length
                    continue
            out += _eight_bit(byte)
            i += 1
        return bytes(out)

    def flush(self) -> bytes:
        """A split character that never completed: its bytes were 8-bit characters."""
        data, self.pending = self.pending, b""
        return b"".join(_eight_bit(b) for b in data)


def _eight_bit(byte: int) -> bytes:
    if byte < 0xA0:
        return bytes((0x1B, byte - 0x40))
    return chr(byte).encode()


def screen_message(text: str, cols: int) -> bytes:
    """A message for a terminal that is no longer running the app, wrapped to its width."""
    lines = textwrap.wrap(text, max(cols, 10)) or [""]
    return ("\r\n" + "\r\n".join(lines) + "\r\n").encode()


def set_window_size(fd: int, cols: int, rows: int) -> None:
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def _duration(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:d}:{whole // 60 % 60:02d}:{whole % 60:02d}"


@dataclass(eq=False)
class RfSession:
    """One connection's app on its pty, from launch to the end of the app process."""

    manager: SessionManager
    channel: Channel
    request: SessionRequest
    number: int
    started: float = field(default_factory=time.monotonic)
    last_input: float = field(default_factory=time.monotonic)
    master: int | None = None
    process: SessionProcess | None = None
    hung_up: bool = False
    told_to_end: float | None = None
    end_reason: str = ""
    end_message: str = ""
    _early_input: bytearray = field(default_factory=bytearray)
    _unwritten: bytearray = field(default_factory=bytearray)
    _idle_timer: asyncio.TimerHandle | None = None
    _flush_timer: asyncio.TimerHandle | None = None
    _output_done: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.cols, self.rows = self.request.cols, self.request.rows
        self.transcoder = InputTranscoder(telnet=self.request.protocol == "telnet")

    async def run(self) -> None:
        """Start the app, pump bytes until it ends, then close the connection."""
        loop = asyncio.get_running_loop()
        request = self.request
        master, slave = os.openpty()
        self.master = master
        try:
            set_window_size(master, self.cols, self.rows)
            # Raw from the start: keys typed before the app is up are neither echoed nor
            # turned into signals.
            tty.setraw(slave)
            os.set_blocking(master, False)
            spec = SessionSpec(self.manager.database_url, request.term, request.terminal_id,
                               request.peer, demo=self.manager.demo,
                               scenario=self.manager.scenario, session=self.number,
                               pg_slots_path=self.manager.pg_slots_path,
                               pg_slots=self.manager.pg_slots)
            try:
                self.process = await self.manager.launch(spec, slave)
            finally:
                os.close(slave)
        except Exception:
            log.exception("session %d: starting the app failed", self.number)
            os.close(master)
            self.master = None
            self.channel.write(screen_message("System error: no session. Try again.",
                                              request.cols))
            self.channel.close()
            return
        log.info("session %d %s %s from %s started: pid %d, %s, %dx%d, %s", self.number,
                 request.protocol, request.terminal_id, request.peer, self.process.pid,
                 request.term, request.cols, request.rows, self.manager.launcher.name)
        loop.add_reader(master, self._readable)
        if self._early_input:
            self._write_input(bytes(self._early_input))
            self._early_input.clear()
        if self.hung_up:
            signal_session(self.process, signal.SIGHUP)
        self._arm_idle_timer()
        status = await self._wait_for_end()
        # The app's last frame (leaving the alternate screen) reaches the terminal first.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._output_done.wait(), 2)
        self._close_master()
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        if not self.hung_up:
            if self.end_message:
                self.channel.write(screen_message(self.end_message, self.cols))
            self.channel.close()
        failed = status not in (0, None) and not self.end_reason and not self.hung_up
        reason = self.end_reason or ("hangup" if self.hung_up else
                                     "system error" if failed else "logout")
        # A session that ended on an error is an error in the log, never a clean logout.
        log.log(logging.ERROR if failed else logging.INFO,
                "session %d %s %s from %s ended after %s (%s, exit %s)", self.number,
                request.protocol, request.terminal_id, request.peer,
                _duration(time.monotonic() - self.started), reason, status)

    async def _wait_for_end(self) -> int | None:
        assert self.process is not None
        waiting = asyncio.ensure_future(self.process.wait())
        while True:
            done, _ = await asyncio.wait({waiting}, timeout=1.0)
            if done:
                try:
                    return waiting.result()
                except OSError:
                    # The zygote died: the pty's end is the session's end.
                    await self._output_done.wait()
                    return None
            told = self.told_to_end
            if told is not None and time.monotonic() - told > END_GRACE:
                log.warning("session %d did not end in %.0f s: killed", self.number, END_GRACE)
                signal_session(self.process, signal.SIGKILL)
                self.told_to_end = time.monotonic()

    def _readable(self) -> None:
        assert self.master is not None
        while True:
            try:
                data = os.read(self.master, 65536)
            except BlockingIOError:
                return
            except OSError as exc:
                if exc.errno != errno.EIO:
                    log.warning("session %d: pty read: %s", self.number, exc)
                data = b""
            if not data:
                # Every slave fd is closed: the app has ended.
                asyncio.get_running_loop().remove_reader(self.master)
                self._output_done.set()
                return
            if not self.hung_up:
                self.channel.write(data)

    def _close_master(self) -> None:
        if self.master is None:
            return
        loop = asyncio.get_running_loop()
        loop.remove_reader(self.master)
        loop.remove_writer(self.master)
        os.close(self.master)
        self.master = None

    # Input from the client.

    def feed(self, data: bytes) -> None:
        self.last_input = time.monotonic()
        text = self.transcoder.feed(data)
        if self.transcoder.pending and self._flush_timer is None:
            loop = asyncio.get_running_loop()
            self._flush_timer = loop.call_later(SPLIT_CHARACTER_WAIT, self._flush_split)
        self._write_input(text)

    def _flush_split(self) -> None:
        self._flush_timer = None
        self._write_input(self.transcoder.flush())

    def _write_input(self, data: bytes) -> None:
        if not data:
            return
        if self.master is None or self.process is None:
            if len(self._early_input) + len(data) <= MAX_PENDING_INPUT:
                self._early_input += data
            return
        if self._unwritten:
            if len(self._unwritten) + len(data) <= MAX_PENDING_INPUT:
                self._unwritten += data
            return
        try:
            written = os.write(self.master, data)
        except BlockingIOError:
            written = 0
        except OSError:
            return
        if written < len(data):
            self._unwritten += data[written:]
            asyncio.get_running_loop().add_writer(self.master, self._writable)

    def _writable(self) -> None:
        assert self.master is not None
        try:
            written = os.write(self.master, self._unwritten)
        except BlockingIOError:
            return
        except OSError:
            written = len(self._unwritten)
        del self._unwritten[:written]
        if not self._unwritten:
            asyncio.get_running_loop().remove_writer(self.master)

    def resize(self, cols: int, rows: int) -> None:
        """A window change (SSH) or NAWS (telnet): the app re-lays out for the new size."""
        if cols <= 0 or rows <= 0:
            return
        self.cols, self.rows = cols, rows
        if self.master is None:
            return  # the pty is opened with the latest size
        set_window_size(self.master, cols, rows)
        if self.process is not None:
            signal_session(self.process, signal.SIGWINCH)

    # Ends.

    def hangup(self) -> None:
        """The connection is gone: the app saves nothing more (it saved every step) and ends."""
        if self.hung_up:
            return
        self.hung_up = True
        self.told_to_end = time.monotonic()
        if self.process is not None:
            signal_session(self.process, signal.SIGHUP)

    def end(self, signum: int, reason: str, message: str) -> None:
        """End the session from the server's side, telling the operator why afterwards."""
        if self.end_reason or self.hung_up:
            return
        self.end_reason, self.end_message = reason, message
        self.told_to_end = time.monotonic()
        if self.process is not None:
            signal_session(self.process, signum)

    def _arm_idle_timer(self) -> None:
        timeout = self.manager.idle_timeout
        if not timeout:
            return
        left = self.last_input + timeout - time.monotonic()
        loop = asyncio.get_running_loop()
        if left > 0:
            self._idle_timer = loop.call_later(left, self._arm_idle_timer)
        else:
            self._idle_timer = None
            self.end(signal.SIGUSR1, "idle timeout", IDLE_MESSAGE)


class SessionManager:
    """Admits sessions up to a limit and keeps track of them until they end."""

    def __init__(self, launcher: Launcher, database_url: str, audit: AuditLog | None, *,
                 max_sessions: int | None = None, idle_timeout: float = 900.0,
                 demo: bool = False, scenario: str | None = None,
                 pg_slots_path: str | None = None, pg_slots: int = 0) -> None:
        self.launcher = launcher
        self.database_url = database_url
        # PostgreSQL: the connection slots every session shares (serve/server.py sizes them).
        self.pg_slots_path = pg_slots_path
        self.pg_slots = pg_slots
        self.linger = None if pg_slots_path is None else LingerSwitch(pg_slots_path, pg_slots)
        self.demo = demo
        self.scenario = scenario
        self.audit = audit
        self.tally = ConnectTally()
        # None: as many as the available memory holds.
        self.max_sessions = default_max_sessions()[0] if max_sessions is None else max_sessions
        self.idle_timeout = idle_timeout
        self.sessions: set[RfSession] = set()
        self.stopping = False
        self._numbers = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()
        self._writes: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    async def launch(self, spec: SessionSpec, slave_fd: int) -> SessionProcess:
        return await self.launcher.launch(spec, slave_fd)

    def record(self, event: str, *, peer: str, terminal: str | None = None,
               login: str | None = None, detail: str = "") -> None:
        """Write an audit row off the event loop; a failing audit log never stops a session.

        Only for authenticated devices: what comes before authentication goes to `count`.
        """
        if self.audit is None:
            return
        audit = self.audit

        def write() -> None:
            try:
                audit.record(event, login=login, peer=peer, terminal=terminal, detail=detail)
            except Exception:
                log.exception("audit of %s from %s failed", event, peer)

        self._off_loop(write)

    def count(self, protocol: str, address: str, what: str) -> None:
        """Count a connection's pre-authentication event in memory: no database write."""
        self.tally.count(protocol, address, what)

    def write_tally(self) -> asyncio.Task[None] | None:
        """Write what the tally counted since it was last written, as summary rows."""
        if self.audit is None or not self.tally:
            return None
        audit, rows = self.audit, self.tally.drain()

        def write() -> None:
            try:
                audit.record_rows(rows)
            except Exception:
                log.exception("audit of %d connect summaries failed", len(rows))

        return self._off_loop(write)

    def _off_loop(self, write: Callable[[], None]) -> asyncio.Task[None]:
        task = asyncio.ensure_future(asyncio.to_thread(write))
        self._tasks.add(task)
        self._writes.add(task)
        task.add_done_callback(self._tasks.discard)
        task.add_done_callback(self._writes.discard)
        return task

    async def audit_written(self) -> None:
        """Wait until the audit rows asked for so far are written (or failed)."""
        while self._writes:
            await asyncio.wait(set(self._writes))

    def open(self, channel: Channel, request: SessionRequest) -> RfSession | None:
        """Start a session for the connection, or refuse it with a message on its screen."""
        if self.stopping or len(self.sessions) >= self.max_sessions:
            message = (STOP_MESSAGE if self.stopping
                       else BUSY_MESSAGE.format(count=len(self.sessions)))
            log.warning("%s %s from %s refused: %s", request.protocol, request.terminal_id,
                        request.peer, message)
            self.record("refused", peer=request.peer, terminal=request.terminal_id,
                        detail=message)
            channel.write(screen_message(message, request.cols))
            channel.close()
            return None
        session = RfSession(self, channel, request, next(self._numbers))
        self.sessions.add(session)
        if self.linger is not None:
            self.linger.sessions(len(self.sessions))
        self._idle.clear()
        task = asyncio.ensure_future(session.run())
        self._tasks.add(task)
        task.add_done_callback(lambda t: self._finished(session, t))
        return session

    def _finished(self, session: RfSession, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self.sessions.discard(session)
        if self.linger is not None:
            self.linger.sessions(len(self.sessions))
        if not task.cancelled() and task.exception() is not None:
            log.error("session %d failed", session.number, exc_info=task.exception())
        if not self.sessions:
            self._idle.set()

    async def stop(self, grace: float = END_GRACE) -> None:
        """Refuse new sessions, tell every app to end (saving its work), wait for them."""
        self.stopping = True
        for session in list(self.sessions):
            session.end(signal.SIGTERM, "server stopping", STOP_MESSAGE)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._idle.wait(), grace + 5)
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=5)


Connect = Callable[[Channel, SessionRequest], RfSession | None]
