"""Bigger screens are used: at 24x80 a flow's context stands beside the step, on a tall screen
of 40 columns under it where rows allow, and a handheld shows the step alone without asking for
it. A count never shows any; a context that fails to load leaves the step working."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot

from tests.tui.helpers import EA_GTIN, SIZES, Site, enter, keys, login, run, screen_text
from tests.tui.test_snapshots import (
    at_count_item,
    at_pick_loc,
    at_putaway_confirm,
    at_receive_quantity,
    seed_count,
    seed_dock,
    seed_inbound,
    seed_wave,
)
from wms_tui.domain.flows.base import Fact
from wms_tui.domain.flows.move import MoveFlow
from wms_tui.screens.context_panel import ContextPanel, HeadingLine, context_rows
from wms_tui.screens.step import FlowScreen

WIDE = (80, 24)
TALL_NARROW = (40, 16)
Steps = Callable[[Pilot[Any]], Any]


def panel(text: str) -> list[str]:
    """The right-hand column of a 24x80 screen: what stands after the rule, row by row."""
    return [row.split("│", 1)[1].removeprefix(" ") for row in text.splitlines() if "│" in row]


@dataclass(frozen=True)
class Shown:
    """The screen's text after some steps, and what its flow screen held then."""

    text: str
    step: str
    panel: bool
    panel_shown: bool
    panel_lines: tuple[str, ...]


def shown_at(site: Site, size: tuple[int, int], steps: Steps, *,
             ascii_mode: bool = False) -> Shown:
    app = site.app(ascii_mode=ascii_mode)
    seen: list[Shown] = []

    async def script(pilot: Pilot[Any]) -> None:
        await steps(pilot)
        screen = app.screen
        assert isinstance(screen, FlowScreen)
        panels = list(screen.query(ContextPanel))
        seen.append(Shown(screen_text(app), screen.step.name, bool(panels),
                          any(p.display for p in panels),
                          panels[0].lines if panels else ()))

    run(app, size, script)
    return seen[0]


async def at_move_item(pilot: Pilot[Any]) -> None:
    await login(pilot)
    await keys(pilot, "3")
    await enter(pilot, "A-01-01-1")


def test_pick_at_24x80_shows_the_rest_of_the_wave_and_the_order(site: Site) -> None:
    seed_wave(site)
    text = shown_at(site, WIDE, at_pick_loc).text
    assert panel(text)[:9] == ["Still to pick in W0001", "Picks: 2", "Units: 7", "",
                               "Next picks", "P-01-01-1: WIDGET 4 EA", "", "Order SO-1",
                               "WIDGET: 0/3 EA picked"]
    # The step itself is as on a handheld, in the left-hand column.
    assert text.splitlines()[1].startswith("Loc: P-01-01-1")


def test_receive_at_24x80_shows_the_asns_lines_beside_the_step_that_names_the_dock(
        site: Site) -> None:
    seed_inbound(site)
    text = shown_at(site, WIDE, at_receive_quantity).text
    assert panel(text)[:2] == ["Lines of PO-7", "WIDGET: 0/10 EA, 10 left"]
    assert any(row.startswith("Dock: DOCK-1 ") for row in text.splitlines())


def test_putaway_at_24x80_shows_what_is_at_the_directed_location(site: Site) -> None:
    seed_dock(site)
    text = shown_at(site, WIDE, at_putaway_confirm).text
    assert "To: A-01-01-1" in text
    assert panel(text)[:2] == ["At A-01-01-1", "WIDGET: 30 EA"]


def test_move_at_24x80_shows_what_is_at_the_from_location(site: Site) -> None:
    text = shown_at(site, WIDE, at_move_item).text
    assert panel(text)[:2] == ["At A-01-01-1", "WIDGET: 30 EA"]


def test_ascii_mode_draws_the_rule_in_ascii(site: Site) -> None:
    text = shown_at(site, WIDE, at_move_item, ascii_mode=True).text
    assert "│" not in text
    assert [row.split("| ", 1)[1] for row in text.splitlines() if "| " in row][:2] == [
        "At A-01-01-1", "WIDGET: 30 EA"]


