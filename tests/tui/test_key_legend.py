"""The key legend on a tall screen's bottom row, and PF keys named and working on VT terminals."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.helpers import Site, enter, keys, login, run, screen_text, screen_words
from tests.tui.test_pick import pick_spec, prepare, step_name
from wms_tui.app import RfApp
from wms_tui.db.uow import uow_factory
from wms_tui.domain.rf_services import RfBackend
from wms_tui.screens.keys import FUNCTION_KEYS, PF_KEYS, VT220_KEYS, key_names


@pytest.mark.parametrize(("term", "names"), [
    ("vt100", PF_KEYS), ("vt102", PF_KEYS), ("vt220", VT220_KEYS), ("VT320", VT220_KEYS),
    ("xterm-256color", FUNCTION_KEYS),
    ("screen", FUNCTION_KEYS), (None, FUNCTION_KEYS), ("", FUNCTION_KEYS),
])
def test_key_names_by_terminal_type(term: str | None, names: object) -> None:
    assert key_names(term) == names


def test_texts_name_the_keys_the_keyboard_has() -> None:
    assert PF_KEYS.name("Scan the location first, then F5") == "Scan the location first, then PF4"
    assert PF_KEYS.name("F6: scan the loc; F1 help; F10 stays") == (
        "PF2: scan the loc; PF1 help; F10 stays")
    assert FUNCTION_KEYS.name("then F5") == "then F5"


def app_for(site: Site, term: str | None) -> RfApp:
    return RfApp(RfBackend(uow_factory(site.engine)), site.auth, terminal_id="RF01",
                 flows=[pick_spec()], term=term)


def bottom_row(app: RfApp) -> str:
    return screen_text(app).splitlines()[-1].strip()


@pytest.mark.parametrize(("size", "shown"), [((80, 24), True), ((20, 16), False),
                                             ((40, 8), False)])
def test_a_tall_screen_shows_the_keys_on_its_bottom_row(site: Site, size: tuple[int, int],
                                                        shown: bool) -> None:
    prepare(site, 30, ("SO-1", "1", "WIDGET", "2", "EA"))
    app = app_for(site, None)

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        await enter(pilot, "")
        assert step_name(app) == "loc"
        legend = "F1 Help Esc Back F5 Short"
        assert (legend in screen_words(app)) is shown
        if shown:
            assert " ".join(bottom_row(app).split()) == legend

    run(app, size, script)


def test_on_a_vt220_pf4_shorts_and_every_text_names_pf4(site: Site) -> None:
    prepare(site, 30, ("SO-1", "1", "WIDGET", "2", "EA"))
    app = app_for(site, "vt220")

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        await enter(pilot, "")
        assert " ".join(bottom_row(app).split()) == "PF1 Help Esc Back PF4 Short"
        # PF4 arrives as F4: before the location is scanned it is refused, naming PF4.
        await keys(pilot, "f4")
        assert "Scan the location first, then PF4" in screen_words(app)
        await enter(pilot, "P-01-01-1")
        await keys(pilot, "f4")
        assert step_name(app) == "reason"

    run(app, (80, 24), script)


def test_the_legend_names_f5_only_on_the_steps_that_take_it(site: Site) -> None:
    prepare(site, 30, ("SO-1", "1", "WIDGET", "2", "EA"))
    app = app_for(site, None)

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        assert step_name(app) == "start"
        assert " ".join(bottom_row(app).split()) == "F1 Help Esc Back"
        await enter(pilot, "")
        assert step_name(app) == "loc"
        assert " ".join(bottom_row(app).split()) == "F1 Help Esc Back F5 Short"

    run(app, (80, 24), script)
