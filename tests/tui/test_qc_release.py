"""QC release driven through the RF app at 16x20: a supervisor releases or rejects held stock,
wrong entries ring the bell, and a scan burst never answers the confirm question."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.helpers import (
    EA_GTIN,
    Site,
    burst,
    enter,
    keys,
    login,
    run,
    screen_text,
    screen_words,
)
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.model import BalanceKey, StockStatus
from wms_tui.domain.stock import Receive, post
from wms_tui.screens.menu import MenuScreen
from wms_tui.screens.step import FlowScreen

SMALL = (20, 16)


@pytest.fixture
def held(site: Site) -> Site:
    """The RF site plus 12 WIDGET on QC hold in A-01-01-1 (30 are available there)."""
    post(uow_factory(site.engine), site.wh.admin,
         Receive(site.wh.widget, 12, site.wh.a1, "ASN-QC", status=StockStatus.QC_HOLD))
    return site


def step_name(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen), type(app.screen).__name__
    return app.screen.step.name


def quantity(site: Site, status: StockStatus) -> int:
    with SqlUnitOfWork(site.engine) as uow:
        row = uow.stock.balance(BalanceKey(site.wh.widget, site.wh.a1, None, None, status))
        return 0 if row is None else row.quantity


def status_moves(site: Site) -> list[tuple[str | None, str | None, int, str | None, str]]:
    return [(m.from_status and m.from_status.value, m.to_status and m.to_status.value,
             m.quantity, m.reason_code, m.terminal)
            for m in site.movements() if m.kind.value == "status"]


async def open_qc(pilot: Pilot[Any]) -> None:
    await login(pilot, "SUP1")
    await keys(pilot, "q")


async def to_decide(pilot: Pilot[Any], qty: str = "") -> None:
    await open_qc(pilot)
    await enter(pilot, "A-01-01-1")
    await enter(pilot, EA_GTIN)
    await enter(pilot, qty)


def test_release_all_held_stock_at_16x20(held: Site) -> None:
    app = held.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_qc(pilot)
        lines = screen_text(app).splitlines()
        assert lines[0].startswith("QC release") and step_name(app) == "loc"
        await enter(pilot, "A-01-01-1")
        await enter(pilot, EA_GTIN)
        assert step_name(app) == "qty" and "On hold: 12 EA" in screen_text(app)
        await enter(pilot, "")
        assert step_name(app) == "decide"
        assert "1 Release" in screen_text(app) and "2 Reject" in screen_text(app)
        await enter(pilot, "1")
        assert step_name(app) == "confirm" and "Release it?" in screen_text(app)
        await enter(pilot, "1")
        assert step_name(app) == "loc"
        assert "* Released 12 EA WIDGET" in screen_words(app)
        assert app.bell_count == 0

    run(app, SMALL, script)
    assert (quantity(held, StockStatus.QC_HOLD), quantity(held, StockStatus.AVAILABLE)) == (0, 42)
    assert status_moves(held) == [("qc_hold", "available", 12, "QC-PASS", "RF01")]
    assert held.ledger_exact()


def test_reject_part_with_a_reason_from_the_list(held: Site) -> None:
    app = held.app()

    async def script(pilot: Pilot[Any]) -> None:
        await to_decide(pilot, "5")
        await enter(pilot, "2")
        assert step_name(app) == "reason"
        assert "2 QC-DMG" in screen_text(app)
        await enter(pilot, "2")
        assert step_name(app) == "confirm"
        assert "Reason: QC-DMG" in screen_text(app) and "Reject it?" in screen_text(app)
        await enter(pilot, "1")
        assert "* Rejected 5 EA WIDGET" in screen_words(app)

    run(app, SMALL, script)
    assert quantity(held, StockStatus.QC_HOLD) == 7
    assert quantity(held, StockStatus.DAMAGED) == 5
    assert status_moves(held) == [("qc_hold", "damaged", 5, "QC-DMG", "RF01")]


def test_an_operator_has_no_qc_release_entry(held: Site) -> None:
    app = held.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1")
        assert "QC release" not in screen_text(app)
        await keys(pilot, "q")
        assert isinstance(app.screen, MenuScreen)
        assert "! No such choice" in screen_text(app) and app.bell_count == 1

    run(app, SMALL, script)


GOOD = ["A-01-01-1", EA_GTIN, "5", "2", "1"]
WRONG = [
    ("loc", 0, "A-01-02-1", "! Nothing on QC hold: scan another loc"),
    ("item", 1, "A-01-02-1", "! Scan an item, not A-01-02-1"),
    ("qty", 2, "13", "! Only 12 EA on hold: key less"),
    ("decide", 3, "3", "! Key 1 (Release) or 2 (Reject)"),
    ("reason", 4, "4", "! Key 1 to 3"),
]


@pytest.mark.parametrize(("step", "done", "wrong", "shown"), WRONG, ids=[w[0] for w in WRONG])
def test_a_wrong_entry_is_refused_with_the_bell_and_posts_nothing(
        held: Site, step: str, done: int, wrong: str, shown: str) -> None:
    app = held.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_qc(pilot)
        for entry in GOOD[:done]:
            await enter(pilot, entry)
        assert step_name(app) == step and app.bell_count == 0
        await enter(pilot, wrong)
        assert step_name(app) == step
        assert shown in screen_words(app)
        assert app.bell_count == 1
        await enter(pilot, GOOD[done])
        assert step_name(app) != step and "!" not in screen_text(app)

    run(app, SMALL, script)
    assert status_moves(held) == []


def test_a_scan_burst_at_the_confirm_question_answers_nothing(held: Site) -> None:
    app = held.app()

    async def script(pilot: Pilot[Any]) -> None:
        await to_decide(pilot)
        await enter(pilot, "1")
        assert step_name(app) == "confirm"
        await burst(pilot, "1\r")
        assert step_name(app) == "confirm"
        assert "A scan does not answer" in screen_words(app)
        assert status_moves(held) == []
        await keys(pilot, "ctrl+u", "2", "enter")
        # No goes back to the decision without posting.
        assert step_name(app) == "decide" and "Not posted" in screen_words(app)
        await enter(pilot, "1")
        await keys(pilot, "1", "enter")
        assert step_name(app) == "loc"

    run(app, SMALL, script)
    assert status_moves(held) == [("qc_hold", "available", 12, "QC-PASS", "RF01")]
