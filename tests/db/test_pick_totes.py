"""Totes belong to orders in the database: the pick flow over the real services, a picker who
leaves Pick and comes back, and the binding rules of confirm_pick and short_pick."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from tests.db.outbound_site import TODAY, Site
from tests.factories import Warehouse, saved_id
from wms_tui.db.tables import Item, ItemUom, ToteOrder
from wms_tui.db.uow import uow_factory
from wms_tui.domain.errors import ScanRejected
from wms_tui.domain.flows.base import Tone
from wms_tui.domain.flows.pick import PickFlow
from wms_tui.domain.outbound import TaskKind, confirm_pick, next_task, release_wave, short_pick
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.stock import Move, post


@pytest.fixture
def site(engine: Engine, wh: Warehouse) -> Site:
    return Site.build(engine, wh)


def new_item(engine: Engine, sku: str) -> int:
    with Session(engine) as s:
        item = Item(sku=sku, description=sku)
        s.add(item)
        s.flush()
        s.add(ItemUom(item_id=saved_id(item.id), uom="EA", factor=1))
        s.commit()
        assert item.id is not None
        return item.id


def bindings(site: Site) -> dict[int, str]:
    """Tote id -> the reference of the order it is bound to."""
    with site.uow() as u:
        rows = u.session.execute(select(ToteOrder.tote_id, ToteOrder.order_id)).all()  # type: ignore[call-overload]
        return {tote: u.outbound.order(order).reference for tote, order in rows}


def two_orders_in_walk_order(site: Site) -> int:
    """One wave walked A-01-01-1, A-01-02-1, P-01-01-1: SO-2001, SO-2003, SO-2001 again."""
    wh = site.wh
    gear = new_item(site.engine, "GEAR")
    site.receive(wh.widget, 50, wh.a1)
    site.receive(wh.heavy, 50, wh.a2)
    site.receive(gear, 96, wh.pick)
    site.orders(("SO-2001", "", "", "", "1", "WIDGET", "5", "EA"),
                ("SO-2001", "", "", "", "2", "GEAR", "3", "EA"),
                ("SO-2003", "", "", "", "1", "BOLT", "4", "EA"))
    release_wave(site.uow, wh.supervisor, today=TODAY)
    return gear


def pick_line(flow: PickFlow, *scans: str) -> Any:
    """Location, item, Enter (all asked); returns the drop step."""
    step = flow.current()
    for text in (*scans, ""):
        step = flow.submit(text)
        assert step.tone is not Tone.ERROR, step.message
    assert step.name == "drop"
    return step


def test_a_picker_who_leaves_and_comes_back_keeps_each_order_in_its_own_tote(
        site: Site) -> None:
    wh = site.wh
    gear = two_orders_in_walk_order(site)
    services = RfBackend(uow_factory(site.engine))
    first = PickFlow(wh.operator, services)
    first.submit("")
    pick_line(first, "A-01-01-1", "WIDGET")
    assert first.submit("TOTE-1").message == "Picked 5 EA"
    # The picker leaves Pick here; the next line (SO-2003) is theirs when they come back.
    again = PickFlow(wh.operator, services)
    assert again.submit("").name == "loc"
    pick_line(again, "A-01-02-1", "BOLT")
    step = again.submit("TOTE-1")
    assert (step.name, step.tone, step.message) == (
        "drop", Tone.ERROR, "Tote TOTE-1 holds SO-2001: scan another")
    assert again.submit("TOTE-2").message == "Picked 4 EA"
    # SO-2001 again: its own tote is offered, and Enter drops into it.
    step = pick_line(again, "P-01-01-1", "GEAR")
    assert (step.prompt, {f.label: f.value for f in step.facts}["Tote"]) == (
        "Scan tote/Enter", "TOTE-1")
    step = again.submit("")
    assert (step.tone, step.message) == (Tone.SUCCESS, "Picked 3 EA: no more tasks")
    assert site.balance(wh.widget, site.tote1) == (5, 0)
    assert site.balance(gear, site.tote1) == (3, 0)
    assert site.balance(wh.heavy, site.tote2) == (4, 0)
    assert site.balance(wh.heavy, site.tote1) == (0, 0)
    assert bindings(site) == {site.tote1: "SO-2001", site.tote2: "SO-2003"}
    assert site.exact() == []


def one_line_each(site: Site) -> tuple[int, int]:
    """SO-1 and SO-2, five widgets each from the pick face; their two tasks, SO-1's first."""
    site.receive(site.wh.widget, 30, site.wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "5", "EA"),
                ("SO-2", "", "", "", "1", "WIDGET", "5", "EA"))
    release_wave(site.uow, site.wh.supervisor, today=TODAY)
    with site.uow() as u:
        tasks = {t.order_ref: t.id for t in u.outbound.tasks(kind=TaskKind.PICK)}
    return tasks["SO-1"], tasks["SO-2"]


