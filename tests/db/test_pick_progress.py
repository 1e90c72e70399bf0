"""The pick context's figures counted by the database (pick_progress) are the figures the
whole list of open tasks gives, on a wave with more open picks than the context lists."""

from __future__ import annotations

from sqlalchemy import Engine

from tests.db.outbound_site import TODAY, Site
from tests.factories import Warehouse
from wms_tui.domain.flows.context import NEXT_PICKS, PickProgress
from wms_tui.domain.outbound import (
    OPEN_TASK_STATUSES,
    TaskKind,
    confirm_pick,
    next_task,
    release_wave,
)
from wms_tui.domain.rf_services import RfBackend


def every_open_task(site: Site, task_id: int, user_id: int, *, order_only: bool = False
                    ) -> PickProgress:
    """The figures from every open task of the scope, read whole and counted here."""
    with site.uow() as uow:
        task = uow.outbound.task(task_id)
        tasks = uow.outbound.tasks(
            kind=TaskKind.PICK, statuses=OPEN_TASK_STATUSES,
            wave_id=None if order_only else task.wave_id,
            order_id=task.order_id if order_only or task.wave_id is None else None)
    takeable = [t for t in tasks if t.id != task_id and t.assigned_to in (None, user_id)]
    return PickProgress(len(tasks), sum(t.remaining for t in tasks), takeable[:NEXT_PICKS])


def test_the_counted_figures_match_the_whole_list(engine: Engine, wh: Warehouse) -> None:
    site = Site.build(engine, wh)
    site.receive(wh.widget, 200, wh.pick)
    site.receive(wh.widget, 200, wh.a1)
    # Nine orders, the first with two lines: ten picks in one wave.
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "3", "EA"),
                ("SO-1", "", "", "", "2", "WIDGET", "1", "CS"),
                *[(f"SO-{n}", "", "", "", "1", "WIDGET", str(n), "EA") for n in range(2, 10)])
    release_wave(site.uow, wh.supervisor, refs=[], today=TODAY)
    mine = next_task(site.uow, wh.operator, TaskKind.PICK)
    theirs = next_task(site.uow, wh.supervisor, TaskKind.PICK)
    assert mine is not None and theirs is not None
    # One pick done (out of the figures), one half done (its rest still to pick).
    confirm_pick(site.uow, wh.supervisor, theirs.id, theirs.quantity,
                 to_location_id=site.tote1, key="P1", today=TODAY)
    theirs = next_task(site.uow, wh.supervisor, TaskKind.PICK)
    assert theirs is not None
    confirm_pick(site.uow, wh.supervisor, theirs.id, 1, to_location_id=site.tote2, key="P2",
                 today=TODAY)
    services = RfBackend(site.uow)

    progress = services.pick_progress(mine.id, wh.operator.user_id)
    assert progress == every_open_task(site, mine.id, wh.operator.user_id)
    # Ten picks, one done: nine open (the operator's own counted), five of them listed.
    assert progress.picks == 9 and len(progress.upcoming) == NEXT_PICKS
    assert mine.id not in [t.id for t in progress.upcoming]

    # The supervisor's own half-done pick is one they may take; the operator's is not.
    theirs_view = services.pick_progress(theirs.id, wh.supervisor.user_id)
    assert theirs_view == every_open_task(site, theirs.id, wh.supervisor.user_id)
    assert mine.id not in [t.id for t in theirs_view.upcoming]

    # The order alone (SO-1 has two lines) and a single-line order.
    with site.uow() as uow:
        so1 = [t for t in uow.outbound.tasks(kind=TaskKind.PICK) if t.order_ref == "SO-1"]
    for task in so1:
        assert services.pick_progress(task.id, wh.operator.user_id, order_only=True) == (
            every_open_task(site, task.id, wh.operator.user_id, order_only=True))

