"""A drop after the commit but before the screen updated: the next log-in offers to resume and
the message line names what posted, so the operator never does it twice (issue 18 item 1)."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.tui.helpers import EA_GTIN, Site, enter, keys, login, run, screen_text, screen_words
from tests.tui.test_receive import receipts, seed_order
from wms_tui.domain.flows.base import Tone, no_translation
from wms_tui.domain.flows.registry import default_flows, find_flow
from wms_tui.screens.menu import MenuScreen
from wms_tui.screens.modals import ConfirmModal
from wms_tui.screens.step import FlowScreen


def work_until(site: Site, menu_key: str, *scans: str) -> None:
    """First app: open a flow and key up to the step that posts, then the app dies."""
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, menu_key)
        for scan in scans:
            await enter(pilot, scan)

    run(app, (20, 16), script)


def the_worker_posted_then_the_app_died(site: Site, final: str) -> str:
    """What the flow's worker did as the app died: the post committed and the state after it
    was saved, but the screen never showed the message. Returns that message."""
    op = site.wh.operator
    saved = site.services.saved_flow(op.user_id)
    assert saved is not None
    name, state = saved
    spec = find_flow(default_flows(), name)
    assert spec is not None
    flow = spec.build(op, site.services, no_translation, state)
    step = flow.submit(final)
    assert step.tone is Tone.SUCCESS, step
    site.services.save_flow(op.user_id, name, dict(flow.state), "RF01")
    return step.message


def moves(site: Site) -> list[Any]:
    return [m for m in site.movements() if m.kind.value == "move"]


def test_a_move_that_posted_as_the_app_died_is_offered_and_named(site: Site) -> None:
    work_until(site, "3", "A-01-01-1", EA_GTIN, "7")
    said = the_worker_posted_then_the_app_died(site, "A-01-02-1")
    assert said == "Moved 7 EA to A-01-02-1"
    saved = site.services.saved_flow(site.wh.operator.user_id)
    # The flow is back at its first step: before, nothing was offered and nothing said.
    assert saved is not None and saved[1]["step"] == "from"
    last = saved[1]["last"]
    assert isinstance(last, dict) and last["summary"] == said
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert "Resume Move?" in screen_words(app)
        await keys(pilot, "1", "enter")
        assert isinstance(app.screen, FlowScreen) and app.screen.step.name == "from"
        assert "* Last: Moved 7 EA to A-01-02-1" in screen_words(app)
        assert "Scan from location or LPN" in screen_words(app)

    run(app, (20, 16), script)
    assert len(moves(site)) == 1
    assert (site.on_hand(site.wh.widget, site.wh.a1), site.on_hand(site.wh.widget, site.wh.a2)) \
        == (23, 7)


def test_once_the_operator_keyed_on_it_is_not_offered_again(site: Site) -> None:
    work_until(site, "3", "A-01-01-1", EA_GTIN, "7")
    the_worker_posted_then_the_app_died(site, "A-01-02-1")
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1", "enter")
        assert "* Last: Moved 7 EA to A-01-02-1" in screen_words(app)
        # A scan the step refuses: the operator was at the screen, so the message was seen.
        await enter(pilot, "NOPE")
        assert "Scan a loc or LPN" in screen_words(app)

    run(app, (20, 16), script)
    app = site.app()

    async def again(pilot: Pilot[Any]) -> None:
        await login(pilot)
        assert isinstance(app.screen, MenuScreen)
        assert "Resume" not in screen_words(app)

    run(app, (20, 16), again)
    assert len(moves(site)) == 1


def test_a_receipt_that_posted_as_the_app_died_is_named_on_the_next_line(site: Site) -> None:
    seed_order(site)
    work_until(site, "1", "PO-7", EA_GTIN)
    said = the_worker_posted_then_the_app_died(site, "2")
    assert said == "Rcvd 2 EA WIDGET"
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        assert "Resume Receive?" in screen_words(app)
        await keys(pilot, "1", "enter")
        assert isinstance(app.screen, FlowScreen) and app.screen.step.name == "item"
        assert "Order: PO-7" in screen_text(app)
        assert "* Last: Rcvd 2 EA WIDGET" in screen_words(app)

    run(app, (20, 16), script)
    assert [m.quantity for m in receipts(site)] == [2]


def test_a_commit_the_saved_state_missed_is_named_too(site: Site) -> None:
    """Killed between the commit and the save: the state still holds the key, which posted."""
    seed_order(site)
    work_until(site, "1", "PO-7", EA_GTIN)
    op = site.wh.operator
    _name, state = site.services.saved_flow(op.user_id)  # type: ignore[misc]
    spec = find_flow(default_flows(), "receive")
    assert spec is not None
    spec.build(op, site.services, no_translation, state).submit("2")
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1", "enter")
        assert isinstance(app.screen, FlowScreen) and app.screen.step.name == "item"
        # The quantity was keyed as it posted, so the saved state names the item only.
        assert "* Last: Rcvd WIDGET" in screen_words(app)
        await enter(pilot, EA_GTIN)
        await enter(pilot, "3")
        assert "* Rcvd 3 EA WIDGET" in screen_words(app)

    run(app, (20, 16), script)
    assert [m.quantity for m in receipts(site)] == [2, 3]
