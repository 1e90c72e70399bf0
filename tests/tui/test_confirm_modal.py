"""The yes/no pop-up reads as count's own question: "1 Yes" and "2 No" on their own lines, the
question under them, then the entry line; whole at every size and in Chinese."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.helpers import SIZES, Site, burst, enter, keys, login, run, screen_text
from wms_tui.app import RfApp
from wms_tui.i18n import translator
from wms_tui.screens.modals import ConfirmModal

POP_UP = {
    "en": ["1 Yes", "2 No", "Lose this work?", ">_"],
    "zh_CN": ["1 是", "2 否", "放弃当前操作?", ">_"],
}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{h}x{w}" for w, h in SIZES])
def test_the_choices_are_listed_one_a_line_above_the_question(
        site: Site, size: tuple[int, int], language: str) -> None:
    app = RfApp(site.services, site.auth, terminal_id="RF01", language=language,
                translator=translator)
    app.language_fixed = True
    pop_up = POP_UP[language]

    def rows_of_the_pop_up() -> list[str]:
        rows = screen_text(app).splitlines()
        start = rows.index(pop_up[0])
        return rows[start:start + len(pop_up)]

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "3")
        await enter(pilot, "A-01-01-1")
        await keys(pilot, "escape")
        assert isinstance(app.screen, ConfirmModal)
        assert rows_of_the_pop_up() == pop_up
        # A scan is refused under the question, and the choices and question stay whole.
        await burst(pilot, "1\r")
        assert isinstance(app.screen, ConfirmModal) and app.bell_count == 1
        assert rows_of_the_pop_up() == pop_up
        rows = screen_text(app).splitlines()
        assert rows[rows.index(">_") + 1].startswith("! ")
        await keys(pilot, "2", "enter")
        assert not isinstance(app.screen, ConfirmModal)

    run(app, size, script)
