"""A blind count with a variance, a recount by another operator and a supervisor's approval,
driven through the RF app at 16x20, 8x40 and 24x80; ledger and task checked after each."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select
from textual.pilot import Pilot

from tests.factories import FAST_PIN_HASH
from tests.tui.helpers import EA_GTIN, SIZES, Site, enter, keys, login, run, screen_text, settle
from wms_tui.db.tables import CountTask, Movement, User
from wms_tui.db.uow import uow_factory
from wms_tui.domain.counting import approve_count, request_count
from wms_tui.domain.stock import new_confirmation_key
from wms_tui.screens.menu import MenuScreen
from wms_tui.screens.step import FlowScreen
from wms_tui.screens.supervisor import SupervisorScreen

BOOK = "30"  # widgets in A-01-01-1 on the book: never shown to the counter
COUNTED = "25"


def add_second_operator(site: Site) -> int:
    with Session(site.engine) as s:
        user = User(login="OP2", name="Op2", role="operator", pin_hash=FAST_PIN_HASH)
        s.add(user)
        s.commit()
        assert user.id is not None
        return user.id


def count_task(site: Site) -> CountTask:
    with Session(site.engine) as s:
        return s.exec(select(CountTask)).one()


def adjustments(site: Site) -> list[Movement]:
    with Session(site.engine) as s:
        return list(s.execute(select(Movement).where(Movement.kind == "adjust")).scalars())


def step_name(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen)
    return app.screen.step.name


def blind(app: Any) -> str:
    """The screen, checked for the book quantity on the way."""
    text = screen_text(app)
    assert BOOK not in text, text
    return " ".join(text.split())


def count_once(site: Site, user: str, size: tuple[int, int], outcome: str) -> None:
    """One operator counts 25 widgets in A-01-01-1 and sends the count."""
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, user)
        await keys(pilot, "6")
        assert step_name(app) == "task"
        blind(app)
        await enter(pilot, "")
        assert step_name(app) == "loc" and "Loc: A-01-01-1" in blind(app)
        await enter(pilot, "A-01-01-1")
        assert step_name(app) == "item"
        blind(app)
        await enter(pilot, EA_GTIN)
        assert step_name(app) == "qty" and "Item: WIDGET" in blind(app)
        await enter(pilot, COUNTED)
        assert step_name(app) == "item" and "* Counted 25 EA WIDGET" in blind(app)
        # Enter on "Enter=done" sends the count: no "Location done?" after counting.
        await enter(pilot, "")
        assert step_name(app) == "task"
        assert f"* {outcome}" in blind(app)
        assert app.bell_count == 0
        # Leave the flow, so the next login is not offered a resume.
        await keys(pilot, "escape")
        assert isinstance(app.screen, MenuScreen)

    run(app, size, script)


def approve_at_the_desk(site: Site, task_id: int) -> None:
    """The supervisor approves from the menu: 9, A, 1 (a 24x80 screen)."""
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "SUP1")
        assert isinstance(app.screen, MenuScreen)
        await keys(pilot, "9")
        assert isinstance(app.screen, SupervisorScreen)
        await keys(pilot, "a", "1", "enter")
        await settle(pilot)
        assert f"* Count {task_id} approved: 1 adjustments posted" in screen_text(app)

    run(app, (80, 24), script)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[1]}x{s[0]}")
def test_blind_count_variance_recount_and_approval(site: Site, size: tuple[int, int]) -> None:
    wh = site.wh
    op2 = add_second_operator(site)
    report = request_count(uow_factory(site.engine), wh.supervisor, location="A-01-01-1")
    [created] = report.created

    count_once(site, "OP1", size, "Recount needed")
    task = count_task(site)
    assert (task.id, task.status, task.attempt) == (created.id, "recount", 1)
    assert adjustments(site) == [] and site.on_hand(wh.widget, wh.a1) == 30

    # The first counter may not recount (policy: recount by another operator).
    first_again = site.app()

    async def no_task_for_op1(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "6")
        await enter(pilot, "")
        assert "! No count tasks now: Esc for menu" in blind(first_again)
        await keys(pilot, "escape")

    run(first_again, size, no_task_for_op1)

    count_once(site, "OP2", size, "Sent for approval")
    task = count_task(site)
    assert (task.status, task.attempt) == ("pending_approval", 2)
    assert adjustments(site) == [] and site.on_hand(wh.widget, wh.a1) == 30

    if size == (80, 24):
        approve_at_the_desk(site, created.id)
    else:
        approve_count(uow_factory(site.engine), wh.supervisor, created.id, True,
                      new_confirmation_key())
    task = count_task(site)
    assert (task.status, task.approved_by) == ("done", wh.supervisor.user_id)
    [adjust] = adjustments(site)
    assert (adjust.item_id, adjust.quantity, adjust.from_location_id) == (wh.widget, 5, wh.a1)
    assert adjust.approved_by == wh.supervisor.user_id and adjust.reason_code == "COUNT"
    assert site.on_hand(wh.widget, wh.a1) == 25
    assert op2 != wh.operator.user_id
    assert site.ledger_exact()
