"""An idle session's input thread sleeps in select until the terminal sends something or the
driver ends it: no timeout while nothing is pending, 0.1 s only while an ESC or a burst waits
for the terminal to be quiet. Wake-ups are counted, not timed."""

from __future__ import annotations

import os
import selectors
import threading
import time
import tty
from collections.abc import Iterator
from typing import Any, cast

import pytest
from textual import events

from tests.unit.test_input_limits import FakeDriver
from wms_tui import textual_compat
from wms_tui.input_limits import InputGate
from wms_tui.rf_driver import WakingEvent


class Selects:
    """Every select timeout the input loop asked for, in order."""

    def __init__(self) -> None:
        self.timeouts: list[float | None] = []
        self.called = threading.Condition()

    def wait_for(self, count: int) -> None:
        with self.called:
            assert self.called.wait_for(lambda: len(self.timeouts) >= count, timeout=10), (
                self.timeouts)


@pytest.fixture
def selects(monkeypatch: pytest.MonkeyPatch) -> Iterator[Selects]:
    seen = Selects()
    select = selectors.SelectSelector.select

    def counted(self: selectors.SelectSelector, timeout: float | None = None) -> Any:
        with seen.called:
            seen.timeouts.append(timeout)
            seen.called.notify_all()
        return select(self, timeout)

    monkeypatch.setattr(selectors.SelectSelector, "select", counted)
    yield seen


class WakingDriver(FakeDriver):
    def __init__(self, fileno: int, gate: InputGate) -> None:
        super().__init__(fileno, gate)
        self.exit_event = WakingEvent()
        self.arrived = threading.Condition()

    def process_message(self, message: Any) -> None:
        with self.arrived:
            super().process_message(message)
            self.arrived.notify_all()

    def wait_for_keys(self, *names: str) -> None:
        with self.arrived:
            assert self.arrived.wait_for(lambda: self.keys()[-len(names):] == list(names),
                                         timeout=10), self.keys()

    def keys(self) -> list[str]:
        return [m.key for m in self.messages if isinstance(m, events.Key)]


def start(driver: WakingDriver, gate: InputGate) -> threading.Thread:
    def read(batch: list[Any]) -> list[Any]:
        gate.hand_over(sum(isinstance(m, events.Key) for m in batch))
        return batch

    def loop() -> None:
        exit_event = cast(WakingEvent, driver.exit_event)
        try:
            textual_compat.run_input_thread(
                cast(Any, driver), on_read=read, on_end_of_file=lambda: None,
                admit=gate.admit, on_quiet=gate.quiet, wake_fd=exit_event.open(),
                pending=gate.pending)
        finally:
            exit_event.close()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def test_an_idle_input_thread_waits_without_a_timeout_and_wakes_on_exit(
    selects: Selects,
) -> None:
    master, slave = os.openpty()
    tty.setraw(slave)
    gate = InputGate("terminal RF01")
    driver = WakingDriver(slave, gate)
    try:
        thread = start(driver, gate)
        selects.wait_for(1)
        # Nothing pending: one select, with no timeout, however long the terminal is idle.
        time.sleep(0.3)
        assert selects.timeouts == [None]

        # A scan: woken once by it, once more after 0.1 s of quiet (the flood gate's moment),
        # then asleep again.
        os.write(master, b"A-01\r")
        driver.wait_for_keys("A", "minus", "0", "1", "enter")
        selects.wait_for(3)
        time.sleep(0.3)
        assert selects.timeouts == [None, 0.1, None]
        assert not gate.pending()

        # A lone ESC is a key only once the terminal is quiet after it: the timeout is back
        # until the parser has let it go.
        os.write(master, b"\x1b")
        driver.wait_for_keys("escape")
        selects.wait_for(5)
        time.sleep(0.3)
        assert selects.timeouts[3:] == [0.1, None]

        driver.exit_event.set()
        thread.join(10)
        assert not thread.is_alive(), "the exit event did not wake the input thread"
        assert len(selects.timeouts) == 5
    finally:
        driver.exit_event.set()
        os.close(master)
        os.close(slave)


def test_the_exit_event_wakes_a_thread_opened_after_it_was_set() -> None:
    event = WakingEvent()
    event.set()
    fd = event.open()
    try:
        selector = selectors.SelectSelector()
        selector.register(fd, selectors.EVENT_READ)
        assert selector.select(None), "an exit set before the thread started is not missed"
        selector.close()
    finally:
        event.close()
    event.set()  # after close: nothing to wake, no error
