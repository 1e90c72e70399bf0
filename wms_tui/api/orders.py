"""/v1/orders: inbound and outbound orders created, changed while untouched, cancelled, read.

Creating and changing go through the order imports (`wms order import`), so a line is checked
by the same rules and named by the same messages; cancelling goes through the cancels
(`wms order cancel`). Each write runs once per Idempotency-Key (writes.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from wms_tui.api import imports
from wms_tui.api.auth import scoped
from wms_tui.api.clients import ApiClient, Scope
from wms_tui.api.common import PROBLEMS, WRITE_PROBLEMS, answer, site_of
from wms_tui.api.mapping import MappedRoute
from wms_tui.api.models import (
    CancelIn,
    CancelOut,
    InboundOrderIn,
    OrderLineOut,
    OrderOut,
    OrderWritten,
    OutboundOrderIn,
)
from wms_tui.api.problems import ApiProblem, FieldError, RowOrigin, invalid
from wms_tui.api.writes import IdempotencyKey, JoinedUnitOfWork, run_write, service_key
from wms_tui.domain import listings
from wms_tui.domain.inbound import InboundStatus, import_inbound_orders
from wms_tui.domain.inbound.cancels import cancel_inbound_order
from wms_tui.domain.model import Actor
from wms_tui.domain.outbound.cancels import PickedUnits, cancel_order
from wms_tui.domain.outbound.model import OutboundStatus
from wms_tui.domain.outbound.orders import import_outbound_orders

router = APIRouter(prefix="/v1/orders", tags=["orders"], route_class=MappedRoute)

Kind = Literal["inbound", "outbound"]
OrderDoc = InboundOrderIn | OutboundOrderIn
Reference = Annotated[str, Path(min_length=1, max_length=40)]
# The order's own fields as import columns, and the request field each one is.
HEADER = {
    "outbound": {"reference": "reference", "customer": "customer", "ship_date": "ship_date",
                 "priority": "priority"},
    "inbound": {"reference": "reference", "supplier": "supplier",
                "expected_date": "expected_date", "order_sscc": "sscc"},
}


def _rows(kind: Kind, order: OrderDoc) -> tuple[list[dict[str, object]], dict[int, RowOrigin]]:
    """One import row per line, the order's fields repeated on each, as the file import has."""
    ref = order.reference.strip().upper()
    head: dict[str, object] = {"reference": ref}
    for column, name in HEADER[kind].items():
        if name != "reference" and name in order.model_fields_set:
            head[column] = getattr(order, name)
    rows: list[dict[str, object]] = []
    origins: dict[int, RowOrigin] = {}
    for index, line in enumerate(order.lines):
        row = dict(head)
        row.update({name: getattr(line, name) for name in ("line_no", "sku", "quantity")})
        row.update({name: getattr(line, name) for name in line.model_fields_set})
        rows.append(row)
        origins[index + 1] = (index + 1, f"lines[{index}].")
    return rows, origins


def _repository(uow: JoinedUnitOfWork, kind: Kind) -> Any:
    return uow.outbound if kind == "outbound" else uow.inbound


def _untouched(uow: JoinedUnitOfWork, kind: Kind, ref: str, order: OrderDoc) -> None:
    """Refuse a change to an order work has started on, or one that drops a line."""
    repo = _repository(uow, kind)
    found = repo.order_by_reference(ref)
    if found is None:
        raise ApiProblem(404, "not-found", "Not found", f"no {kind} order {ref}")
    # Held until commit, so a wave release or a receipt waits for this change or sees it.
    repo.lock_order(found.id)
    found = repo.order(found.id)
    lines = repo.lines(found.id)
    if kind == "outbound":
        touched = found.status != OutboundStatus.OPEN
    else:
        touched = found.status != InboundStatus.OPEN or any(ln.received for ln in lines)
    if touched:
        raise ApiProblem(409, "order-touched", "The order can no longer change",
                         f"{kind} order {ref} is {found.status.value}: only an order no work "
                         "has started on can change; cancel it instead")
    sent = {line.line_no for line in order.lines}
    dropped = sorted(ln.line_no for ln in lines if ln.line_no not in sent)
    if dropped:
        raise invalid([FieldError(row=None, field="lines", message=(
            f"line(s) {', '.join(map(str, dropped))} of {ref} are missing: send every line "
            "(lines are not removed through the API; cancel and create the order again)"))])


def _save(uow: JoinedUnitOfWork, kind: Kind, order: OrderDoc, *,
          reference: str | None = None) -> tuple[int, dict[str, Any]]:
    ref = order.reference.strip().upper()
    repo = _repository(uow, kind)
    if reference is None:
        if repo.order_by_reference(ref) is not None:
            raise ApiProblem(409, "order-exists", "The order exists",
                             f"{kind} order {ref} exists: change it with PUT "
                             f"/v1/orders/{kind}/{ref}")
    else:
        if ref != reference.strip().upper():
            raise invalid([FieldError(row=None, field="reference", message=(
                f"{ref} differs from the order in the path, {reference.strip().upper()}"))])
        _untouched(uow, kind, ref, order)
    rows, origins = _rows(kind, order)
    importer = import_outbound_orders if kind == "outbound" else import_inbound_orders
    imports.run(importer, uow, imports.table(rows), origins=origins,
                header={c: n for c, n in HEADER[kind].items()})
    saved = repo.order_by_reference(ref)
    body = OrderWritten(kind=kind, reference=ref, status=saved.status.value,
                        lines=len(repo.lines(saved.id)), created=reference is None)
    return (201 if reference is None else 200), body.model_dump()


