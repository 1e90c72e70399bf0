"""The Move flow driven through the RF app at 16x20, 8x40 and 24x80, checked in the ledger."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.helpers import (
    EA_GTIN,
    SIZES,
    Site,
    enter,
    keys,
    login,
    run,
    screen_text,
    screen_words,
)
from wms_tui.screens.menu import MenuScreen
from wms_tui.screens.modals import ConfirmModal, HelpModal
from wms_tui.screens.step import FlowScreen


def step_name(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen)
    return app.screen.step.name


async def open_move(pilot: Pilot[Any]) -> None:
    await login(pilot)
    await keys(pilot, "3")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[1]}x{s[0]}")
def test_move_end_to_end_posts_one_movement(site: Site, size: tuple[int, int]) -> None:
    app = site.app()
    wh = site.wh

    async def script(pilot: Pilot[Any]) -> None:
        await open_move(pilot)
        lines = screen_text(app).splitlines()
        assert lines[0].startswith("Move") and lines[0].endswith("RF01")
        await enter(pilot, "A-01-01-1")
        assert step_name(app) == "item" and "From: A-01-01-1" in screen_text(app)
        await enter(pilot, EA_GTIN)
        assert step_name(app) == "qty" and "Free: 30 EA" in screen_text(app)
        await enter(pilot, "5", submit="tab")
        assert step_name(app) == "to" and "Qty: 5 EA" in screen_text(app)
        await enter(pilot, "A-01-02-1")
        assert step_name(app) == "from"
        assert "* Moved 5 EA to A-01-02-1" in screen_words(app)
        assert app.bell_count == 0

    run(app, size, script)
    assert (site.on_hand(wh.widget, wh.a1), site.on_hand(wh.widget, wh.a2)) == (25, 5)
    moves = [m for m in site.movements() if m.kind.value == "move"]
    assert len(moves) == 1 and moves[0].terminal == "RF01"
    assert site.ledger_exact()


GOOD = ["A-01-01-1", EA_GTIN, "5"]
WRONG_SCANS = [
    ("from", 0, "NOPE", "! Scan a loc or LPN, not NOPE"),
    ("item", 1, "A-01-02-1", "! Scan an item, not A-01-02-1"),
    ("qty", 2, "31", "! Only 30 EA free: key less"),
    ("to", 3, "A-01-01-1", "! Same as from: scan another location"),
]


@pytest.mark.parametrize(("step", "done", "wrong", "shown"), WRONG_SCANS,
                         ids=[w[0] for w in WRONG_SCANS])
def test_wrong_scan_is_refused_with_the_bell_and_posts_nothing(
    site: Site, step: str, done: int, wrong: str, shown: str
) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_move(pilot)
        for scan in GOOD[:done]:
            await enter(pilot, scan)
        assert step_name(app) == step and app.bell_count == 0
        await enter(pilot, wrong)
        assert step_name(app) == step
        assert shown in screen_words(app)
        assert app.bell_count == 1
        if done < len(GOOD):
            # The right entry on the same step is accepted and clears the error line.
            await enter(pilot, GOOD[done])
            assert step_name(app) != step and "!" not in screen_text(app)

    run(app, (20, 16), script)
    assert [m.kind.value for m in site.movements()] == ["receive"]


def test_escape_and_f3_go_back_with_a_confirm_when_work_would_be_lost(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_move(pilot)
        await enter(pilot, "A-01-01-1")
        await enter(pilot, EA_GTIN)
        await keys(pilot, "escape")
        assert isinstance(app.screen, ConfirmModal)
        text = screen_text(app)
        assert "1 Yes\n2 No\nLose this work?\n>_" in text
        await keys(pilot, "2", "enter")
        assert step_name(app) == "qty"
        await keys(pilot, "f3")
        assert isinstance(app.screen, ConfirmModal)
        await keys(pilot, "1", "enter")
        assert step_name(app) == "item"
        await keys(pilot, "f3", "1", "enter")
        assert step_name(app) == "from" and "From:" not in screen_text(app)
        # Nothing to lose on the first step: straight back to the menu, resume point cleared.
        await keys(pilot, "escape")
        assert isinstance(app.screen, MenuScreen)

    run(app, (20, 16), script)
    assert site.services.saved_flow(site.wh.operator.user_id) is None
    assert [m.kind.value for m in site.movements()] == ["receive"]


def test_f1_shows_the_step_help_and_any_key_returns(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_move(pilot)
        await enter(pilot, "A-01-01-1")
        await keys(pilot, "f1")
        assert isinstance(app.screen, HelpModal)
        text = screen_words(app)
        assert "Scan the item to move" in text and "Any key: back" in text
        await keys(pilot, "x")
        assert step_name(app) == "item" and "From: A-01-01-1" in screen_text(app)
        # The key that closed help is not typed into the prompt.
        assert ">_" in screen_text(app)

    run(app, (20, 16), script)


def test_f5_on_a_flow_without_exceptions_is_refused(site: Site) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_move(pilot)
        await keys(pilot, "f5")
        assert "! No exception here: go on with the step" in screen_words(app)
        assert app.bell_count == 1

    run(app, (40, 8), script)
