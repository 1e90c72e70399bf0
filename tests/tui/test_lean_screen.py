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
from wms_tui.screens.widgets import FactList, RfWidget

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


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_rf_widgets_draw_the_lines_textuals_pipeline_would(site: Site,
                                                           size: tuple[int, int]) -> None:
    """RfWidget.render_lines skips Textual's styles pipeline for plain widgets: every widget
    on the login, menu, step and help screens draws the very lines that pipeline draws."""
    app = RfApp(site.services, site.auth, terminal_id="RF01")
    compared: set[str] = set()

    def same_lines() -> None:
        for widget in app.screen.query(RfWidget):
            if not widget.region:
                continue
            whole = widget.size.region
            right = whole.crop_size((max(whole.width // 2, 1), whole.height)).translate(
                (whole.width - max(whole.width // 2, 1), 0))
            for crop in (whole, right):
                assert widget.render_lines(crop) == Widget.render_lines(widget, crop), (
                    type(widget).__name__, crop)
            compared.add(type(widget).__name__)

    async def script(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        same_lines()
        await login(pilot)
        same_lines()
        await keys(pilot, "3")
        await enter(pilot, "A-01-01-1")
        same_lines()
        await enter(pilot, "NOT-A-LOCATION-OR-ITEM")
        same_lines()
        await keys(pilot, "f1")
        same_lines()

    run(app, size, script)
    assert {"RfHeader", "ScanInput", "MessageLine"} <= compared, compared
