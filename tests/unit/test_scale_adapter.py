"""The scale adapter against a simulated TCP scale, and a serial line played by a pty."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import tty
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.scale_sim import SimulatedScale, Style, ad_line, plain_line, settling, sics_line
from wms_tui.domain.errors import BadInput
from wms_tui.domain.weights import ScaleError, StableWeightWatch, Weight
from wms_tui.scale import (
    MAX_LINE_BYTES,
    ScaleAddress,
    open_scale,
    parse_scale_address,
    read_stable_weight,
    watch_lines,
)

# Long enough for a loaded CI machine: a read that succeeds returns as soon as it can.
PATIENT = 30.0
# For reads that must time out whatever the machine's speed: the scale never settles.
SHORT = 0.3
KG = Decimal("1.234")


class TestAddress:
    @pytest.mark.parametrize(("text", "address"), [
        ("tcp://scale-3:4001", ScaleAddress("tcp", host="scale-3", port=4001)),
        ("tcp://10.0.0.7:23/", ScaleAddress("tcp", host="10.0.0.7", port=23)),
        ("tcp://[fe80::1]:4001", ScaleAddress("tcp", host="fe80::1", port=4001)),
        (" serial:/dev/ttyUSB0 ", ScaleAddress("serial", path="/dev/ttyUSB0")),
        ("serial:///dev/ttyS1", ScaleAddress("serial", path="/dev/ttyS1")),
    ])
    def test_reads_tcp_and_serial_addresses(self, text: str, address: ScaleAddress) -> None:
        assert parse_scale_address(text) == address
        assert parse_scale_address(str(address)) == address

    @pytest.mark.parametrize("text", [
        "", "scale-3:4001", "tcp://scale-3", "tcp://:4001", "tcp://scale-3:99999",
        "tcp://scale-3:x", "tcp://scale-3:4001/path", "tcp://scale-3:4001?q=1",
        "udp://scale-3:4001", "serial:", "serial:ttyUSB0", "serial:/", "serial:/dev/tty\x1b",
        "http://scale-3:80",
    ])
    def test_refuses_anything_else_as_bad_input(self, text: str) -> None:
        with pytest.raises(BadInput, match="use tcp://host:port or serial:/dev/"):
            parse_scale_address(text)

    def test_the_refusal_shows_a_hostile_address_escaped(self) -> None:
        with pytest.raises(BadInput) as refused:
            parse_scale_address("tcp://\x1b]0;owned\x07")
        assert "\x1b" not in str(refused.value) and "\\x1b" in str(refused.value)


def read_when_all_sent(scale: SimulatedScale, seconds: float) -> Weight:
    """Connects, waits until the scale has sent every line, then reads for seconds: what the
    timeout says then cannot depend on how fast a loaded machine delivers the lines."""
    deadline = time.monotonic() + PATIENT
    with open_scale(parse_scale_address(scale.address), deadline) as source:
        assert scale.sent.wait(PATIENT)
        return watch_lines(source, StableWeightWatch(), time.monotonic() + seconds, seconds)


class TestTcpScale:
    @pytest.mark.parametrize("style", ["a&d", "sics", "plain"])
    @pytest.mark.parametrize("chunk", [None, 1, 5])
    def test_reads_the_stable_weight_after_unstable_lines(self, style: Style,
                                                          chunk: int | None) -> None:
        with SimulatedScale(settling("1.234", style=style), chunk=chunk) as scale:
            weight = read_stable_weight(scale.address, timeout=PATIENT)
        assert (weight.value, weight.unit) == (KG, "kg")

    @pytest.mark.parametrize("line_end", [b"\r", b"\n", b"\r\n", b"\x03\r\n"])
    def test_any_line_end(self, line_end: bytes) -> None:
        with SimulatedScale(settling("0.75", "lb"), line_end=line_end) as scale:
            weight = read_stable_weight(scale.address, timeout=PATIENT)
        assert weight == Weight(Decimal("0.75"), "lb", "gross")

    def test_samples_wait_for_equal_readings_of_a_continuous_scale(self) -> None:
        lines = [ad_line("1.230"), ad_line("1.234"), ad_line("1.233"), ad_line("1.234")]
        with SimulatedScale(lines, ending="repeat") as scale:
            weight = read_stable_weight(scale.address, timeout=PATIENT, samples=5)
        assert weight == Weight(KG, "kg", "gross")
        assert scale.connections == 1

    def test_garbage_between_lines_is_skipped(self) -> None:
        lines: list[str | bytes] = [
            b"\xff\xfe\x00\x80", "#####", "ST,GS,+  1.2", "S I", sics_line("1.1", stable=False),
            # Past MAX_LINE_BYTES a line is noise, even one that would end in a weight.
            b" " * (MAX_LINE_BYTES * 40) + ad_line("9.999").encode(), "\x1b[2J",
            sics_line("1.234"),
        ]
        with SimulatedScale(lines, chunk=7) as scale:
            weight = read_stable_weight(scale.address, timeout=PATIENT)
        assert weight == Weight(KG, "kg")

    def test_a_stream_joined_midway_does_not_read_the_tail_of_a_line(self) -> None:
        # The first bytes are the end of "+001.234 kg": "34 kg" is not a weight of 34 kg.
        with SimulatedScale(["34 kg", plain_line("1.234")], chunk=3) as scale:
            weight = read_stable_weight(scale.address, timeout=PATIENT)
        assert weight == Weight(KG, "kg")

    def test_an_unstable_scale_times_out(self) -> None:
        with SimulatedScale([ad_line("1.234", stable=False)] * 3) as scale, \
                pytest.raises(ScaleError, match=r" in 0\.3s: "):
            read_stable_weight(scale.address, timeout=SHORT)

    @pytest.mark.parametrize(("lines", "message"), [
        ([ad_line("1.234", stable=False)] * 3, "No steady weight in 0.3s: keep the load still"),
        ([ad_line("0.000")] * 3, "Scale shows zero: put the load on"),
        (["W=1234 X", "W=1234 X"], "Scale output not understood: W=1234 X"),
        ([], "Scale sent nothing in 0.3s: check its cable"),
    ])
    def test_a_timeout_says_what_the_scale_sent(self, lines: list[str | bytes],
                                                message: str) -> None:
        with SimulatedScale(lines) as scale, pytest.raises(ScaleError) as refused:
            read_when_all_sent(scale, SHORT)
        assert str(refused.value) == message

    def test_a_disconnect_before_a_stable_weight_is_refused(self) -> None:
        lines = [ad_line("0.5", stable=False), "garbage"]
        with SimulatedScale(lines, ending="close") as scale, pytest.raises(ScaleError) as refused:
            read_stable_weight(scale.address, timeout=PATIENT)
        assert str(refused.value) == "Scale hung up: check it, then try again"

    def test_the_stable_weight_before_a_disconnect_counts(self) -> None:
        with SimulatedScale(settling("1.234"), ending="close") as scale:
            assert read_stable_weight(scale.address, timeout=PATIENT).value == KG

    @pytest.mark.parametrize(("line", "message"), [
        (ad_line("-0.012"), "Scale below zero: empty it and zero it"),
        ("S -", "Scale below zero: empty it and zero it"),
        ("OL,GS,+9999999 kg", "Scale overloaded: take the load off"),
        ("S +", "Scale overloaded: take the load off"),
        (ad_line("1.0", "oz"), "Scale sends oz: set it to kg, g or lb"),
    ])
    def test_a_negative_overloaded_or_foreign_scale_is_refused_at_once(
        self, line: str, message: str
    ) -> None:
        # The scale would settle right after, and the timeout is long: the refusal is at once.
        with SimulatedScale([ad_line("0.1", stable=False), line, *settling("1.234")]) as scale, \
                pytest.raises(ScaleError) as refused:
            read_stable_weight(scale.address, timeout=PATIENT)
        assert str(refused.value) == message

    def test_an_unreachable_scale_is_refused(self) -> None:
        with socket.create_server(("127.0.0.1", 0)) as probe:
            port = probe.getsockname()[1]
        with pytest.raises(ScaleError, match=rf"Cannot reach scale tcp://127.0.0.1:{port}: "):
            read_stable_weight(f"tcp://127.0.0.1:{port}", timeout=PATIENT)

    def test_a_bad_address_or_timeout_is_refused_before_connecting(self) -> None:
        with pytest.raises(BadInput):
            read_stable_weight("scale-3", timeout=PATIENT)
        with pytest.raises(ValueError, match="timeout"):
            read_stable_weight("tcp://127.0.0.1:1", timeout=0)


@pytest.fixture
def serial_line() -> Iterator[tuple[str, int]]:
    """A pty standing in for a serial port: its device path, and the scale's end to write."""
    scale_end, port_end = os.openpty()
    tty.setraw(port_end)
    try:
        yield os.ttyname(port_end), scale_end
    finally:
        os.close(port_end)
        with contextlib.suppress(OSError):  # a test may have hung the scale up already
            os.close(scale_end)


