"""The Pick flow driven through the RF app at 16x20, 8x40 and 24x80: a batch wave of two orders
picked end to end, and a short pick that re-allocates and sends a counter; ledger and order
states checked after each.

The flow is registered locally (the app takes its flows and services as arguments)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, select
from textual.pilot import Pilot

from tests.tui.helpers import (
    EA_GTIN,
    SIZES,
    Site,
    burst,
    enter,
    keys,
    login,
    run,
    screen_text,
    screen_words,
)
from wms_tui.db.tables import CountTask, Location
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.checkdigits import location_check_digits
from wms_tui.domain.flows.base import AnyFlow, Translate
from wms_tui.domain.flows.pick import PickFlow
from wms_tui.domain.flows.registry import FlowSpec
from wms_tui.domain.model import Actor
from wms_tui.domain.outbound import (
    OutboundStatus,
    import_outbound_orders,
    release_wave,
)
from wms_tui.domain.permissions import Action
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.stock import Receive, post
from wms_tui.screens.step import FlowScreen

COLUMNS = ("reference", "line_no", "sku", "quantity", "uom")


PickBackend = RfBackend  # the app's backend, outbound services included


def pick_spec() -> FlowSpec:
    def factory(actor: Actor, services: Any, t: Translate,
                state: dict[str, Any] | None) -> AnyFlow:
        return PickFlow(actor, services, t=t, state=state)

    return FlowSpec("1", PickFlow.name, "Pick", Action.PICK, factory)


def prepare(site: Site, face_qty: int, *lines: tuple[str, ...]) -> tuple[int, int]:
    """Stock on the pick face, two totes, the orders released as one wave; returns the totes."""
    engine = site.engine
    with Session(engine) as s:
        totes = []
        for code in ("TOTE-1", "TOTE-2"):
            tote = Location(code=code, barcode=code, check_digits=location_check_digits(code),
                            type="staging", walk_seq=900)
            s.add(tote)
            s.flush()
            totes.append(tote.id)
        s.commit()
    post(uow_factory(engine), site.wh.admin, Receive(site.wh.widget, face_qty, site.wh.pick,
                                                     "ASN-2"))
    report = import_outbound_orders(uow_factory(engine),
                                    [dict(zip(COLUMNS, ln, strict=True)) for ln in lines])
    assert report.ok, report.errors
    release_wave(uow_factory(engine), site.wh.supervisor)
    return totes[0], totes[1]  # type: ignore[return-value]


def step_name(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen)
    return app.screen.step.name


def order_status(site: Site, ref: str) -> OutboundStatus:
    with SqlUnitOfWork(site.engine) as uow:
        order = uow.outbound.order_by_reference(ref)
        assert order is not None
        return order.status


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[1]}x{s[0]}")
def test_a_batch_wave_of_two_orders_picked_end_to_end(site: Site, size: tuple[int, int]) -> None:
    tote1, tote2 = prepare(site, 30, ("SO-1", "1", "WIDGET", "2", "CS"),
                           ("SO-2", "1", "WIDGET", "5", "EA"))
    app = site.app(flows=[pick_spec()], services=PickBackend(uow_factory(site.engine)))

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        await enter(pilot, "")
        assert step_name(app) == "loc"
        assert "P-01-01-1" in screen_words(app) and "2 CS" in screen_words(app)
        for text in ("P-01-01-1", EA_GTIN, ""):
            await enter(pilot, text)
        assert step_name(app) == "drop" and "SO-1" in screen_words(app)
        await enter(pilot, "TOTE-1")
        # The next task is at the same location: no second location scan.
        assert step_name(app) == "item" and "Picked 2 CS" in screen_words(app)
        for text in (EA_GTIN, ""):
            await enter(pilot, text)
        # Another order: Enter alone is refused (no tote yet for SO-2), SO-1's tote too.
        await enter(pilot, "")
        assert "Scan a tote" in screen_words(app) and app.bell_count == 1
        await enter(pilot, "TOTE-1")
        assert "Tote TOTE-1 is for SO-1: scan another" in screen_words(app) and app.bell_count == 2
        await enter(pilot, "TOTE-2")
        assert step_name(app) == "start"
        assert "Picked 5 EA: no more tasks" in screen_words(app)

    run(app, size, script)
    assert site.on_hand(site.wh.widget, tote1) == 24
    assert site.on_hand(site.wh.widget, tote2) == 5
    assert site.on_hand(site.wh.widget, site.wh.pick) == 1
    assert order_status(site, "SO-1") is order_status(site, "SO-2") is OutboundStatus.PICKED
    assert site.ledger_exact()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[1]}x{s[0]}")
def test_a_short_pick_reallocates_and_creates_a_count_task(
        site: Site, size: tuple[int, int]) -> None:
    tote1, _ = prepare(site, 10, ("SO-1", "1", "WIDGET", "10", "EA"))
    app = site.app(flows=[pick_spec()], services=PickBackend(uow_factory(site.engine)))

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        await enter(pilot, "")
        await enter(pilot, "P-01-01-1")
        await keys(pilot, "f5")
        assert step_name(app) == "reason" and "1 SHORT" in screen_words(app)
        await enter(pilot, "1")
        assert step_name(app) == "confirm" and "Short: 10 EA" in screen_words(app)
        await enter(pilot, "1")
        # The whole line now comes from the reserve location.
        assert step_name(app) == "loc"
        assert "Rest from another loc" in screen_words(app)
        assert "A-01-01-1" in screen_words(app)
        for text in ("A-01-01-1", EA_GTIN, "", "TOTE-1"):
            await enter(pilot, text)
        assert step_name(app) == "start"

    run(app, size, script)
    assert site.on_hand(site.wh.widget, tote1) == 10
    assert site.on_hand(site.wh.widget, site.wh.a1) == 20
    assert site.on_hand(site.wh.widget, site.wh.pick) == 10
    assert order_status(site, "SO-1") is OutboundStatus.PICKED
    with Session(site.engine) as s:
        [count] = s.execute(select(CountTask)).scalars()
    assert (count.location_id, count.trigger, count.status) == (site.wh.pick, "short_pick",
                                                                "open")
    assert site.ledger_exact()


def test_f5_1_enter_at_the_location_posts_no_short(site: Site) -> None:
    """An operator who has not scanned the location cannot short the line from afar."""
    prepare(site, 96, ("SO-1", "1", "WIDGET", "3", "EA"))
    app = site.app(flows=[pick_spec()], services=PickBackend(uow_factory(site.engine)))

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        await enter(pilot, "")
        assert step_name(app) == "loc"
        await keys(pilot, "f5")
        assert "Scan the location first, then F5" in screen_words(app)
        # Wider than 20 columns, the message wraps at a word onto a second line; none is cut.
        rows = screen_text(app).splitlines()
        at = next(i for i, row in enumerate(rows) if row.startswith("! Scan the"))
        assert rows[at].rstrip() == "! Scan the location"
        assert rows[at + 1].strip() == "first, then F5"
        assert ">_" in rows[at - 1] and len(rows) <= 16
        await enter(pilot, "1")
        assert step_name(app) == "loc"

    run(app, SIZES[0], script)
    assert site.on_hand(site.wh.widget, site.wh.pick) == 96
    assert order_status(site, "SO-1") is not OutboundStatus.SHORT
    with Session(site.engine) as s:
        assert list(s.execute(select(CountTask)).scalars()) == []
    assert site.ledger_exact()


@pytest.mark.parametrize("suffix", ["\r\n", "\n", "\t"], ids=["crlf", "lf", "tab"])
def test_a_crlf_suffix_at_scan_item_scans_once_and_asks_the_quantity(
        site: Site, suffix: str) -> None:
    """CR+LF is one suffix: the LF must not confirm the quantity step that the CR opened."""
    prepare(site, 96, ("SO-1", "1", "WIDGET", "3", "EA"))
    app = site.app(flows=[pick_spec()], services=PickBackend(uow_factory(site.engine)))

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        await keys(pilot, "1")
        await enter(pilot, "")
        await burst(pilot, "P-01-01-1" + suffix)
        assert step_name(app) == "item"
        await burst(pilot, EA_GTIN + suffix)
        assert step_name(app) == "qty", "the suffix's second key must not confirm the quantity"
        assert "Picked" not in screen_words(app)
        await enter(pilot, "3")
        assert step_name(app) == "drop"

    run(app, SIZES[0], script)
    assert site.on_hand(site.wh.widget, site.wh.pick) == 96
