"""The input thread parses a bounded amount of a flood: the rest is dropped before it becomes
key events, until the terminal is quiet; keys the app has not taken are capped too."""

from __future__ import annotations

import logging
import os
import threading
import time
import tty
from typing import Any, cast

import pytest
from textual import events

from wms_tui import textual_compat
from wms_tui.input_limits import MAX_BURST_BYTES, MAX_QUEUED_KEYS, InputGate


def test_a_burst_is_parsed_up_to_the_cap_and_its_rest_dropped_until_quiet(
    caplog: pytest.LogCaptureFixture,
) -> None:
    gate = InputGate("session 7 RF07 from 10.0.0.7:5000")
    with caplog.at_level(logging.WARNING):
        assert gate.admit(b"x" * 3000) == 3000
        assert gate.admit(b"x" * 3000) == MAX_BURST_BYTES - 3000
        assert gate.admit(b"abc\r") == 0  # still the same burst: no pause yet
        gate.quiet()
        assert gate.admit(b"abc\r") == 4
        assert gate.admit(b"y" * 2 * MAX_BURST_BYTES) == MAX_BURST_BYTES - 4
    cut_first, cut_second = 6000 - MAX_BURST_BYTES, MAX_BURST_BYTES + 4
    assert gate.dropped_bytes == cut_first + len(b"abc\r") + cut_second
    floods = [r.getMessage() for r in caplog.records if "input flood" in r.getMessage()]
    assert len(floods) == 1, floods  # once per session
    assert floods[0].startswith("session 7 RF07 from 10.0.0.7:5000: input flood")


def test_keys_the_app_has_not_taken_stop_the_parsing() -> None:
    gate = InputGate("terminal RF01")
    gate.hand_over(MAX_QUEUED_KEYS)
    assert gate.backlog == MAX_QUEUED_KEYS
    assert gate.admit(b"a") == 0
    gate.quiet()
    for _ in range(10):
        gate.take()
    assert gate.admit(b"a") == 1
    # Keys the app takes that the driver never counted (passed on to another screen).
    for _ in range(2 * MAX_QUEUED_KEYS):
        gate.take()
    assert gate.backlog == 0


class FakeDriver:
    """What the input loop uses of a LinuxDriver: the terminal's fd, the exit event, messages;
    the app behind it takes each key at once."""

    _debug = False  # LinuxDriver's debug flag: the loop hands it to Textual's parser

    def __init__(self, fileno: int, gate: InputGate) -> None:
        self.fileno = fileno
        self.exit_event = threading.Event()
        self.messages: list[Any] = []
        self.gate = gate

    def process_message(self, message: Any) -> None:
        self.messages.append(message)
        if isinstance(message, events.Key):
            self.gate.take()


def run_loop(driver: FakeDriver, gate: InputGate) -> tuple[threading.Thread, threading.Event]:
    ended = threading.Event()

    def read(batch: list[Any]) -> list[Any]:
        gate.hand_over(sum(isinstance(m, events.Key) for m in batch))
        return batch

    def loop() -> None:
        textual_compat.run_input_thread(
            cast(Any, driver), on_read=read,
            on_end_of_file=ended.set, admit=gate.admit, on_quiet=gate.quiet)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread, ended


def keys(driver: FakeDriver) -> list[str]:
    return [m.key for m in driver.messages if isinstance(m, events.Key)]


def test_a_1_mb_paste_on_a_terminal_becomes_at_most_a_burst_of_keys() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    gate = InputGate("terminal RF01")
    driver = FakeDriver(slave, gate)
    thread, ended = run_loop(driver, gate)
    try:
        paste = b"9" * 1_000_000
        written = 0
        while written < len(paste):
            written += os.write(master, paste[written : written + 65536])
        time.sleep(0.4)  # quiet: what comes next is a person's again
        os.write(master, b"A-1\r")
        deadline = time.monotonic() + 10
        while keys(driver)[-1:] != ["enter"] and time.monotonic() < deadline:
            time.sleep(0.02)
        got = keys(driver)
        assert got[-4:] == ["A", "minus", "1", "enter"]
        assert len(got) <= MAX_BURST_BYTES + 4, len(got)
        assert gate.dropped_bytes >= len(paste) - MAX_BURST_BYTES
    finally:
        os.close(master)
        assert ended.wait(5)  # end of file: a hang-up, the loop ends
        thread.join(5)
        os.close(slave)


def test_end_of_file_in_the_middle_of_a_flood_ends_the_loop_at_once() -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    gate = InputGate("terminal RF01")
    driver = FakeDriver(slave, gate)
    thread, ended = run_loop(driver, gate)
    try:
        os.write(master, b"9" * 60_000)
        start = time.monotonic()
        os.close(master)
        assert ended.wait(5)
        assert time.monotonic() - start < 1.0
        thread.join(5)
        assert not thread.is_alive()
        assert len(keys(driver)) <= MAX_BURST_BYTES
    finally:
        os.close(slave)