def test_a_tote_holding_another_order_is_refused_by_pick_and_short(site: Site) -> None:
    wh = site.wh
    so1, so2 = one_line_each(site)
    confirm_pick(site.uow, wh.operator, so1, 5, to_location_id=site.tote1, today=TODAY)
    with pytest.raises(ScanRejected, match="Tote TOTE-1 holds SO-1: scan another"):
        confirm_pick(site.uow, wh.operator, so2, 5, to_location_id=site.tote1, today=TODAY)
    with pytest.raises(ScanRejected, match="Tote TOTE-1 holds SO-1"):
        short_pick(site.uow, wh.operator, so2, 2, "SHORT", to_location_id=site.tote1,
                   today=TODAY)
    assert site.balance(wh.widget, site.tote1) == (5, 0)
    assert len(site.movements()) == 2 and site.count_tasks() == []
    # Nothing picked: no tote, so no binding to check.
    short_pick(site.uow, wh.operator, so2, 0, "SHORT", today=TODAY)
    assert bindings(site) == {site.tote1: "SO-1"}
    assert site.exact() == []


def test_an_emptied_tote_is_bound_to_the_next_order(site: Site) -> None:
    wh = site.wh
    so1, so2 = one_line_each(site)
    short_pick(site.uow, wh.operator, so1, 2, "SHORT", to_location_id=site.tote1, today=TODAY)
    assert bindings(site) == {site.tote1: "SO-1"}
    # SO-1's two widgets leave the tote (packed), so the tote is free for another order.
    post(site.uow, wh.operator, Move(wh.widget, 2, site.tote1, wh.dock, "PACK-1"))
    confirm_pick(site.uow, wh.operator, so2, 5, to_location_id=site.tote1, today=TODAY)
    assert bindings(site) == {site.tote1: "SO-2"}
    assert site.balance(wh.widget, site.tote1) == (5, 0)
    assert site.exact() == []


def test_an_order_may_fill_more_than_one_tote_and_the_latest_is_offered(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 30, wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "5", "EA"),
                ("SO-1", "", "", "", "2", "WIDGET", "6", "EA"),
                ("SO-1", "", "", "", "3", "WIDGET", "7", "EA"))
    release_wave(site.uow, wh.supervisor, today=TODAY)
    services = RfBackend(uow_factory(site.engine))
    for tote in (site.tote1, site.tote2):
        task = next_task(site.uow, wh.operator, TaskKind.PICK)
        assert task is not None
        confirm_pick(site.uow, wh.operator, task.id, task.remaining, to_location_id=tote,
                     today=TODAY)
    assert bindings(site) == {site.tote1: "SO-1", site.tote2: "SO-1"}
    task = next_task(site.uow, wh.operator, TaskKind.PICK)
    assert task is not None and task.order_id is not None
    offered = services.order_tote(task.order_id)
    assert offered is not None and offered.code == "TOTE-2"
