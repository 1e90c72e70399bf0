"""Approvals on a handheld: a supervisor decides waiting counts at 16x20, 8x40 and 24x80, one
count per screen, answered by number + Enter; never their own count; an operator has no entry."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session
from textual.pilot import Pilot

from tests.tui.helpers import SIZES, Site, burst, enter, keys, login, run, screen_text, screen_words
from wms_tui.db.tables import Item
from wms_tui.db.uow import uow_factory
from wms_tui.domain.counting import (
    CountPolicy,
    CountStatus,
    CountTrigger,
    create_count_task,
    submit_count,
)
from wms_tui.domain.flows.approve import ApprovalServices
from wms_tui.domain.model import Actor, MovementKind
from wms_tui.domain.stock import Receive, new_confirmation_key, post
from wms_tui.screens.menu import MenuScreen
from wms_tui.screens.step import FlowScreen

SIZE_IDS = [f"{height}x{width}" for width, height in SIZES]


def waiting_count(site: Site, location_id: int, counted: int, by: Actor | None = None) -> int:
    """A count of the location's widgets that found `counted`, keyed twice by the same person,
    so it waits for a supervisor."""
    uow = uow_factory(site.engine)
    with uow() as u:
        task = create_count_task(u, location_id, CountTrigger.SUPERVISOR)
        u.commit()
    assert task is not None
    for _ in range(2):
        submit_count(uow, by or site.wh.operator, task, [(site.wh.widget, None, counted)],
                     new_confirmation_key(), policy=CountPolicy(recount_by_other_operator=False))
    return task


@pytest.fixture
def two_waiting(site: Site) -> tuple[Site, int, int]:
    """A-01-01-1 (30 on the book) counted 27; A-01-02-1 (10 on the book) counted 12; a widget
    costs 4.50."""
    post(uow_factory(site.engine), site.wh.admin, Receive(site.wh.widget, 10, site.wh.a2, "ASN-2"))
    with Session(site.engine) as s:
        widget = s.get(Item, site.wh.widget)
        assert widget is not None
        widget.unit_cost = Decimal("4.5")
        s.add(widget)
        s.commit()
    return site, waiting_count(site, site.wh.a1, 27), waiting_count(site, site.wh.a2, 12)


def status(site: Site, task_id: int) -> CountStatus:
    with uow_factory(site.engine)() as u:
        return u.counting.task(task_id).status


def step_name(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen), type(app.screen).__name__
    return app.screen.step.name


async def open_approvals(pilot: Pilot[Any], user: str = "SUP1") -> None:
    await login(pilot, user)
    await keys(pilot, "a")
    assert step_name(pilot.app) == "start"


def test_the_backend_is_what_the_flow_needs(two_waiting: tuple[Site, int, int]) -> None:
    site, first, second = two_waiting
    services: ApprovalServices = site.services
    assert services.unit_costs(["WIDGET", "BOLT", "NOPE"]) == {"WIDGET": Decimal("4.5")}
    assert [p.task.id for p in services.pending_approvals()] == [first, second]


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_approve_one_and_reject_one(two_waiting: tuple[Site, int, int],
                                    size: tuple[int, int]) -> None:
    site, first, second = two_waiting
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_approvals(pilot)
        assert screen_text(app).startswith("Approvals")
        await enter(pilot, "")
        assert step_name(app) == "decide"
        words = screen_words(app)
        for shown in ("Loc: A-01-01-1", "Item: WIDGET", "Book: 30", "Counted: 27 by OP1",
                      "Var: -3 (-13.50)", "1 Approve 2 Reject (recount) 3 Skip"):
            assert shown in words, (shown, screen_text(app))
        await enter(pilot, "1")
        assert step_name(app) == "decide"
        words = screen_words(app)
        assert "* Approved A-01-01-1" in words
        for shown in ("Loc: A-01-02-1", "Book: 10", "Counted: 12 by OP1", "Var: +2 (+9.00)"):
            assert shown in words, (shown, screen_text(app))
        await enter(pilot, "2")
        assert step_name(app) == "start"
        assert "* Rejected A-01-02-1: counted again; no more counts" in screen_words(app)
        await enter(pilot, "")
        assert "No counts to approve" in screen_words(app) and app.bell_count == 0
        await keys(pilot, "escape")
        assert isinstance(app.screen, MenuScreen)

    run(app, size, script)
    [adjust] = [m for m in site.movements() if m.kind == MovementKind.ADJUST]
    assert (adjust.quantity, adjust.from_location_id, adjust.approved_by) == (
        3, site.wh.a1, site.wh.supervisor.user_id)
    assert site.on_hand(site.wh.widget, site.wh.a1) == 27
    assert site.on_hand(site.wh.widget, site.wh.a2) == 10
    assert (status(site, first), status(site, second)) == (CountStatus.DONE, CountStatus.REJECTED)
    # The rejection opened a new count of A-01-02-1 for the operators.
    with uow_factory(site.engine)() as u:
        [fresh] = u.counting.tasks(statuses={CountStatus.OPEN})
    assert (fresh.location, fresh.id) == ("A-01-02-1", second + 1)
    assert site.ledger_exact()


def test_an_operator_has_no_approvals_entry(two_waiting: tuple[Site, int, int]) -> None:
    site, _first, _second = two_waiting
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "OP1")
        assert "Approvals" not in screen_text(app)
        await keys(pilot, "a")
        assert isinstance(app.screen, MenuScreen)
        assert "! No such choice" in screen_text(app) and app.bell_count == 1

    run(app, (20, 16), script)


@pytest.mark.parametrize("size", [(20, 16), (40, 8), (80, 24)], ids=["16x20", "8x40", "24x80"])
def test_the_supervisor_menu_shows_every_entry(site: Site, size: tuple[int, int]) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, "SUP1")
        text = screen_text(app)
        # The dashboard and supervisor's desk are 24x80 screens, shown only there.
        desk = size == (80, 24)
        for spec in app.flows:
            if desk or spec.factory is not None:
                assert f"{spec.key} {spec.title}" in text, (spec.title, text)
            else:
                assert spec.title not in text, (spec.title, text)
        assert "0 Logout" in text and "a Approvals" in text

    run(app, size, script)


def test_a_count_the_supervisor_keyed_is_never_offered(site: Site) -> None:
    own = waiting_count(site, site.wh.a1, 27, by=site.wh.supervisor)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_approvals(pilot)
        await enter(pilot, "")
        assert step_name(app) == "start"
        assert "No counts to approve (own: 1)" in screen_words(app)
        await enter(pilot, "A-01-01-1")
        assert "! You counted A-01-01-1: call another supervisor" in screen_words(app)

    run(app, (20, 16), script)
    assert status(site, own) == CountStatus.PENDING_APPROVAL
    assert [m for m in site.movements() if m.kind == MovementKind.ADJUST] == []


def test_a_scan_burst_does_not_answer_and_skip_posts_nothing(
        two_waiting: tuple[Site, int, int]) -> None:
    site, first, second = two_waiting
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_approvals(pilot)
        await enter(pilot, "")
        await burst(pilot, "1\r")
        assert step_name(app) == "decide"
        assert "A scan does not answer" in screen_words(app)
        await keys(pilot, "ctrl+u")
        await enter(pilot, "3")
        assert "Loc: A-01-02-1" in screen_words(app)
        await enter(pilot, "3")
        assert "Skipped: no more counts to approve" in screen_words(app)

    run(app, (40, 8), script)
    assert (status(site, first), status(site, second)) == (
        CountStatus.PENDING_APPROVAL, CountStatus.PENDING_APPROVAL)
    assert [m for m in site.movements() if m.kind == MovementKind.ADJUST] == []
