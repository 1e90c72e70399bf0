"""A simulated scale on a local TCP port, and the line formats real scales send.

For the scale adapter's tests, `wms scale read` and an end-to-end pack test:

    with SimulatedScale(settling("1.234")) as scale:
        weight = read_stable_weight(scale.address, timeout=10)
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Sequence
from decimal import Decimal
from types import TracebackType
from typing import Literal

Style = Literal["a&d", "sics", "plain"]
# After its lines the scale keeps the connection open and silent, hangs up, or repeats the
# last line as a continuous scale does until the client hangs up.
Ending = Literal["hold", "close", "repeat"]

_POLL_SECONDS = 0.05
# Between repeated lines: a real scale sends 5 to 20 lines a second.
_REPEAT_SECONDS = 0.01


def _signed(value: Decimal | str) -> tuple[str, str]:
    number = Decimal(value)
    return ("-" if number < 0 else "+"), f"{abs(number):f}"


def ad_line(value: Decimal | str, unit: str = "kg", *, stable: bool = True,
            basis: Literal["GS", "NT"] = "GS") -> str:
    """A&D (and CAS) style: `ST,GS,+  1.234kg`; US when unstable."""
    sign, number = _signed(value)
    return f"{'ST' if stable else 'US'},{basis},{sign}{number:>7}{unit}"


def sics_line(value: Decimal | str, unit: str = "kg", *, stable: bool = True) -> str:
    """Mettler Toledo SICS: `S S      1.234 kg`; `S D` when dynamic (unstable)."""
    sign, number = _signed(value)
    shown = number if sign == "+" else f"-{number}"
    return f"S {'S' if stable else 'D'} {shown:>10} {unit}"


def plain_line(value: Decimal | str, unit: str = "kg", *, stable: bool = True) -> str:
    """A bare value: `+001.234 kg` when stable, `  1.234 kg  ?` when not."""
    sign, number = _signed(value)
    if stable:
        return f"{sign}{number:0>7} {unit}"
    return f"{'-' if sign == '-' else ' '}{number:>6} {unit}  ?"


LINE_STYLES = {"a&d": ad_line, "sics": sics_line, "plain": plain_line}


def settling(weight: str, unit: str = "kg", *, style: Style = "a&d", moving: int = 3,
             stable: int = 3) -> list[str]:
    """A load put on the scale: an empty stable line, moving readings climbing to the weight,
    then stable readings of it."""
    line = LINE_STYLES[style]
    target = Decimal(weight)
    climbing = [line((target * (step + 1) / (moving + 1)).quantize(target), unit, stable=False)
                for step in range(moving)]
    zero = line(Decimal(0).quantize(target), unit, stable=True)
    return [zero, *climbing, *[line(target, unit, stable=True)] * stable]


class SimulatedScale:
    """A TCP scale on 127.0.0.1 that sends every client the same lines, then ends as told.

    chunk cuts the bytes into writes of that many bytes, across line ends, as a
    serial-to-Ethernet converter does.
    """

    def __init__(self, lines: Sequence[str | bytes], *, ending: Ending = "hold",
                 line_end: bytes = b"\r\n", chunk: int | None = None) -> None:
        self.lines = [line if isinstance(line, bytes) else line.encode("ascii") for line in lines]
        self.ending = ending
        self.line_end = line_end
        self.chunk = chunk
        self.connections = 0
        # Set once a client has been sent all the lines (they wait in its socket buffer).
        self.sent = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(_POLL_SECONDS)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def port(self) -> int:
        port: int = self._server.getsockname()[1]
        return port

    @property
    def address(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def __enter__(self) -> SimulatedScale:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._server.close()
        assert not self._thread.is_alive(), "the simulated scale did not stop"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            # The reader hangs up once it has its weight.
            with client, contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._talk(client)

    def _send(self, client: socket.socket, data: bytes) -> None:
        step = self.chunk or len(data) or 1
        for start in range(0, len(data), step):
            client.sendall(data[start : start + step])

    def _talk(self, client: socket.socket) -> None:
        self._send(client, b"".join(line + self.line_end for line in self.lines))
        self.sent.set()
        if self.ending == "close":
            return
        if self.ending == "repeat":
            last = self.lines[-1] + self.line_end
            while not self._stop.wait(_REPEAT_SECONDS):
                self._send(client, last)
            return
        client.settimeout(_POLL_SECONDS)
        while not self._stop.is_set():
            try:
                if not client.recv(64):
                    return
            except TimeoutError:
                continue
