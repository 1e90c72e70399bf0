"""An entry longer than any code is refused once: one bell, one message, nothing submitted.

A 10,000-character scan used to be cut to 256 characters and submitted anyway, ringing the
bell once for each character past the limit (~9,700 BEL bytes down a radio link).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from tests.tui.helpers import (
    EA_GTIN,
    Site,
    burst,
    enter,
    keys,
    login,
    run,
    same_read,
    screen_words,
    settle,
    type_raw,
)
from wms_tui.input_limits import FLOOD_QUIET
from wms_tui.screens.bursts import one_read
from wms_tui.screens.login import LoginScreen
from wms_tui.screens.modals import ConfirmModal
from wms_tui.screens.step import FlowScreen
from wms_tui.screens.widgets import MAX_INPUT, ScanInput
from wms_tui.textual_compat import driver_of, xterm_parser

TOO_LONG = "! Too long: scan one code"


def flow_step(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen), type(app.screen).__name__
    return str(app.screen.step.name)


def entry(app: Any) -> str:
    return str(app.screen.query_one(ScanInput).value)


async def open_move(pilot: Pilot[Any]) -> None:
    await login(pilot)
    await keys(pilot, "3")
    assert flow_step(pilot.app) == "from"


async def reads(pilot: Pilot[Any], *parts: str) -> None:
    """Several reads from the terminal in quick succession, each a burst: a stream."""
    driver = driver_of(pilot.app)
    assert driver is not None
    # Every read is parsed before any is sent: a key's time is when it was parsed, and on a
    # loaded machine sending thousands of keys could otherwise open a gap that reads as a pause.
    batches = []
    for part in parts:
        parser = xterm_parser()
        batch = [*parser.feed(part), *parser.feed("")]
        same_read(batch)
        batches.append(batch)
    # A stream's reads follow each other within milliseconds: parsing them here may take
    # longer on a loaded machine, so no read is timed later than a millisecond after the last.
    first = batches[0][0].time if batches and batches[0] else 0.0
    for n, batch in enumerate(batches):
        for event in batch:
            event.time = min(event.time, first + n / 1000)
    for batch in batches:
        for event in one_read(batch):
            event.set_sender(pilot.app)
            driver.send_message(event)
    await settle(pilot)


async def pause(pilot: Pilot[Any]) -> None:
    """A person's pause after a refusal: what comes next is a new entry."""
    await asyncio.sleep(FLOOD_QUIET + 0.1)
    await settle(pilot)


@pytest.mark.parametrize("suffix", ["\r", "\r\n", "\t", ""], ids=["cr", "crlf", "tab", "none"])
def test_a_10k_scan_rings_once_says_why_and_submits_nothing(site: Site, suffix: str) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_move(pilot)
        bells = app.bell_count
        await burst(pilot, "9" * 10_000 + suffix)
        assert app.bell_count == bells + 1
        words = screen_words(app)
        assert words.count("Too long") == 1 and TOO_LONG in words, words
        assert "Scan a loc or LPN" not in words
        assert flow_step(app) == "from" and entry(app) == ""
        # After a pause the terminal is an operator's again: the next scan is read as usual.
        await pause(pilot)
        await burst(pilot, "A-01-01-1\r")
        assert flow_step(app) == "item" and "From: A-01-01-1" in screen_words(app)
        assert app.bell_count == bells + 1

    run(app, (20, 16), script)
    assert [m.kind.value for m in site.movements()] == ["receive"]


def test_the_rest_of_a_long_scan_is_dropped_until_the_terminal_is_quiet(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_move(pilot)
        bells = app.bell_count
        # A stream of reads, each a burst of its own, with Enter and a good code among them.
        await reads(pilot, "9" * 3000, "9" * 3000 + "\r", "A-01-01-1\r", "9" * 3000 + "\r\n")
        assert app.bell_count == bells + 1
        assert flow_step(app) == "from" and entry(app) == ""
        await pause(pilot)
        await enter(pilot, "A-01-01-1")
        assert flow_step(app) == "item"

    run(app, (20, 16), script)


def test_an_entry_typed_past_the_limit_is_refused_once(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_move(pilot)
        await enter(pilot, "A-01-01-1")
        await enter(pilot, EA_GTIN)
        assert flow_step(app) == "qty"
        bells = app.bell_count
        # Key by key, each a read of its own (no burst), then Enter.
        await reads(pilot, *"1" * (MAX_INPUT + 20), "\r")
        assert app.bell_count == bells + 1 and TOO_LONG in screen_words(app)
        assert flow_step(app) == "qty" and entry(app) == ""
        await pause(pilot)
        await enter(pilot, "5")
        assert flow_step(app) == "to" and "Qty: 5 EA" in screen_words(app)

    run(app, (20, 16), script)


def test_an_entry_of_exactly_the_limit_is_taken(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_move(pilot)
        bells = app.bell_count
        await burst(pilot, "X" * MAX_INPUT + "\r")
        words = screen_words(app)
        assert "Too long" not in words and "Scan a loc or LPN" in words
        assert app.bell_count == bells + 1

    run(app, (20, 16), script)


def test_a_long_paste_is_refused_once(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_move(pilot)
        bells = app.bell_count
        app.screen.query_one(ScanInput).post_message(events.Paste("9" * 10_000))
        await settle(pilot)
        assert app.bell_count == bells + 1 and TOO_LONG in screen_words(app)
        assert flow_step(app) == "from" and entry(app) == ""

    run(app, (20, 16), script)


def test_a_10k_scan_at_the_login_and_at_a_question(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await burst(pilot, "U" * 10_000 + "\r")
        assert isinstance(app.screen, LoginScreen) and app.bell_count == 1
        assert TOO_LONG in screen_words(app) and "User ID" in screen_words(app)
        await pause(pilot)
        await open_move(pilot)
        await enter(pilot, "A-01-01-1")
        await keys(pilot, "escape")
        assert isinstance(app.screen, ConfirmModal)
        bells = app.bell_count
        await burst(pilot, "1" * 10_000 + "\r")
        assert isinstance(app.screen, ConfirmModal)  # not answered, not closed
        assert app.bell_count == bells + 1 and "Too long: scan one code" in screen_words(app)
        await pause(pilot)
        await type_raw(pilot, "2")
        await keys(pilot, "enter")
        assert flow_step(app) == "item"

    run(app, (20, 16), script)


@pytest.mark.parametrize("digit", ["٢", "２"], ids=["arabic-indic", "fullwidth"])
def test_a_question_is_answered_by_the_digits_0_to_9_only(site: Site, digit: str) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_move(pilot)
        await enter(pilot, "A-01-01-1")
        await keys(pilot, "escape")
        assert isinstance(app.screen, ConfirmModal)
        await type_raw(pilot, digit)
        await keys(pilot, "enter")
        # int("٢") is 2: once that answered "No"; a question takes the keypad's digits only.
        assert isinstance(app.screen, ConfirmModal)
        assert "Key 1 or 2, then Enter" in screen_words(app)
        await type_raw(pilot, "2")
        await keys(pilot, "enter")
        assert flow_step(app) == "item"

    run(app, (20, 16), script)
