"""On PostgreSQL: eight threads send one order under one Idempotency-Key at once; one order
is created, and every thread gets the same answer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.api.conftest import Api, keyed, make_api
from tests.conftest import fresh_pg_engine
from wms_tui.api.clients import Scope

THREADS = 8


@pytest.fixture
def pg_api(tmp_path: Path) -> Iterator[Api]:
    yield from make_api(fresh_pg_engine(), tmp_path)


@pytest.mark.postgres
@pytest.mark.slow
def test_one_key_from_eight_threads_creates_one_order(pg_api: Api) -> None:
    headers = keyed(pg_api.key("erp", Scope.ORDERS), "same-key")
    order = {"reference": "SO-RACE", "customer": "ACME",
             "lines": [{"line_no": n, "sku": "WIDGET", "quantity": n} for n in range(1, 6)]}
    start = threading.Barrier(THREADS)
    answers: list[httpx.Response] = []
    lock = threading.Lock()

    def send() -> None:
        start.wait(timeout=30)
        response = pg_api.http.post("/v1/orders/outbound", json=order, headers=headers)
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=send) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(answers) == THREADS
    assert {(a.status_code, a.text) for a in answers} == {(201, answers[0].text)}
    firsts = [a for a in answers if "idempotent-replayed" not in a.headers]
    assert len(firsts) == 1
    with pg_api.site.engine.connect() as conn:
        orders = conn.execute(text("SELECT id FROM outbound_order")).all()
        lines = conn.execute(text("SELECT count(*) FROM outbound_line")).scalar()
        keys = conn.execute(text(
            "SELECT count(*) FROM idempotency_record WHERE key = 'a:erp:same-key'")).scalar()
    assert (len(orders), lines, keys) == (1, 5, 1)
    assert [e.event for e in pg_api.site.audit.events()] == ["api_write"]