class TestSerialScale:
    def test_reads_lines_from_the_device(self, serial_line: tuple[str, int]) -> None:
        path, scale_end = serial_line
        os.write(scale_end, "\r\n".join([*settling("1.234", style="sics"), ""]).encode())
        weight = read_stable_weight(f"serial:{path}", timeout=PATIENT)
        assert weight == Weight(KG, "kg")

    def test_a_scale_writing_line_by_line(self, serial_line: tuple[str, int]) -> None:
        path, scale_end = serial_line

        def scale() -> None:
            for line in settling("2.5", "lb"):
                os.write(scale_end, (line + "\r\n").encode())

        writer = threading.Thread(target=scale)
        writer.start()
        try:
            weight = read_stable_weight(f"serial:{path}", timeout=PATIENT)
        finally:
            writer.join(PATIENT)
        assert weight == Weight(Decimal("2.5"), "lb", "gross")

    def test_a_quiet_line_times_out(self, serial_line: tuple[str, int]) -> None:
        path, _scale_end = serial_line
        with pytest.raises(ScaleError, match=r"Scale sent nothing in 0\.3s"):
            read_stable_weight(f"serial:{path}", timeout=SHORT)

    def test_an_unplugged_adapter_is_a_hang_up(self, serial_line: tuple[str, int]) -> None:
        path, scale_end = serial_line
        os.write(scale_end, (ad_line("1.0", stable=False) + "\r\n").encode())
        deadline = time.monotonic() + PATIENT
        with open_scale(parse_scale_address(f"serial:{path}"), deadline) as scale:
            os.close(scale_end)
            with pytest.raises(ScaleError, match="Scale hung up"):
                watch_lines(scale, StableWeightWatch(), deadline, PATIENT)

    def test_a_missing_device_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ScaleError, match=r"Cannot reach scale serial:.*No such file"):
            read_stable_weight(f"serial:{tmp_path / 'ttyUSB9'}", timeout=PATIENT)

    def test_a_recorded_file_reads_like_a_line(self, tmp_path: Path) -> None:
        recorded = tmp_path / "scale.log"
        recorded.write_text("\r\n".join(settling("1.234")) + "\r\n")
        assert read_stable_weight(f"serial:{recorded}", timeout=PATIENT).value == KG
