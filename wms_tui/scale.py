"""Read a stable weight from a scale's continuous ASCII output, over TCP or a serial line.

An address is `tcp://host:port` (a network scale or a serial-to-Ethernet converter) or
`serial:/dev/ttyUSB0` (a serial device, opened read-only; set its speed and framing with
`stty`). Reading blocks for at most the timeout, so call it from a worker thread, never from
the event loop. What the lines mean is decided in `domain/weights.py`.
"""

from __future__ import annotations

import contextlib
import os
import select
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, Protocol
from urllib.parse import urlsplit

from wms_tui.domain.errors import N_, BadInput
from wms_tui.domain.text import shown
from wms_tui.domain.weights import ScaleError, StableWeightWatch, Weight

# A line longer than this is noise (a wrong baud rate); it is dropped, never kept whole.
MAX_LINE_BYTES = 256
_READ_BYTES = 4096


@dataclass(frozen=True)
class ScaleAddress:
    """Where a scale's output comes from: a TCP host and port, or a serial device path."""

    kind: Literal["tcp", "serial"]
    host: str = ""
    port: int = 0
    path: str = ""

    def __str__(self) -> str:
        if self.kind == "serial":
            return f"serial:{self.path}"
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"tcp://{host}:{self.port}"


def parse_scale_address(text: str) -> ScaleAddress:
    """`tcp://host:port` or `serial:/dev/…`; anything else is refused as bad input."""
    text = text.strip()
    if text.startswith("serial:"):
        path = text.removeprefix("serial:").removeprefix("//")
        if path.startswith("/") and len(path) > 1 and path.isprintable():
            return ScaleAddress("serial", path=path)
    elif text.startswith("tcp://"):
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            port = None
        else:
            if parts.hostname and port and not parts.path.strip("/") and not parts.query:
                return ScaleAddress("tcp", host=parts.hostname, port=port)
    raise BadInput(N_("Scale address {address}: use tcp://host:port or serial:/dev/…"),
                   address=shown(text, 60))


class LineSource(Protocol):
    """Lines of a scale's output, each read waiting no later than a monotonic deadline."""

    def read_line(self, deadline: float) -> str | None:
        """The next line, None at the deadline; raises EOFError when the scale hangs up."""
        ...


class _Lines:
    """Cuts bytes into lines at CR or LF, dropping any line longer than MAX_LINE_BYTES."""

    def __init__(self) -> None:
        self._buffer = b""
        self._overlong = False
        self._ready: list[str] = []

    def feed(self, data: bytes) -> None:
        self._buffer += data
        *complete, self._buffer = self._buffer.replace(b"\r", b"\n").split(b"\n")
        for raw in complete:
            if not self._overlong and len(raw) <= MAX_LINE_BYTES:
                # A wrong baud rate gives bytes past ASCII: they become U+FFFD, not an error.
                self._ready.append(raw.decode("ascii", errors="replace"))
            self._overlong = False
        if len(self._buffer) > MAX_LINE_BYTES:
            self._buffer, self._overlong = b"", True

    def pop(self) -> str | None:
        return self._ready.pop(0) if self._ready else None


class TcpScale:
    """A scale's output over a TCP connection, opened for one read."""

    def __init__(self, address: ScaleAddress, deadline: float) -> None:
        self.address = address
        self._lines = _Lines()
        try:
            self._socket = socket.create_connection(
                (address.host, address.port), timeout=_remaining(deadline))
        except OSError as exc:
            raise _unreachable(address, exc) from exc

    def read_line(self, deadline: float) -> str | None:
        while (line := self._lines.pop()) is None:
            remaining = _remaining(deadline)
            if remaining <= 0:
                return None
            self._socket.settimeout(remaining)
            try:
                data = self._socket.recv(_READ_BYTES)
            except TimeoutError:
                return None
            except OSError as exc:
                raise EOFError(str(exc)) from exc
            if not data:
                raise EOFError("connection closed")
            self._lines.feed(data)
        return line

    def close(self) -> None:
        self._socket.close()


class SerialScale:
    """A scale's output on a serial device (or any readable file), opened read-only."""

    def __init__(self, address: ScaleAddress) -> None:
        self.address = address
        self._lines = _Lines()
        try:
            # O_NOCTTY: a scale's port must never become this process's controlling terminal.
            self._fd = os.open(address.path, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as exc:
            raise _unreachable(address, exc) from exc

    def read_line(self, deadline: float) -> str | None:
        while (line := self._lines.pop()) is None:
            remaining = _remaining(deadline)
            if remaining <= 0:
                return None
            readable, _, _ = select.select([self._fd], [], [], remaining)
            if not readable:
                return None
            try:
                data = os.read(self._fd, _READ_BYTES)
            except BlockingIOError:
                continue
            except OSError as exc:
                # A pty or USB adapter that goes away answers EIO.
                raise EOFError(str(exc)) from exc
            if not data:
                raise EOFError("end of file")
            self._lines.feed(data)
        return line

    def close(self) -> None:
        os.close(self._fd)


def _remaining(deadline: float) -> float:
    return deadline - time.monotonic()


def _unreachable(address: ScaleAddress, exc: OSError) -> ScaleError:
    reason = exc.strerror or str(exc) or type(exc).__name__
    return ScaleError(N_("Cannot reach scale {address}: {reason}"),
                      address=shown(str(address), 60), reason=reason)


@contextlib.contextmanager
def open_scale(address: ScaleAddress, deadline: float) -> Iterator[TcpScale | SerialScale]:
    """The scale's output, closed when the read is over."""
    scale = TcpScale(address, deadline) if address.kind == "tcp" else SerialScale(address)
    try:
        yield scale
    finally:
        scale.close()


def watch_lines(source: LineSource, watch: StableWeightWatch, deadline: float,
                seconds: float) -> Weight:
    """Feeds the source's lines to the watch until it answers, the deadline or a hang-up."""
    while True:
        try:
            line = source.read_line(deadline)
        except EOFError:
            raise watch.closed() from None
        if line is None:
            raise watch.timed_out(seconds)
        weight = watch.offer(line)
        if weight is not None:
            return weight


def read_stable_weight(source: str | ScaleAddress, timeout: float, samples: int = 1) -> Weight:
    """The first stable weight above zero (or `samples` equal ones in a row) from the scale.

    Raises ScaleError when the scale cannot be reached, hangs up, shows a negative weight or
    an overload, or gives no stable weight within timeout seconds (connecting included).
    """
    if not 0 < timeout <= 600:
        raise ValueError(f"timeout must be above 0 and at most 600 seconds, got {timeout}")
    address = parse_scale_address(source) if isinstance(source, str) else source
    watch = StableWeightWatch(samples)
    deadline = time.monotonic() + timeout
    with open_scale(address, deadline) as scale:
        return watch_lines(scale, watch, deadline, timeout)
