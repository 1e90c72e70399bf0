"""A client's field mapping applied to its writes: the body is renamed and its codes mapped
before it is validated, and the problems of the answer name the ERP's own fields.

The mapping is stored with the client (`wms api client map`, clients.py); the routers of the
writes that take documents use MappedRoute, which knows each path's kind of document.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.types import Scope

from wms_tui.api.models import (
    InboundLineIn,
    InboundOrderIn,
    ItemIn,
    LocationIn,
    OutboundLineIn,
    OutboundOrderIn,
    UnitIn,
    UserIn,
)
from wms_tui.api.problems import MEDIA_TYPE, ApiProblem, validation_problem
from wms_tui.domain import field_mapping
from wms_tui.domain.errors import BadInput
from wms_tui.domain.field_mapping import FieldMapping
from wms_tui.domain.text import shown

# The documents of each kind as the API has them, nested ones (lines, units) included.
_MODELS: dict[str, tuple[type[Any], ...]] = {
    "items": (ItemIn, UnitIn), "locations": (LocationIn,), "users": (UserIn,),
    "outbound": (OutboundOrderIn, OutboundLineIn), "inbound": (InboundOrderIn, InboundLineIn),
}
# Which kind of document a write's path takes.
_PATHS = {"/v1/items": "items", "/v1/locations": "locations", "/v1/users": "users",
          "/v1/orders/outbound": "outbound", "/v1/orders/inbound": "inbound"}
_WRITES = {"POST", "PUT"}


def known() -> dict[str, set[str]]:
    """The fields a mapping may name: each kind's import columns and its API fields."""
    columns = field_mapping.import_columns()
    return {kind: {*columns.get(kind, ()), *(f for m in models for f in m.model_fields)}
            for kind, models in _MODELS.items()}


def read_file(path: Path) -> tuple[dict[str, Any], FieldMapping]:
    """A mapping file checked, as stored with a client (plain JSON data) and as parsed."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"cannot read {shown(str(path))}: {exc.strerror or exc}") from None
    mapping = field_mapping.read(data, shown(str(path)), known())
    stored = {"fields": {kind: {mapping.names[kind][erp]: ours for erp, ours in table.items()}
                         for kind, table in mapping.fields.items()},
              "codes": {column: dict(table) for column, table in mapping.codes.items()}}
    return stored, mapping


@lru_cache(maxsize=64)
def _parsed(text: str) -> FieldMapping:
    return field_mapping.parse(json.loads(text), known(), "client mapping")


def mapping_of(request: Request) -> FieldMapping | None:
    """The mapping of the client whose key the request carries, if it has one."""
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return None
    client = request.app.state.clients.find(key.strip())
    if client is None or not client.mapping:
        return None
    return _parsed(json.dumps(client.mapping, sort_keys=True))


def kind_of(path: str) -> str | None:
    for prefix, kind in _PATHS.items():
        rest = path.removeprefix(prefix)
        if rest != path and (rest == "" or (rest.count("/") == 1 and rest.startswith("/"))):
            return kind
    return None


class _MappedRequest(Request):
    def __init__(self, scope: Scope, body: bytes) -> None:
        super().__init__(scope)
        self._mapped = body

    async def body(self) -> bytes:
        return self._mapped


def _mapped_body(mapping: FieldMapping, kind: str, raw: bytes) -> bytes | None:
    """The body in our terms, or None to leave it as sent (not JSON: FastAPI says why)."""
    try:
        sent = json.loads(raw)
    except ValueError:
        return None
    if isinstance(sent, dict):
        mapped: Any = field_mapping.apply(mapping, kind, sent)
    elif isinstance(sent, list):
        mapped = [field_mapping.apply(mapping, kind, d) if isinstance(d, dict) else d
                  for d in sent]
    else:
        return None
    return json.dumps(mapped).encode()


def erp_path(mapping: FieldMapping, kind: str, path: str) -> str:
    """A field path such as lines[0].sku with each renamed field named as the ERP names it."""
    parts = []
    for part in path.split("."):
        name, bracket, index = part.partition("[")
        erp = mapping.erp_name(kind, name)
        parts.append(f"{erp}{bracket}{index}" if erp else part)
    return ".".join(parts)


def _explained(mapping: FieldMapping, kind: str, response: Response) -> Response:
    """A 422 problem whose field errors name the ERP's fields; other answers as they are."""
    if response.status_code != 422:
        return response
    try:
        problem = json.loads(bytes(response.body))
    except ValueError:
        return response
    for error in problem.get("errors") or ():
        if isinstance(error, dict) and isinstance(error.get("field"), str):
            error["field"] = erp_path(mapping, kind, error["field"])
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(json.dumps(problem), 422, headers, media_type=MEDIA_TYPE)


class MappedRoute(APIRoute):
    """A route whose body is put in our terms by the client's mapping before validation."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        kind = kind_of(self.path_format)
        if kind is None or not (self.methods or set()) & _WRITES:
            return handler

        async def mapped(request: Request) -> Response:
            mapping = mapping_of(request)
            if mapping is None:
                return await handler(request)
            body = _mapped_body(mapping, kind, await request.body())
            if body is not None:
                request = _MappedRequest(request.scope, body)
            try:
                return _explained(mapping, kind, await handler(request))
            except RequestValidationError as exc:
                problem = validation_problem(exc)
            except ApiProblem as exc:
                problem = exc
            for error in problem.problem.errors or ():
                error.field = erp_path(mapping, kind, error.field)
            raise problem


        return mapped
