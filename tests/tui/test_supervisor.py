"""The supervisor's desk in the RF app: a waiting count approved or rejected with A / R."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.tui.helpers import Site, keys, login, run, screen_text, settle
from wms_tui.db.uow import uow_factory
from wms_tui.domain.counting import (
    CountPolicy,
    CountStatus,
    CountTrigger,
    create_count_task,
    submit_count,
)
from wms_tui.domain.model import MovementKind
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.stock import Move, new_confirmation_key, post
from wms_tui.screens.menu import MenuScreen
from wms_tui.screens.modals import ConfirmModal
from wms_tui.screens.supervisor import SupervisorScreen

DeskBackend = RfBackend  # the app's backend, supervisor and counting services included


def waiting_count(site: Site, counted: int = 4) -> int:
    """A count of A-01-01-1 (30 widgets on the book) that found `counted`, twice."""
    uow = uow_factory(site.engine)
    with uow() as u:
        task = create_count_task(u, site.wh.a1, CountTrigger.SUPERVISOR)
        u.commit()
    assert task is not None
    for _ in range(2):
        submit_count(uow, site.wh.operator, task, [(site.wh.widget, None, counted)],
                     new_confirmation_key(), policy=CountPolicy(recount_by_other_operator=False))
    return task


async def open_desk(pilot: Pilot[Any]) -> None:
    await login(pilot, "SUP1")
    assert isinstance(pilot.app.screen, MenuScreen)
    pilot.app.push_screen(SupervisorScreen(pilot.app.screen.actor))
    await settle(pilot)


async def table_row(pilot: Pilot[Any], first_cell: str) -> str:
    """The approvals table's row starting with first_cell; the table may paint a frame late."""
    for _ in range(20):
        rows = [line for line in screen_text(pilot.app).splitlines()
                if line.split()[:1] == [first_cell]]
        if rows:
            return rows[0]
        await pilot.pause(0.05)
    raise AssertionError(f"no row {first_cell}:\n{screen_text(pilot.app)}")


def test_approve_posts_the_variance_with_the_supervisor(site: Site) -> None:
    task = waiting_count(site)
    post(uow_factory(site.engine), site.wh.supervisor,
         Move(site.wh.widget, 2, site.wh.a1, site.wh.a2, "PUTAWAY-WIDGET", reason_code="FULL"))
    app = site.app(services=DeskBackend(uow_factory(site.engine)))

    async def script(pilot: Pilot[Any]) -> None:
        await open_desk(pilot)
        text = screen_text(app)
        assert "Counts waiting for approval: 1" in text
        row = await table_row(pilot, str(task))
        assert row.split() == [str(task), "A-01-01-1", "WIDGET", "30", "4", "4", "-26", "-2"]
        assert "Since count: move 2 WIDGET A-01-01-1>A-01-02-1 SUP1 PUTAWAY-WIDGET" in text
        assert "Override PUTAWAY-WIDGET 2 WIDGET A-01-02-1 FULL SUP1" in text
        assert f"Count to approve COUNT-{task} A-01-01-1" in text
        await keys(pilot, "v")
        assert "Waves: 0" in screen_text(app)
        await keys(pilot, "a")
        assert isinstance(app.screen, ConfirmModal)
        assert f"Approve count {task} at A-01-01-1?" in screen_text(app)
        await keys(pilot, "1")
        await settle(pilot)
        text = screen_text(app)
        assert f"* Count {task} approved: 1 adjustments posted" in text
        assert "Counts waiting for approval: 0" in text
        await keys(pilot, "escape")
        assert isinstance(app.screen, MenuScreen)

    run(app, (80, 24), script)
    [adjust] = [m for m in site.movements() if m.kind == MovementKind.ADJUST]
    # Counted 4 of the 30 on the book then; 2 moved out since: 28 - 26 = 2 left.
    assert (adjust.quantity, adjust.approved_by, adjust.reason_code) == (
        26, site.wh.supervisor.user_id, "COUNT")
    assert site.on_hand(site.wh.widget, site.wh.a1) == 2 and site.ledger_exact()


def test_reject_opens_a_fresh_count_and_no_answers_nothing(site: Site) -> None:
    task = waiting_count(site)
    app = site.app(services=DeskBackend(uow_factory(site.engine)))

    async def script(pilot: Pilot[Any]) -> None:
        await open_desk(pilot)
        await keys(pilot, "r")
        await keys(pilot, "2")
        assert isinstance(app.screen, SupervisorScreen)
        await keys(pilot, "r", "1")
        await settle(pilot)
        assert f"* Count {task} rejected: new count {task + 1}" in screen_text(app)
        await keys(pilot, "a")
        assert "! No count to decide" in screen_text(app)

    run(app, (100, 30), script)
    with uow_factory(site.engine)() as u:
        assert u.counting.task(task).status == CountStatus.REJECTED
        assert u.counting.task(task + 1).status == CountStatus.OPEN
    assert [m for m in site.movements() if m.kind == MovementKind.ADJUST] == []


def test_a_handheld_is_told_it_needs_a_bigger_screen(site: Site) -> None:
    waiting_count(site)
    app = site.app(services=DeskBackend(uow_factory(site.engine)))

    async def script(pilot: Pilot[Any]) -> None:
        await open_desk(pilot)
        text = screen_text(app)
        assert "Needs a 24x80" in text and "WIDGET" not in text

    run(app, (20, 16), script)
