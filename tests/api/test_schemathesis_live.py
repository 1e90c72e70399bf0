"""The committed contract against a live server: schemathesis reads docs/openapi.json (not the
app's own /openapi.json) and sends what it generates over real HTTP to uvicorn on a loopback
port, with a key holding every scope. No answer may be a 5xx, and every answer must match the
committed document: its status codes, content types and response schemas."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import FakeClock
from tests.api.live_server import uvicorn_thread
from tests.conftest import fresh_sqlite_engine
from tests.factories import Warehouse, build_warehouse
from wms_tui.api.app import create_app
from wms_tui.api.clients import ClientBook, Scope
from wms_tui.bootstrap import wire
from wms_tui.domain.stock import Receive, post

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
EXAMPLES = 6
SEED = 17
CHECKS: list[Callable[..., Any]] = [not_a_server_error, status_code_conformance,
                                    content_type_conformance, response_schema_conformance]


@dataclass
class Live:
    base_url: str
    headers: dict[str, str]
    clock: FakeClock
    wh: Warehouse


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    """uvicorn serving the app on a temporary SQLite database, on a port the system picked."""
    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    wh = build_warehouse(engine)
    site = wire(engine)
    post(site.uow_factory, wh.admin, Receive(wh.widget, 5, wh.dock, "ASN-1"))
    book = ClientBook(tmp_path / "clients.json")
    _, key = book.add("erp", (Scope.ADMIN,), "SUP1", rate=1000, burst=1000)
    clock = FakeClock()
    app = create_app(site, book, clock=clock, poll=0.02)
    try:
        with uvicorn_thread(app) as (server, port):
            assert server.started, "uvicorn did not start"
            yield Live(f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {key}"}, clock,
                       wh)
    finally:
        site.close()


def test_the_committed_contract_holds_on_a_live_server(live: Live) -> None:
    schema = schemathesis.openapi.from_path(COMMITTED)
    schema.config.update(base_url=live.base_url)
    keys = itertools.count()
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results)
    assert len(operations) >= 15
    statuses: list[int] = []
    for operation in operations:

        @seed(SEED)
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck),
                  phases=[Phase.explicit, Phase.generate])
        def fuzz(case: Any) -> None:
            # Fuzzed keys and bodies must not exhaust the rate; the limiter is tested apart.
            live.clock.now += 60
            response = case.call(headers={**live.headers, "Idempotency-Key": f"live-{next(keys)}"},
                                 timeout=30)
            statuses.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        fuzz()
    # The run reached the server for real and some requests were accepted, not only refused.
    assert statuses and any(200 <= s < 300 for s in statuses)
    assert all(s < 500 for s in statuses)

