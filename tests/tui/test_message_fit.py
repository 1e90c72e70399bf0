"""A long message is never cut: it takes the rows the facts leave free, then the facts' own."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.helpers import Site, enter, keys, login, run, screen_text, screen_words, settle
from tests.tui.test_pick import pick_spec, prepare, step_name
from wms_tui.domain.flows.base import Tone
from wms_tui.screens.step import FlowScreen

# Three rows at 40 columns and five at 20: more than the two a message line has.
LONG = ("P-01-01-1 is a pick face, not a staging location: take the tote to the "
        "staging lane and scan its label")


@pytest.mark.parametrize("size", [(40, 8), (20, 16)])
def test_a_long_refusal_takes_rows_from_the_facts_and_is_shown_whole(
        site: Site, size: tuple[int, int]) -> None:
    prepare(site, 30, ("SO-1", "1", "WIDGET", "2", "EA"))
    app = site.app(flows=[pick_spec()])

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        await enter(pilot, "")
        assert step_name(app) == "loc"
        screen = app.screen
        assert isinstance(screen, FlowScreen)
        screen.show_message(LONG, Tone.ERROR)
        await settle(pilot)
        words = screen_words(app)
        assert f"! {LONG}" in words
        rows = screen_text(app).splitlines()
        # The prompt and the entry line stay, above the message.
        assert "Scan location" in words and any(row.startswith(">") for row in rows)
        screen.show_message("", Tone.NONE)
        await settle(pilot)
        # The facts come back whole once the message is gone.
        assert "Loc: P-01-01-1" in screen_text(app)

    run(app, size, script)
