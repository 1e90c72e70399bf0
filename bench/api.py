"""The HTTP API under load: outbound orders accepted per second and stock-query latency with 4
and 32 concurrent clients, while a thread posts stock moves as RF terminals would.

uvicorn serves `create_app` on a migrated database (a SQLite file, and PostgreSQL in its own
database `wms_bench_api`); httpx clients post orders (each with its own Idempotency-Key) and
read stock for a timed window. The baseline in the same run is the same number of clients
asking `GET /v1/health`-like nothing: an unauthenticated 401, which measures the server and the
HTTP stack alone, so the write and read figures read as a ratio against it.

    python bench/api.py                    # 4 and 32 clients, 10 s each, SQLite and PostgreSQL
    python bench/api.py --skip-pg --seconds 3 --json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# `python bench/api.py` puts bench/ on the path, not the project root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.posting import Target, create_pg_database, drop_pg_database, fresh_database
from tests.api.live_server import uvicorn_thread
from tests.factories import Warehouse, build_warehouse
from wms_tui.api.app import create_app
from wms_tui.api.clients import ClientBook, Scope
from wms_tui.bootstrap import Site, wire
from wms_tui.domain.stock import Move, Receive, new_confirmation_key, post

PG_URL = os.environ.get("WMS_BENCH_PG_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/wms_bench_api")


@dataclass
class Window:
    """What one kind of request achieved over one timed window."""

    done: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def p(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


@contextmanager
def served(site: Site, book: ClientBook) -> Iterator[str]:
    with uvicorn_thread(create_app(site, book)) as (server, port):
        if not server.started:
            raise SystemExit("uvicorn did not start")
        yield f"http://127.0.0.1:{port}"


def rf_load(site: Site, wh: Warehouse, stop: threading.Event, moved: list[int]) -> None:
    """Stock moved to and fro between two locations, one post at a time, as terminals post."""
    there = True
    while not stop.is_set():
        source, target = (wh.a1, wh.a2) if there else (wh.a2, wh.a1)
        post(site.uow_factory, wh.operator, Move(wh.widget, 1, source, target, "RF"),
             new_confirmation_key())
        moved[0] += 1
        there = not there


def window(base: str, headers: dict[str, str], clients: int, seconds: float,
           request: Callable[[httpx.Client, int], httpx.Response], ok: int) -> Window:
    result = Window()
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client(n: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            count = 0
            while time.monotonic() < end:
                started = time.monotonic()
                response = request(http, n * 1_000_000 + count)
                spent = time.monotonic() - started
                count += 1
                with lock:
                    if response.status_code == ok:
                        result.done += 1
                        result.latencies.append(spent)
                    else:
                        result.failed += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def order(number: int) -> dict[str, Any]:
    return {"reference": f"BENCH-{number}", "customer": "BENCH",
            "lines": [{"line_no": 1, "sku": "WIDGET", "quantity": 1}]}


def measure(target: Target, clients: int, seconds: float, directory: Path) -> dict[str, Any]:
    if target.is_sqlite:
        # A new file per run; PostgreSQL gets a fresh schema from fresh_database.
        target = Target(target.name, f"sqlite:///{directory / f'api-{clients}.db'}")
    engine = fresh_database(target)
    wh = build_warehouse(engine)
    site = wire(engine)
    post(site.uow_factory, wh.admin, Receive(wh.widget, 1000, wh.a1, "ASN-BENCH"))
    book = ClientBook(directory / f"clients-{uuid.uuid4().hex}.json")
    _, key = book.add("bench", (Scope.ADMIN,), "SUP1", rate=10000, burst=100000)
    headers = {"Authorization": f"Bearer {key}"}
    stop, moved = threading.Event(), [0]
    try:
        with served(site, book) as base:
            rf = threading.Thread(target=rf_load, args=(site, wh, stop, moved), daemon=True)
            rf.start()
            baseline = window(base, {}, clients, seconds,
                              lambda http, _n: http.get("/v1/stock"), 401)
            orders = window(base, headers, clients, seconds, lambda http, n: http.post(
                "/v1/orders/outbound", json=order(n),
                headers={"Idempotency-Key": f"bench-{uuid.uuid4().hex}"}), 201)
            stock = window(base, headers, clients, seconds,
                           lambda http, _n: http.get("/v1/stock", params={"sku": "WIDGET"}), 200)
            stop.set()
            rf.join(30)
    finally:
        site.close()
    return {
        "database": target.name, "clients": clients,
        "baseline_401_per_s": round(baseline.per_second, 1),
        "orders_per_s": round(orders.per_second, 1), "order_failures": orders.failed,
        "order_p95_ms": round(orders.p(0.95), 1),
        "stock_queries_per_s": round(stock.per_second, 1),
        "stock_p50_ms": round(stock.p(0.50), 1), "stock_p95_ms": round(stock.p(0.95), 1),
        "stock_failures": stock.failed,
        "rf_posts_per_s": round(moved[0] / (3 * seconds), 1),
        "load_average": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="4,32", help="concurrent clients, comma-separated")
    parser.add_argument("--seconds", type=float, default=10.0, help="each timed window")
    parser.add_argument("--skip-pg", action="store_true", help="SQLite only")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.clients.split(",") if n.strip()]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        targets = [Target("sqlite", f"sqlite:///{directory / 'api.db'}")]
        if not args.skip_pg:
            create_pg_database(PG_URL)
            targets.append(Target("postgresql", PG_URL))
        try:
            for target in targets:
                for clients in counts:
                    rows.append(measure(target, clients, args.seconds, directory))
                    if not args.json:
                        print(json.dumps(rows[-1]), file=sys.stderr)
        finally:
            if not args.skip_pg:
                drop_pg_database(PG_URL)
    if args.json:
        print(json.dumps({"runs": rows}))
        return 0
    header = ("database", "clients", "baseline_401_per_s", "orders_per_s", "order_p95_ms",
              "stock_queries_per_s", "stock_p50_ms", "stock_p95_ms", "rf_posts_per_s",
              "load_average")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(str(row[h]) for h in header) + " |")
    print(f"\nmedian orders/s over all runs: {statistics.median(r['orders_per_s'] for r in rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
