"""The HTTP API in-process (FastAPI's TestClient) on a migrated database per test."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import fresh_sqlite_engine
from tests.factories import Warehouse, build_warehouse
from wms_tui.api.app import create_app
from wms_tui.api.clients import ClientBook, Scope
from wms_tui.bootstrap import Site, wire
from wms_tui.domain.stock import Receive, post


class FakeClock:
    """Seconds that pass only when a test says so, for the rate limits."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Api:
    """A running app, its site and warehouse, and keys to call it with."""

    http: TestClient
    site: Site
    wh: Warehouse
    book: ClientBook
    clock: FakeClock

    def key(self, name: str, *scopes: Scope, login: str = "SUP1", rate: float = 1000,
            burst: int = 1000) -> dict[str, str]:
        """Headers carrying a new client's key."""
        _, key = self.book.add(name, scopes, login, rate=rate, burst=burst)
        return {"Authorization": f"Bearer {key}"}

    def receive(self, item_id: int, quantity: int, location_id: int, **extra: object) -> None:
        post(self.site.uow_factory, self.wh.admin,
             Receive(item_id, quantity, location_id, "ASN-1", **extra))  # type: ignore[arg-type]


def make_api(engine: Engine, tmp_path: Path, **options: object) -> Generator[Api]:
    wh = build_warehouse(engine)
    site = wire(engine)
    book = ClientBook(tmp_path / "clients.json")
    clock = FakeClock()
    app = create_app(site, book, clock=clock, poll=0.02, **options)  # type: ignore[arg-type]
    with TestClient(app) as http:
        yield Api(http, site, wh, book, clock)
    site.close()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    yield from make_api(engine, tmp_path)


@pytest.fixture
def headers(api: Api) -> dict[str, str]:
    """A client with every scope."""
    return api.key("erp", Scope.ADMIN)




def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}
