"""Migration 0023 on SQLite and PostgreSQL: wave.status takes 'cancelled', waves an older
`wms wave cancel` left done become cancelled by their audit row, and the way back maps them
to done and refuses 'cancelled' again."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from tests.db.outbound_site import TODAY, Site
from tests.db.test_migrations import schema_diff
from tests.factories import Warehouse
from wms_tui.db.migrate import current_revision, downgrade, head_revision, upgrade
from wms_tui.domain.outbound import PickScope, TaskKind, confirm_pick, next_task, release_wave
from wms_tui.domain.outbound.cancels import cancel_order, cancel_wave


def statuses(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT code, status FROM wave"))
        return {code: status for code, status in rows}


def three_waves(site: Site) -> tuple[str, str, str]:
    """One wave cancelled, one picked to the end, one emptied by cancelling its only order."""
    site.receive(site.wh.widget, 30, site.wh.pick)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "3", "EA"),
                ("SO-2", "", "", "", "1", "WIDGET", "4", "EA"),
                ("SO-3", "", "", "", "1", "WIDGET", "5", "EA"))
    cancelled, picked, emptied = (
        release_wave(site.uow, site.wh.supervisor, refs=[ref], today=TODAY)
        for ref in ("SO-1", "SO-2", "SO-3"))
    cancel_wave(site.uow, site.wh.supervisor, cancelled.code)
    task = next_task(site.uow, site.wh.operator, TaskKind.PICK,
                     PickScope("wave", picked.wave_id, picked.code))
    assert task is not None
    confirm_pick(site.uow, site.wh.operator, task.id, task.remaining,
                 to_location_id=site.tote1, today=TODAY)
    cancel_order(site.uow, site.wh.supervisor, "SO-3")
    return cancelled.code, picked.code, emptied.code


def test_down_and_up_again_keeps_cancelled_waves_cancelled(engine: Engine,
                                                          wh: Warehouse) -> None:
    cancelled, picked, emptied = three_waves(Site.build(engine, wh))
    assert statuses(engine) == {cancelled: "cancelled", picked: "done", emptied: "done"}
    downgrade(engine, "0022")
    assert statuses(engine) == {cancelled: "done", picked: "done", emptied: "done"}
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE wave SET status = 'cancelled'"))
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    # Only the wave with a wave-cancel audit row is recognised; the others stay done.
    assert statuses(engine) == {cancelled: "cancelled", picked: "done", emptied: "done"}
    assert schema_diff(engine) == []
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE wave SET status = 'finished'"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE wave SET status = 'cancelled' WHERE code = :c"),
                     {"c": picked})
    assert statuses(engine)[picked] == "cancelled"
