"""/v1/stock, /v1/movements, /v1/counts: what is where, what moved, what is being counted.

The same listings as `wms stock`, `wms movements`, `wms count list` and `wms count pending`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from wms_tui.api.auth import scoped
from wms_tui.api.clients import ApiClient, Scope
from wms_tui.api.common import PROBLEMS, site_of
from wms_tui.api.models import (
    CountTaskOut,
    MovementOut,
    MovementPage,
    PendingCountOut,
    StockLineOut,
    VarianceLineOut,
)
from wms_tui.domain import counting, masterdata
from wms_tui.domain.model import StockStatus

router = APIRouter(prefix="/v1", tags=["stock"])

Code = Annotated[str | None, Query(max_length=48)]
MAX_PAGE = 1000


@router.get("/stock", response_model=list[StockLineOut], responses=PROBLEMS,
            summary="Stock on hand by item, location, lot, LPN and status")
def stock(request: Request, item: Code = None, location: Code = None, lot: Code = None,
          status: StockStatus | None = None,
          client: ApiClient = Depends(scoped(Scope.READ))) -> list[StockLineOut]:
    """item is a SKU, alias, barcode or GTIN; location a code or barcode."""
    lines = masterdata.stock_listing(site_of(request).read_factory(), item=item,
                                     location=location)
    return [
        StockLineOut(sku=ln.sku, description=ln.description, location=ln.location, lot=ln.lot,
                     expiry=ln.expiry, lpn=ln.lpn, status=ln.status, quantity=ln.quantity,
                     reserved=ln.reserved, uom=ln.uom)
        for ln in lines
        if (lot is None or ln.lot == lot) and (status is None or ln.status == status.value)
    ]


@router.get("/movements", response_model=MovementPage, responses=PROBLEMS,
            summary="The movement ledger by id, a page at a time")
def movements(request: Request,
              after_id: Annotated[int, Query(ge=0, le=2**62)] = 0,
              limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
              item: Code = None, location: Code = None,
              client: ApiClient = Depends(scoped(Scope.READ))) -> MovementPage:
    """Movements with an id above after_id, oldest first; next_after_id continues."""
    page = masterdata.movement_listing(site_of(request).read_factory(), item=item,
                                       location=location, limit=limit, after_id=after_id)
    return MovementPage(
        movements=[MovementOut(
            id=ln.id, time=ln.created_at, kind=ln.kind.value, sku=ln.sku, quantity=ln.quantity,
            uom=ln.uom, from_location=ln.from_location, to_location=ln.to_location, lot=ln.lot,
            from_lpn=ln.from_lpn, to_lpn=ln.to_lpn,
            from_status=ln.from_status.value if ln.from_status else None,
            to_status=ln.to_status.value if ln.to_status else None, user=ln.user,
            terminal=ln.terminal, reference=ln.reference, reason=ln.reason,
            approved_by=ln.approved_by) for ln in page],
        next_after_id=page[-1].id if page else after_id,
    )


@router.get("/counts", response_model=list[CountTaskOut], responses=PROBLEMS,
            summary="Count tasks (default: the open ones)")
def count_tasks(request: Request,
                status: Annotated[list[counting.CountStatus] | None, Query()] = None,
                client: ApiClient = Depends(scoped(Scope.READ))) -> list[CountTaskOut]:
    statuses = set(status) if status else set(counting.OPEN_STATUSES)
    tasks = counting.list_tasks(site_of(request).read_factory, statuses)
    return [CountTaskOut(id=t.id, location=t.location, status=t.status.value,
                         trigger=t.trigger.value, attempt=t.attempt, sku=t.sku, due=t.due,
                         created_at=t.created_at) for t in tasks]


@router.get("/counts/variances", response_model=list[PendingCountOut], responses=PROBLEMS,
            summary="Counted tasks waiting for a supervisor: book, counted, variance")
def count_variances(request: Request,
                    client: ApiClient = Depends(scoped(Scope.READ))) -> list[PendingCountOut]:
    pending = site_of(request).services.pending_approvals()
    return [PendingCountOut(
        task=p.task.id, location=p.task.location, counted_by=p.counted_by,
        counted_at=p.counted_at,
        lines=[VarianceLineOut(sku=ln.sku, lot=ln.lot, expected=ln.expected,
                               counted=ln.counted, first_count=ln.first_count,
                               variance=ln.variance, moved_since=ln.moved_since)
               for ln in p.lines]) for p in pending]
