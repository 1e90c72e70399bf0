"""A killed app loses nothing: the next login offers to resume exactly where the operator was."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.tui.helpers import EA_GTIN, Site, enter, keys, login, run, screen_text, screen_words
from wms_tui.domain.stock import Move
from wms_tui.screens.menu import MenuScreen
from wms_tui.screens.modals import ConfirmModal
from wms_tui.screens.step import FlowScreen


def work_until_the_to_step(site: Site) -> None:
    """First app: scan from, item and quantity, then the app dies without leaving the flow."""
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "3")
        for scan in ("A-01-01-1", EA_GTIN, "7"):
            await enter(pilot, scan)

    run(app, (20, 16), script)


def moves(site: Site) -> list[Any]:
    return [m for m in site.movements() if m.kind.value == "move"]


def test_resume_after_the_app_was_killed_finishes_with_one_movement(site: Site) -> None:
    work_until_the_to_step(site)
    saved = site.services.saved_flow(site.wh.operator.user_id)
    assert saved is not None and saved[0] == "move" and saved[1]["step"] == "to"
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert "Resume Move?" in screen_text(app)
        await keys(pilot, "1", "enter")
        assert isinstance(app.screen, FlowScreen) and app.screen.step.name == "to"
        text = screen_text(app)
        assert "From: A-01-01-1" in text and "Qty: 7 EA" in text
        await enter(pilot, "A-01-02-1")
        assert "* Moved 7 EA to A-01-02-1" in screen_words(app)

    run(app, (20, 16), script)
    assert len(moves(site)) == 1
    assert (site.on_hand(site.wh.widget, site.wh.a1), site.on_hand(site.wh.widget, site.wh.a2)) \
        == (23, 7)


def test_a_confirmation_that_committed_before_the_drop_is_shown_done_not_posted_again(
    site: Site,
) -> None:
    work_until_the_to_step(site)
    op, wh = site.wh.operator, site.wh
    _, state = site.services.saved_flow(op.user_id)  # type: ignore[misc]
    # The drop came after the commit but before the screen (and the saved state) moved on.
    site.services.post(op, Move(wh.widget, 7, wh.a1, wh.a2, "MOVE-A-01-01-1"), str(state["key"]))
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1", "enter")
        assert isinstance(app.screen, FlowScreen) and app.screen.step.name == "from"
        # The destination was the scan that posted, so the saved state cannot name it.
        assert "* Last: Moved 7 EA" in screen_words(app)

    run(app, (40, 8), script)
    assert len(moves(site)) == 1


def test_declining_to_resume_discards_the_saved_flow(site: Site) -> None:
    work_until_the_to_step(site)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "2", "enter")
        assert isinstance(app.screen, MenuScreen)

    run(app, (80, 24), script)
    assert site.services.saved_flow(site.wh.operator.user_id) is None
    assert moves(site) == []


def test_a_saved_state_this_build_cannot_read_gives_a_system_error_not_a_crash(
    site: Site,
) -> None:
    op = site.wh.operator
    site.services.save_flow(op.user_id, "move", {"step": "no-such-step"}, "RF01")
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1", "enter")
        assert isinstance(app.screen, MenuScreen)
        assert "! System error - try again" in screen_words(app)
        await keys(pilot, "3")
        assert isinstance(app.screen, FlowScreen) and app.screen.step.name == "from"

    run(app, (20, 16), script)
    saved = site.services.saved_flow(op.user_id)
    assert saved is not None and saved[1] == {"step": "from"}


def test_nothing_scanned_yet_is_not_offered_to_resume(site: Site) -> None:
    """A flow left at its first step holds no work: the menu opens without the question."""
    site.services.save_flow(site.wh.operator.user_id, "move", {"step": "from"}, "RF01")
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        assert isinstance(app.screen, MenuScreen)
        assert "Resume" not in screen_words(app)
        await keys(pilot, "3")
        assert isinstance(app.screen, FlowScreen) and app.screen.step.name == "from"

    run(app, (20, 16), script)


def test_a_scenario_opens_its_own_flow_instead_of_offering_another(site: Site) -> None:
    """In a training scenario, saved work in another flow is not offered: the exercise opens."""
    work_until_the_to_step(site)
    app = site.app()
    app.scenario = "receive"

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        assert isinstance(app.screen, FlowScreen), type(app.screen).__name__
        assert app.screen.flow.name == "receive"

    run(app, (20, 16), script)


def test_a_refused_scan_saves_no_resume_point_and_the_next_step_does(site: Site) -> None:
    """A wrong scan leaves the step as it was, so nothing is written for it; the step after a
    good scan is saved as before (a write per refusal was a turn at the writers' lock)."""
    saves: list[str] = []
    save = site.services.save_flow

    def counted(user_id: int, flow: str, state: dict[str, object], terminal: str) -> None:
        saves.append(str(state.get("step")))
        save(user_id, flow, state, terminal)

    site.services.save_flow = counted  # type: ignore[method-assign]
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "3")
        await enter(pilot, "A-01-01-1")
        assert saves == ["from", "item"]
        await enter(pilot, "NOT-A-CODE")
        await enter(pilot, "A-01-02-1")
        assert isinstance(app.screen, FlowScreen) and app.screen.step.name == "item"
        assert saves == ["from", "item"]
        await enter(pilot, EA_GTIN)
        assert saves == ["from", "item", "qty"]

    run(app, (20, 16), script)
    saved = site.services.saved_flow(site.wh.operator.user_id)
    assert saved is not None and saved[1]["step"] == "qty"
