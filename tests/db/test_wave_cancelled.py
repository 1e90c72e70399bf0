"""A cancelled wave says cancelled, on SQLite and PostgreSQL: in the database, to a second
cancel, and on RF, where its tasks are not offered; a wave picked to the end stays done."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from tests.db.outbound_site import TODAY, Site
from tests.factories import Warehouse
from wms_tui.db.uow import uow_factory
from wms_tui.domain.errors import BadInput
from wms_tui.domain.flows.pick import PickFlow
from wms_tui.domain.outbound import (
    PickScope,
    TaskKind,
    WaveStatus,
    confirm_pick,
    next_task,
    release_wave,
)
from wms_tui.domain.outbound.cancels import cancel_wave
from wms_tui.domain.rf_services import RfBackend


@pytest.fixture
def site(engine: Engine, wh: Warehouse) -> Site:
    return Site.build(engine, wh)


def stored_status(site: Site, code: str) -> str:
    with site.engine.connect() as conn:
        return str(conn.execute(text("SELECT status FROM wave WHERE code = :code"),
                                {"code": code}).scalar_one())


def test_a_cancelled_waves_tasks_are_not_offered_on_rf(site: Site) -> None:
    site.receive(site.wh.widget, 10, site.wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "3", "EA"),
                ("SO-2", "", "", "", "1", "WIDGET", "4", "EA"))
    wave = release_wave(site.uow, site.wh.supervisor, refs=["SO-1", "SO-2"], today=TODAY)
    cancel_wave(site.uow, site.wh.supervisor, wave.code)
    assert stored_status(site, wave.code) == "cancelled"
    scope = PickScope("wave", wave.wave_id, wave.code)
    assert next_task(site.uow, site.wh.operator, TaskKind.PICK, scope) is None
    flow = PickFlow(site.wh.operator, RfBackend(uow_factory(site.engine)))
    by_wave = flow.submit(wave.code)
    assert (by_wave.name, by_wave.message) == ("start", "No pick tasks")
    any_task = flow.submit("")
    assert (any_task.name, any_task.message) == ("start", "No pick tasks")


def test_a_wave_picked_to_the_end_is_done_and_a_cancel_says_so(site: Site) -> None:
    site.receive(site.wh.widget, 10, site.wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "6", "EA"))
    wave = release_wave(site.uow, site.wh.supervisor, refs=["SO-1"], today=TODAY)
    task = next_task(site.uow, site.wh.operator, TaskKind.PICK,
                     PickScope("wave", wave.wave_id, wave.code))
    assert task is not None
    confirm_pick(site.uow, site.wh.operator, task.id, task.remaining,
                 to_location_id=site.tote1, today=TODAY)
    with pytest.raises(BadInput, match=f"wave {wave.code} is done: nothing open to cancel"):
        cancel_wave(site.uow, site.wh.supervisor, wave.code)
    with site.uow() as u:
        assert u.outbound.wave(wave.wave_id).status is WaveStatus.DONE
    assert site.exact() == []
