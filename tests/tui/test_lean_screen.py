"""A scan step changes text, never the screen's geometry: no widget is mounted, removed or
resized and no new layout is asked for, in English and Chinese at every size, even where the
prompt needs two rows at one step and one at the next."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widget import Widget

from tests.tui.helpers import EA_GTIN, SIZES, Site, enter, keys, login, run
from wms_tui.app import RfApp
from wms_tui.i18n import translator
from wms_tui.screens.step import FlowScreen
from wms_tui.screens.widgets import FactList

MOVE = ("A-01-01-1", EA_GTIN, "1", "A-01-02-1", "A-01-02-1", EA_GTIN, "1", "A-01-01-1")


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_move_steps_change_text_not_geometry(site: Site, size: tuple[int, int], language: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    app = RfApp(site.services, site.auth, terminal_id="RF01", language=language,
                translator=translator)
    app.language_fixed = True
    layouts: list[str] = []
    refresh = Widget.refresh

    def recording(widget: Widget, *regions: Any, layout: bool = False, **kwargs: Any) -> Any:
        if layout and isinstance(widget.screen, FlowScreen):
            layouts.append(type(widget).__name__)
        return refresh(widget, *regions, layout=layout, **kwargs)

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "3")
        screen = app.screen
        assert isinstance(screen, FlowScreen)
        facts = screen.query_one(FactList)
        widgets = list(screen.query("*"))
        regions = [widget.region for widget in widgets]
        monkeypatch.setattr(Widget, "refresh", recording)
        prompt_rows = set()
        for scan in MOVE:
            await enter(pilot, scan)
            assert list(screen.query("*")) == widgets
            assert [widget.region for widget in widgets] == regions
            prompt_rows.add(len(facts.prompt_lines(facts.size.width)))
        assert screen.step.name == "from"
        assert app.screen is screen
        assert layouts == []
        if size == (20, 16) and language == "en":
            # The case this is about: "Scan to location"-style prompts of one and two rows.
            assert prompt_rows == {1, 2}

    run(app, size, script)