def _write(request: Request, client: ApiClient, key: str, operation: str, order: OrderDoc,
           kind: Kind, reference: str | None = None) -> JSONResponse:
    def work(uow: JoinedUnitOfWork, actor: Actor) -> tuple[int, dict[str, Any]]:
        return _save(uow, kind, order, reference=reference)

    return answer(run_write(site_of(request), request, client, key, operation,
                            order.model_dump(mode="json"), work))


@router.post("/outbound", status_code=201, response_model=OrderWritten,
             responses=WRITE_PROBLEMS, summary="Create a customer order")
def create_outbound(order: OutboundOrderIn, request: Request, key: IdempotencyKey,
                    client: ApiClient = Depends(scoped(Scope.ORDERS))) -> JSONResponse:
    return _write(request, client, key, "api-order-out-add", order, "outbound")


@router.put("/outbound/{reference}", response_model=OrderWritten, responses=WRITE_PROBLEMS,
            summary="Change a customer order not yet released for picking")
def update_outbound(reference: Reference, order: OutboundOrderIn, request: Request,
                    key: IdempotencyKey,
                    client: ApiClient = Depends(scoped(Scope.ORDERS))) -> JSONResponse:
    return _write(request, client, key, "api-order-out-set", order, "outbound", reference)


@router.post("/inbound", status_code=201, response_model=OrderWritten,
             responses=WRITE_PROBLEMS, summary="Create an ASN or purchase order")
def create_inbound(order: InboundOrderIn, request: Request, key: IdempotencyKey,
                   client: ApiClient = Depends(scoped(Scope.ORDERS))) -> JSONResponse:
    return _write(request, client, key, "api-order-in-add", order, "inbound")


@router.put("/inbound/{reference}", response_model=OrderWritten, responses=WRITE_PROBLEMS,
            summary="Change an inbound order nothing has been received against")
def update_inbound(reference: Reference, order: InboundOrderIn, request: Request,
                   key: IdempotencyKey,
                   client: ApiClient = Depends(scoped(Scope.ORDERS))) -> JSONResponse:
    return _write(request, client, key, "api-order-in-set", order, "inbound", reference)


@router.post("/{kind}/{reference}/cancel", response_model=CancelOut, responses=WRITE_PROBLEMS,
             summary="Cancel an order (outbound: not shipped; inbound: nothing received)")
def cancel(kind: Kind, reference: Reference, body: CancelIn, request: Request,
           key: IdempotencyKey,
           client: ApiClient = Depends(scoped(Scope.ORDERS))) -> JSONResponse:
    ref = reference.strip().upper()
    once = service_key(client, key)

    def work(uow: JoinedUnitOfWork, actor: Actor) -> tuple[int, dict[str, Any]]:
        lend = cast(Any, lambda: uow)
        if kind == "outbound":
            picked = PickedUnits(body.picked) if body.picked else None
            result = cancel_order(lend, actor, ref, reason=body.reason, picked=picked,
                                  to_location=body.to_location, key=once)
            status = OutboundStatus.CANCELLED.value
        else:
            if body.picked or body.to_location:
                raise invalid([FieldError(row=None, field="picked", message=(
                    "an inbound order has no picked units"))])
            result = cancel_inbound_order(lend, actor, ref, reason=body.reason, key=once)
            status = InboundStatus.CANCELLED.value
        out = CancelOut(kind=kind, reference=ref, status=status,
                        tasks_cancelled=len(result.tasks), released=result.released,
                        picked=result.picked, returned=result.returned)
        return 200, out.model_dump()

    return answer(run_write(site_of(request), request, client, key, f"api-cancel-{kind[:3]}",
                            body.model_dump(mode="json"), work))


def _order_out(detail: listings.OrderDetail) -> OrderOut:
    row = detail.order
    return OrderOut(
        kind=row.kind.value, reference=row.reference, party=row.party,
        status=row.status, due=row.due, priority=row.priority, wave=row.wave,
        quantity=row.quantity, done=row.done, created_at=row.created_at,
        lines=[OrderLineOut(**vars(line)) for line in detail.lines],
    )


@router.get("/{kind}/{reference}", response_model=OrderOut, responses=PROBLEMS,
            summary="An order's status and its lines")
def order_status(kind: Kind, reference: Reference, request: Request,
                 client: ApiClient = Depends(scoped(Scope.READ))) -> OrderOut:
    detail = listings.order_detail(site_of(request).read_factory(), reference,
                                   listings.OrderKind(kind))
    return _order_out(detail)


@router.get("/{kind}", response_model=list[OrderOut], responses=PROBLEMS,
            summary="Orders of one kind (without lines), by reference")
def order_list(kind: Kind, request: Request,
               status: Annotated[list[str] | None, Query()] = None,
               client: ApiClient = Depends(scoped(Scope.READ))) -> list[OrderOut]:
    which = listings.OrderKind(kind)
    where = listings.OrderFilter(statuses=listings.order_statuses(status or [], which))
    rows = listings.order_listing(site_of(request).read_factory(), where, which)
    return [_order_out(listings.OrderDetail(row)) for row in rows]