def counted_contexts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every move context asked for, by step: the query a handheld must never make."""
    asked: list[str] = []
    real = MoveFlow.context

    def counting(flow: MoveFlow) -> tuple[Fact, ...]:
        asked.append(flow.state["step"])
        return real(flow)

    monkeypatch.setattr(MoveFlow, "context", counting)
    return asked


@pytest.mark.parametrize("size", SIZES, ids=[f"{h}x{w}" for w, h in SIZES])
def test_only_a_screen_that_shows_context_asks_for_it(site: Site, size: tuple[int, int],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    asked = counted_contexts(monkeypatch)
    shown = shown_at(site, size, at_move_item)
    assert shown.panel
    if size == WIDE:
        assert asked and asked[-1] == "item"
        assert shown.panel_shown and "At A-01-01-1" in shown.text
    else:
        assert asked == []
        assert not shown.panel_shown and shown.panel_lines == ()
        assert "At A-01-01-1" not in shown.text and "│" not in shown.text


def test_a_tall_screen_of_40_columns_shows_context_under_the_facts(site: Site) -> None:
    seed_wave(site)
    rows = shown_at(site, TALL_NARROW, at_pick_loc).text.splitlines()
    rule = next(n for n, row in enumerate(rows) if row.startswith("────"))
    assert rows[rule - 1] == "Order: SO-1"
    assert rows[rule + 1: rule + 4] == ["Still to pick in W0001", "Picks: 2", "Units: 7"]
    # The prompt keeps its place at the bottom of the facts.
    assert "Scan location" in rows[rule + 4:]


@pytest.mark.parametrize(("rows_high", "under"), [
    (14, []), (15, ["Lines of PO-7", "WIDGET: 0/10 EA, 10 left"])])
def test_under_the_facts_only_what_the_free_rows_hold(site: Site, rows_high: int,
                                                       under: list[str]) -> None:
    """The receive step's six fact rows leave three free at 14x40, too few for a heading and
    its lines: nothing goes under them; at 15x40 the rule, the heading and one line do."""
    seed_inbound(site)
    rows = shown_at(site, (40, rows_high), at_receive_quantity).text.splitlines()
    rules = [n for n, row in enumerate(rows) if row.startswith("────")]
    if not under:
        assert rules == [] and "Lines of PO-7" not in "\n".join(rows)
        return
    [rule] = rules
    assert rows[rule - 1] == "Left: 10 EA"
    assert rows[rule + 1:rule + 1 + len(under)] == under


@pytest.mark.parametrize("size", [*SIZES, TALL_NARROW], ids=lambda s: f"{s[1]}x{s[0]}")
def test_a_count_shows_no_context_at_any_size(site: Site, size: tuple[int, int]) -> None:
    seed_count(site)
    shown = shown_at(site, size, at_count_item)
    assert shown.step == "item" and not shown.panel
    # 30 widgets are on the book at A-01-01-1: a count is blind.
    assert "30" not in shown.text and "WIDGET" not in shown.text


def test_a_context_that_fails_leaves_the_step_working(site: Site,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       caplog: pytest.LogCaptureFixture
                                                       ) -> None:
    def broken(flow: MoveFlow) -> tuple[Fact, ...]:
        raise RuntimeError("context store unreachable")

    monkeypatch.setattr(MoveFlow, "context", broken)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await at_move_item(pilot)
        screen = app.screen
        assert isinstance(screen, FlowScreen) and screen.step.name == "item"
        assert screen.step.message == "" and screen.query_one(ContextPanel).lines == ()
        assert "System error" not in screen_text(app)
        await enter(pilot, EA_GTIN)
        await enter(pilot, "1")
        await enter(pilot, "A-01-02-1")
        assert "* Moved 1 EA to A-01-02-1" in screen_text(app)

    with caplog.at_level(logging.ERROR):
        run(app, WIDE, script)
    assert site.on_hand(site.wh.widget, site.wh.a1) == 29
    assert any("context" in record.getMessage() for record in caplog.records)


def test_context_rows_are_cut_by_terminal_cells_in_chinese() -> None:
    """Wide characters take two cells: a heading wraps whole between them, a line is cut
    with a mark, and no row passes the column's width."""
    lines = [HeadingLine("订单 SO-1 的其余拣货行和待拣数量"), "拣货位: P-01-01-1 小蓝色零件 24 件",
             HeadingLine("待审批盘点: 0")]
    rows = context_rows(lines, 18, 10, ascii_mode=False)
    assert all(cell_len(row) <= 18 for row, _ in rows)
    assert [row for row, heading in rows if heading] == [
        "订单 SO-1 的其余拣", "货行和待拣数量", "待审批盘点: 0"]
    assert [row for row, heading in rows if not heading] == ["拣货位: P-01-01-1…", ""]
    # Cut to four rows, the last heading and the blank row before it would stand alone.
    assert [row for row, _ in context_rows(lines, 18, 4, ascii_mode=False)] == [
        "订单 SO-1 的其余拣", "货行和待拣数量", "拣货位: P-01-01-1…"]
