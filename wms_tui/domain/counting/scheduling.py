"""Making count tasks: the ABC schedule and a supervisor's request, each one transaction.

Every task is created through count_tasks.open_count_task, the one owner of "a location has
at most one open task".
"""

from __future__ import annotations

from datetime import date

from wms_tui.domain import stock
from wms_tui.domain.count_tasks import CountTrigger, open_count_task
from wms_tui.domain.counting.model import REQUEST_COUNT, CountCandidate, CountPolicy, ScheduleReport
from wms_tui.domain.counting.repository import CountingUnitOfWork, CountingUowFactory
from wms_tui.domain.counting.rules import is_due
from wms_tui.domain.errors import N_, BadInput, NotFound
from wms_tui.domain.model import Actor
from wms_tui.domain.permissions import require


def create_count_task(
    uow: CountingUnitOfWork, location_id: int, trigger: CountTrigger, *,
    requested_by: int | None = None, item_id: int | None = None, due: date | None = None,
) -> int | None:
    """Add a task inside the caller's transaction; None if the location already has one open."""
    task_id, created = open_count_task(uow.counting, location_id, trigger,
                                       requested_by=requested_by, item_id=item_id, due=due)
    return task_id if created else None


def schedule_counts(
    uow_factory: CountingUowFactory, actor: Actor | None, today: date,
    policy: CountPolicy | None = None,
) -> ScheduleReport:
    """Create the ABC count tasks due today, the site's date (bootstrap.Site.today), so a
    count is due on the warehouse's calendar, not UTC's; one transaction."""
    policy = policy or CountPolicy()

    def work() -> ScheduleReport:
        report = ScheduleReport()
        with uow_factory() as uow:
            due: dict[int, CountCandidate] = {}
            for c in uow.counting.candidates():
                if is_due(c.last_counted, c.abc_class, today, policy):
                    report.due_items += 1
                    due.setdefault(c.location_id, c)
            for c in sorted(due.values(), key=lambda c: (c.walk_seq, c.location)):
                task_id = create_count_task(
                    uow, c.location_id, CountTrigger.ABC,
                    requested_by=actor.user_id if actor else None, due=today)
                if task_id is None:
                    report.already_open.append(c.location)
                else:
                    report.created.append(uow.counting.task(task_id))
            uow.commit()
        return report

    return stock.with_retry(work)


def request_count(
    uow_factory: CountingUowFactory, actor: Actor, *, location: str | None = None,
    item: str | None = None, zone: str | None = None, due: date | None = None,
) -> ScheduleReport:
    """A supervisor's count: one location, every location holding an item, or a whole zone.

    An item request counts only that item at each of its locations.
    """
    require(actor, REQUEST_COUNT)
    if sum(x is not None for x in (location, item, zone)) != 1:
        raise BadInput("name exactly one of a location, an item or a zone")

    def work() -> ScheduleReport:
        report = ScheduleReport()
        with uow_factory() as uow:
            item_id, location_ids = _requested(uow, location, item, zone)
            for location_id in location_ids:
                task_id = create_count_task(
                    uow, location_id, CountTrigger.SUPERVISOR, requested_by=actor.user_id,
                    item_id=item_id, due=due)
                if task_id is None:
                    report.already_open.append(uow.catalog.location(location_id).code)
                else:
                    report.created.append(uow.counting.task(task_id))
            uow.commit()
        return report

    return stock.with_retry(work)


def _requested(
    uow: CountingUnitOfWork, location: str | None, item: str | None, zone: str | None,
) -> tuple[int | None, list[int]]:
    """The item a request is limited to (None: everything) and the locations it names."""
    if location is not None:
        found = uow.catalog.location_by_code(location.strip())
        if found is None:
            raise NotFound(N_("no location {code}"), code=location)
        return None, [found.id]
    if item is not None:
        ref = uow.catalog.item_by_code(item.strip())
        if ref is None:
            raise NotFound(N_("no item {code}"), code=item)
        return ref.id, uow.counting.location_ids(item_id=ref.id)
    code = (zone or "").strip().upper()
    if code not in uow.masterdata.zone_codes():
        raise NotFound(N_("no zone {code}"), code=code)
    return None, uow.counting.location_ids(zone=code)
