"""/v1/events: the ledger's events by cursor, from the same outbox as `wms export events`.

A cursor names the last event a client has, and its database's epoch; the answer's cursor is
where the next request starts, so no event is missed or sent twice. With wait=N the request
is held until an event arrives or N seconds pass (long-poll): the outbox is read again every
`poll` seconds, since postings come from other processes (the RF sessions).
"""

from __future__ import annotations

import asyncio
import threading
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from wms_tui.api.auth import scoped
from wms_tui.api.clients import ApiClient, Scope
from wms_tui.api.common import PROBLEMS, site_of
from wms_tui.api.models import EventOut, EventPage
from wms_tui.domain import exports
from wms_tui.domain.exports import Cursor, EventKind, ExportBatch

router = APIRouter(prefix="/v1", tags=["events"])

MAX_WAIT = 60
MAX_BATCH = 1000


class FeedWatch:
    """Long-polls in progress, and how often they found nothing: for the tests and for
    anyone sizing a server (each waiting request holds no thread, only a timer)."""

    def __init__(self, poll: float = 0.25) -> None:
        self.poll = poll
        self.waiting = 0
        self.empty_reads = 0
        self._changed = threading.Condition()

    def note(self, waiting: int = 0, empty: int = 0) -> None:
        with self._changed:
            self.waiting += waiting
            self.empty_reads += empty
            self._changed.notify_all()

    def wait_for(self, *, waiting: int = 0, empty_reads: int = 0, timeout: float = 30) -> bool:
        """Block until at least that many requests wait and have read nothing (tests)."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self.waiting >= waiting and self.empty_reads >= empty_reads, timeout)


def _read(request: Request, cursor: Cursor, limit: int, kinds: list[EventKind]) -> ExportBatch:
    with site_of(request).read_factory() as uow:
        return exports.next_batch(uow.reports, cursor, limit, kinds)


@router.get("/events", response_model=EventPage, responses=PROBLEMS,
            summary="Ledger events after a cursor, optionally waiting for the next one")
async def events(
    request: Request,
    cursor: Annotated[str | None, Query(
        max_length=80, description="The cursor the last answer gave (default: the start)")]
        = None,
    kind: Annotated[list[EventKind] | None, Query(description="Only these events")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_BATCH)] = 100,
    wait: Annotated[float, Query(ge=0, le=MAX_WAIT, description=(
        "Seconds to wait for an event when there is none yet (long-poll)"))] = 0,
    client: ApiClient = Depends(scoped(Scope.READ)),
) -> EventPage:
    watch: FeedWatch = request.app.state.feed
    position = Cursor.parse(cursor)
    kinds = list(kind or ())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    batch = await run_in_threadpool(_read, request, position, limit, kinds)
    warnings = list(batch.warnings)
    if not batch.events and wait > 0:
        watch.note(waiting=1)
        try:
            while not batch.events and loop.time() < deadline:
                watch.note(empty=1)
                await asyncio.sleep(min(watch.poll, max(deadline - loop.time(), 0)))
                # Events read but filtered out still move the cursor on.
                batch = await run_in_threadpool(_read, request, batch.cursor, limit, kinds)
        finally:
            watch.note(waiting=-1)
    return EventPage(cursor=batch.cursor.text(),
                     events=[EventOut.model_validate(e.record()) for e in batch.events],
                     warnings=warnings)
