"""/v1/items, /v1/locations, /v1/users: master data upserted in bulk through the imports
behind `wms item import`, `wms location import` and `wms user import`.

A request is one import: every row is checked and, unless partial=true, one problem refuses
them all (422, each named by row and field). Sending the same rows again changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse

from wms_tui.api import imports
from wms_tui.api.auth import scoped
from wms_tui.api.clients import ApiClient, Scope
from wms_tui.api.common import WRITE_PROBLEMS, answer, site_of
from wms_tui.api.mapping import MappedRoute
from wms_tui.api.models import MAX_ROWS, ImportOut, ItemIn, LocationIn, UserIn
from wms_tui.api.problems import RowOrigin
from wms_tui.api.writes import IdempotencyKey, JoinedUnitOfWork, run_write
from wms_tui.domain.importing import ImportKind
from wms_tui.domain.masterdata import import_items, import_locations
from wms_tui.domain.model import Actor
from wms_tui.domain.user_import import import_users

router = APIRouter(prefix="/v1", tags=["master data"], route_class=MappedRoute)

Partial = Annotated[bool, Query(
    description="Write every row (item: with all its units) without problems; report the rest")]
UNIT_FIELDS = ("uom", "factor", "gtin", "barcode")
ItemRows = Annotated[list[ItemIn], Body(min_length=1, max_length=MAX_ROWS)]
LocationRows = Annotated[list[LocationIn], Body(min_length=1, max_length=MAX_ROWS)]
UserRows = Annotated[list[UserIn], Body(min_length=1, max_length=MAX_ROWS)]

Rows = tuple[list[dict[str, object]], dict[int, RowOrigin]]


def _item_rows(items: list[ItemIn]) -> Rows:
    """One import row per unit of each item (an item without units: one row, its base unit)."""
    rows: list[dict[str, object]] = []
    origins: dict[int, RowOrigin] = {}
    for index, item in enumerate(items):
        fields = {name: getattr(item, name) for name in item.model_fields_set
                  if name != "units"}
        fields.update(sku=item.sku, description=item.description, base_uom=item.base_uom)
        if "aliases" in fields and not item.aliases:
            del fields["aliases"]
        for number, unit in enumerate(item.units or [None]):
            row = dict(fields)
            if unit is not None:
                row.update({name: getattr(unit, name) for name in unit.model_fields_set})
                row["uom"] = unit.uom
            rows.append(row)
            origins[len(rows)] = (index + 1, f"units[{number}].")
    return rows, origins


def _plain_rows(documents: list[Any]) -> Rows:
    rows = [document.model_dump(exclude_unset=True) for document in documents]
    return rows, {number: (number, "") for number in range(1, len(rows) + 1)}


def _upsert(request: Request, client: ApiClient, key: str, operation: str, sent: list[Any],
            kind: ImportKind[Any], rows_of: Callable[[JoinedUnitOfWork], Rows],
            partial: bool, prefixed: tuple[str, ...] | None = None) -> JSONResponse:
    def work(uow: JoinedUnitOfWork, actor: Actor) -> tuple[int, dict[str, Any]]:
        rows, origins = rows_of(uow)
        report = imports.run(kind, uow, imports.table(rows), origins=origins,
                             prefixed=prefixed, partial=partial)
        return 200, imports.report_body(report, origins, prefixed)

    body = {"partial": partial, "rows": [d.model_dump(mode="json") for d in sent]}
    return answer(run_write(site_of(request), request, client, key, operation, body, work))


@router.post("/items", response_model=ImportOut, responses=WRITE_PROBLEMS,
             summary="Upsert items with their units, GTINs and aliases, by SKU")
def upsert_items(items: ItemRows, request: Request, key: IdempotencyKey,
                 partial: Partial = False,
                 client: ApiClient = Depends(scoped(Scope.MASTERDATA))) -> JSONResponse:
    return _upsert(request, client, key, "api-items", items, import_items,
                   lambda uow: _item_rows(items), partial, UNIT_FIELDS)


@router.post("/locations", response_model=ImportOut, responses=WRITE_PROBLEMS,
             summary="Upsert locations by code")
def upsert_locations(locations: LocationRows, request: Request, key: IdempotencyKey,
                     partial: Partial = False,
                     client: ApiClient = Depends(scoped(Scope.MASTERDATA))) -> JSONResponse:
    return _upsert(request, client, key, "api-locations", locations, import_locations,
                   lambda uow: _plain_rows(locations), partial)


@router.post("/users", response_model=ImportOut, responses=WRITE_PROBLEMS,
             summary="Upsert users by user ID (never with a PIN)")
def upsert_users(users: UserRows, request: Request, key: IdempotencyKey,
                 partial: Partial = False,
                 client: ApiClient = Depends(scoped(Scope.MASTERDATA))) -> JSONResponse:

    def rows_of(uow: JoinedUnitOfWork) -> Rows:
        rows, origins = _plain_rows(users)
        for row in rows:
            login = str(row.get("login", "")).strip().upper()
            # A new user needs a PIN; one nobody knows keeps it out until an admin sets one.
            row["pin"] = "" if uow.users.by_login(login) else f"{secrets.randbelow(10**8):08d}"
        return rows, origins

    return _upsert(request, client, key, "api-users", users, import_users, rows_of, partial)
