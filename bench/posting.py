"""Posting throughput of the stock core under concurrent writers, and inquiries as the ledger grows.

One confirmation is what a picker's confirm posts: a Pick of one line (a conditional balance
update, one ledger row and one idempotency record) in one transaction, through stock.post().
The "raw" baseline runs the same six statements straight through sqlite3 or psycopg, in the
same invocation, so the project's cost is a ratio against it.

    python bench/posting.py                     # the full run: several minutes
    python bench/posting.py --quick --skip-pg   # a smoke run in seconds
    python bench/posting.py --quick --json      # 8 writers, one JSON object on stdout
    python bench/posting.py --rows 10000,1000000 --seconds 5 --markdown

SQLite files live in a temporary directory; PostgreSQL uses its own database (wms_bench by
default), created at the start and dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# `python bench/posting.py` puts bench/ on the path, not the project root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich import box
from rich.console import Console
from rich.table import Table
from sqlalchemy import Column, Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from wms_tui.db.engine import make_engine
from wms_tui.db.migrate import upgrade
from wms_tui.db.tables import Item, ItemUom, Location, User, Zone
from wms_tui.db.tables import Warehouse as WarehouseRow
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.model import Actor, BalanceKey, Role
from wms_tui.domain.stock import Pick, ledger_mismatches, post

SPAWN = multiprocessing.get_context("spawn")
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/wms_bench"
SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"
PLENTY = 10_000_000
WARM_UP = 20
MOVEMENT_COLUMNS = (
    "kind", "item_id", "quantity", "to_location_id", "to_status", "user_id", "terminal",
    "reference", "confirmation", "created_at",
)
IDEMPOTENCY_COLUMNS = ("key", "user_id", "operation", "result", "created_at")
BALANCE_COLUMNS = (
    "key", "item_id", "location_id", "status", "quantity", "reserved", "updated_at",
)


@dataclass(frozen=True)
class Target:
    """One database set-up to measure: a dialect and, for SQLite, its synchronous level."""

    name: str
    url: str
    synchronous: str = "FULL"

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


@dataclass(frozen=True)
class Seeded:
    user_id: int
    item_ids: list[int]
    location_ids: list[int]


@dataclass(frozen=True)
class Run:
    """What a group of concurrent writers achieved in one timed window."""

    writers: int
    posted: int
    seconds: float
    latencies: list[float]
    retries: int
    errors: Counter[str]
    cpu_seconds: float

    @property
    def rate(self) -> float:
        return self.posted / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_post(self) -> float:
        return 1000 * self.cpu_seconds / self.posted if self.posted else float("nan")

    def latency_ms(self, fraction: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# --- databases -------------------------------------------------------------------------------


def fresh_database(target: Target) -> Engine:
    """An empty, migrated database for one scenario; SQLite gets a new file, PG a new schema."""
    engine = make_engine(target.url, synchronous=target.synchronous)
    if not target.is_sqlite:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def _pg_admin(url: str) -> Engine:
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_pg_database(url: str) -> None:
    name = make_url(url).database
    admin = _pg_admin(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


def drop_pg_database(url: str) -> None:
    admin = _pg_admin(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    finally:
        admin.dispose()


# --- master data and bulk ledger -------------------------------------------------------------


def _id(model: Any) -> Column[int]:
    """The id column of a table, typed as never empty (SQLModel types it `int | None`)."""
    return model.__table__.c.id  # type: ignore[no-any-return]


def seed(engine: Engine, items: int, locations: int) -> Seeded:
    """Items, locations and one operator, written with executemany (no stock yet)."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        wh_id = conn.execute(
            insert(WarehouseRow).values(code="WH1", name="Main").returning(_id(WarehouseRow))
        ).scalar_one()
        zone_id = conn.execute(
            insert(Zone).values(warehouse_id=wh_id, code="RES", name="Reserve").returning(_id(Zone))
        ).scalar_one()
        conn.execute(insert(Location), [
            {"code": f"A-{n:06}", "barcode": f"A-{n:06}", "check_digits": f"{n % 100:02}",
             "type": "reserve", "walk_seq": n, "aisle": "", "bay": "", "level": "",
             "capacity": None, "zone_id": zone_id, "active": True}
            for n in range(locations)
        ])
        conn.execute(insert(Item), [
            {"sku": f"SKU{n:07}", "description": f"Bench item {n}", "base_uom": "EA",
             "lot_tracked": False, "expiry_tracked": False, "serial_tracked": False,
             "requires_qc": False, "abc_class": "C", "min_qty": None, "max_qty": None,
             "zone_id": None, "active": True}
            for n in range(items)
        ])
        item_ids = list(conn.execute(select(_id(Item)).order_by(_id(Item))).scalars())
        location_ids = list(conn.execute(select(_id(Location)).order_by(_id(Location))).scalars())
        conn.execute(insert(ItemUom), [
            {"item_id": i, "uom": "EA", "factor": 1, "gtin": None, "barcode": None}
            for i in item_ids
        ])
        user_id = conn.execute(insert(User).values(
            login="BENCH", name="Bench", role="operator", pin_hash="-", failed_attempts=0,
            active=True, language="en", created_at=now,
        ).returning(_id(User))).scalar_one()
    return Seeded(user_id, item_ids, location_ids)


def home_locations(seeded: Seeded, per_item: int) -> list[tuple[int, int]]:
    """Each item lives in a few locations, each location holds a few items, as in a real store."""
    locs = seeded.location_ids
    return [
        (item, locs[(n * per_item + j) % len(locs)])
        for n, item in enumerate(seeded.item_ids) for j in range(per_item)
    ]


BulkTables = list[tuple[str, tuple[str, ...], list[tuple[Any, ...]]]]


def load_receipts(
    engine: Engine, user_id: int, pairs: list[tuple[int, int]], rows: int,
    quantity: Callable[[random.Random], int], fast_share: float = 0.0, seed: int = 1,
) -> None:
    """Bulk-load `rows` receive movements over `pairs`, with their idempotency records and the
    balances they add up to, in one transaction: executemany on SQLite, COPY on PostgreSQL.

    The first item is a fast mover taking `fast_share` of the rows at its first location, since
    real ledgers are lopsided and a long history is what makes a ledger query slow."""
    rng = random.Random(seed)
    fast = pairs[0]
    start = datetime.now(UTC) - timedelta(days=365)
    step = timedelta(days=365) / max(rows, 1)
    totals: Counter[tuple[int, int]] = Counter()
    movements = []
    records = []
    for n in range(rows):
        if n < len(pairs):
            item, loc = pairs[n]
        else:
            item, loc = fast if rng.random() < fast_share else rng.choice(pairs)
        qty = quantity(rng)
        totals[item, loc] += qty
        at = start + n * step
        key = f"bulk-{n:08}"
        reference = f"ASN-{n // 50:06}"
        movements.append(
            ("receive", item, qty, loc, "available", user_id, "T-BULK", reference, key, at)
        )
        records.append((key, user_id, "receive", '{"bulk": true}', at))
    now = datetime.now(UTC)
    balances = [
        (BalanceKey(item, loc).text(), item, loc, "available", total, 0, now)
        for (item, loc), total in totals.items()
    ]
    tables: BulkTables = [("movement", MOVEMENT_COLUMNS, movements),
              ("idempotency_record", IDEMPOTENCY_COLUMNS, records),
              ("balance", BALANCE_COLUMNS, balances)]
    raw = engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        if engine.dialect.name == "sqlite":
            _sqlite_bulk(dbapi, tables)
        else:
            _pg_bulk(dbapi, tables)
    finally:
        raw.close()


def _sqlite_bulk(dbapi: Any, tables: BulkTables) -> None:
    def stored(row: tuple[Any, ...]) -> tuple[Any, ...]:
        # SQLAlchemy keeps SQLite datetimes as naive UTC text; raw inserts must match it.
        return tuple(v.strftime(SQLITE_DATETIME) if isinstance(v, datetime) else v for v in row)

    dbapi.execute("BEGIN IMMEDIATE")
    try:
        for name, columns, rows in tables:
            marks = ", ".join("?" * len(columns))
            dbapi.executemany(
                f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({marks})", map(stored, rows)
            )
        dbapi.execute("COMMIT")
    except BaseException:
        dbapi.execute("ROLLBACK")
        raise


def _pg_bulk(dbapi: Any, tables: BulkTables) -> None:
    with dbapi.cursor() as cur:
        for name, columns, rows in tables:
            with cur.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        # Autovacuum would analyse a table this size within a minute; do it now.
        dbapi.commit()
        for name, _, _ in tables:
            cur.execute(f"ANALYZE {name}")
    dbapi.commit()


# --- timed posting ---------------------------------------------------------------------------


def writer(
    url: str, synchronous: str, pairs: list[tuple[int, int]], user_id: int, seconds: float,
    terminal: int, start: Any, results: Any,
) -> None:
    """One terminal server posting one-unit picks as fast as it can for `seconds`."""
    engine = make_engine(url, synchronous=synchronous)
    attempts = 0

    def uow() -> SqlUnitOfWork:
        # post() opens one unit of work per attempt, so counting them counts the retries.
        nonlocal attempts
        attempts += 1
        return SqlUnitOfWork(engine)

    actor = Actor(user_id, "BENCH", Role.OPERATOR, f"T-BENCH-{terminal}")
    rng = random.Random(terminal)

    def post_once() -> None:
        item, loc = rng.choice(pairs)
        post(uow, actor, Pick(item, 1, loc, f"SO-{terminal}"))

    _timed_loop(post_once, seconds, start, results, lambda: attempts)
    engine.dispose()


# The statements one Pick post issues (SQLAlchemy echo), for the raw drivers' baseline.
RAW_STATEMENTS = (
    "SELECT key, user_id, operation, result, created_at FROM idempotency_record WHERE key = {p}",
    "SELECT id, sku, description, base_uom, lot_tracked, expiry_tracked, serial_tracked,"
    " requires_qc, abc_class, min_qty, max_qty, zone_id, active, unit_cost FROM item"
    " WHERE id = {p}",
    "SELECT uom, factor FROM item_uom WHERE item_id = {p}",
    "UPDATE balance SET quantity = quantity - {p}, updated_at = {p}"
    " WHERE key = {p} AND quantity - reserved >= {p}",
    "INSERT INTO movement (kind, item_id, quantity, from_location_id, from_status, user_id,"
    " terminal, reference, confirmation, created_at)"
    " VALUES ('pick', {p}, {p}, {p}, 'available', {p}, {p}, {p}, {p}, {p}) RETURNING id",
    "INSERT INTO idempotency_record (key, user_id, operation, result, created_at)"
    " VALUES ({p}, {p}, 'pick', {p}, {p})",
)


def _raw_connection(url: str, synchronous: str) -> tuple[Any, str, Callable[[datetime], Any]]:
    """A bare driver connection with the project's settings, its placeholder and time format."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        import sqlite3

        conn: Any = sqlite3.connect(parsed.database or "", isolation_level=None, timeout=10)
        for pragma in ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=10000",
                       f"synchronous={synchronous}"):
            conn.execute(f"PRAGMA {pragma}")
        return conn, "?", lambda at: at.replace(tzinfo=None).strftime(SQLITE_DATETIME)
    import psycopg

    conn = psycopg.connect(parsed.set(drivername="postgresql")
                           .render_as_string(hide_password=False))
    return conn, "%s", lambda at: at


def raw_writer(
    url: str, synchronous: str, pairs: list[tuple[int, int]], user_id: int, seconds: float,
    terminal: int, start: Any, results: Any,
) -> None:
    """The baseline terminal: the six statements of one post through the bare driver."""
    conn, mark, stamp = _raw_connection(url, synchronous)
    sqlite = mark == "?"
    sql = [s.format(p=mark) for s in RAW_STATEMENTS]
    rng = random.Random(terminal)
    name = f"T-RAW-{terminal}"

    def post_once() -> None:
        item, loc = rng.choice(pairs)
        key, now = uuid.uuid4().hex, stamp(datetime.now(UTC))
        cur = conn.cursor()
        if sqlite:
            cur.execute("BEGIN IMMEDIATE")
        try:
            if cur.execute(sql[0], (key,)).fetchone() is not None:
                raise RuntimeError("a fresh key was found")
            cur.execute(sql[1], (item,)).fetchone()
            cur.execute(sql[2], (item,)).fetchall()
            cur.execute(sql[3], (1, now, BalanceKey(item, loc).text(), 1))
            if cur.rowcount != 1:
                raise RuntimeError("the balance ran out")
            (movement_id,) = cur.execute(
                sql[4], (item, 1, loc, user_id, name, f"SO-{terminal}", key, now)).fetchone()
            result = json.dumps({"confirmation": key, "movement_ids": [movement_id],
                                 "message": f"pick SO-{terminal}"})
            cur.execute(sql[5], (key, user_id, result, now))
        except BaseException:
            conn.rollback()
            raise
        conn.commit()

    _timed_loop(post_once, seconds, start, results, lambda: 0)
    conn.close()


def _timed_loop(post_once: Callable[[], None], seconds: float, start: Any, results: Any,
                attempts: Callable[[], int]) -> None:
    """Warm up, wait for the others, post for `seconds` and report to the parent."""
    for _ in range(WARM_UP):
        # Each process compiles (or prepares) its statements on first use; keep that out.
        post_once()
    base = attempts()
    start.wait()
    errors: Counter[str] = Counter()
    latencies: list[float] = []
    began = time.perf_counter()
    cpu_began = time.process_time()
    deadline = began + seconds
    while (now := time.perf_counter()) < deadline:
        try:
            post_once()
        except Exception as exc:
            errors[type(exc).__name__] += 1
        else:
            latencies.append(time.perf_counter() - now)
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu_began
    retries = max(0, attempts() - base - len(latencies) - sum(errors.values()))
    results.put({"latencies": latencies, "elapsed": elapsed, "errors": errors, "cpu": cpu,
                 "retries": retries})


def timed_posting(
    target: Target, pairs: list[tuple[int, int]], user_id: int, writers: int, seconds: float,
    *, raw: bool = False,
) -> Run:
    """Start `writers` processes together and add up what they posted in the window."""
    start = SPAWN.Barrier(writers)
    results = SPAWN.Queue()
    procs = [
        SPAWN.Process(target=raw_writer if raw else writer, args=(
            target.url, target.synchronous, pairs, user_id, seconds, n, start, results))
        for n in range(writers)
    ]
    for proc in procs:
        proc.start()
    reports = [results.get(timeout=seconds + 300) for _ in procs]
    for proc in procs:
        proc.join()
    return Run(
        writers=writers,
        posted=sum(len(r["latencies"]) for r in reports),
        seconds=max(r["elapsed"] for r in reports),
        latencies=[x for r in reports for x in r["latencies"]],
        retries=sum(r["retries"] for r in reports),
        errors=sum((r["errors"] for r in reports), Counter()),
        cpu_seconds=sum(r["cpu"] for r in reports),
    )


# --- inquiries -------------------------------------------------------------------------------


Inquiry = Callable[[SqlUnitOfWork, Any], object]


def median_ms(engine: Engine, query: Inquiry, args: list[Any]) -> float:
    """Median time of one inquiry, each in its own read-only unit of work as a terminal runs it."""
    times = []
    for arg in args:
        began = time.perf_counter()
        with SqlUnitOfWork(engine, readonly=True) as u:
            query(u, arg)
        times.append(time.perf_counter() - began)
    return 1000 * statistics.median(times)


INQUIRIES: dict[str, Inquiry] = {
    "item inquiry": lambda u, q: u.stock.balances(item_id=q[0]),
    "location inquiry": lambda u, q: u.stock.balances(location_id=q[1]),
    "item ledger (50)": lambda u, q: list(u.stock.movements(item_id=q[0], limit=50)),
    "location ledger (50)": lambda u, q: list(u.stock.movements(location_id=q[1], limit=50)),
    "key lookup": lambda u, q: u.idempotency.get(q[2]),
}
# The fast mover's own history is what a slow ledger query would show first.
FAST_MOVER_SHARE = 0.05
FAST_MOVER_INQUIRIES = ("item ledger (50)", "location ledger (50)")


# --- scenarios -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throughput:
    """The project's posting and the raw drivers' baseline at one writer count, same run."""

    project: Run
    raw: Run


def throughput(target: Target, writer_counts: list[int], seconds: float) -> list[Throughput]:
    """Posting rate with 1, 4, 8 writers against 200 well-stocked balances, then the raw
    drivers' rate with as many writers, right after."""
    engine = fresh_database(target)
    try:
        seeded = seed(engine, items=20, locations=10)
        pairs = [(i, loc) for i in seeded.item_ids for loc in seeded.location_ids]
        load_receipts(engine, seeded.user_id, pairs, len(pairs), lambda _: PLENTY)
        runs = [Throughput(timed_posting(target, pairs, seeded.user_id, n, seconds),
                           timed_posting(target, pairs, seeded.user_id, n, seconds, raw=True))
                for n in writer_counts]
        _check_exact(engine)
        return runs
    finally:
        engine.dispose()


@dataclass(frozen=True)
class Growth:
    rows: int
    load_seconds: float
    run: Run
    inquiries: dict[str, float]
    fast_mover: dict[str, float]
    audit_seconds: float


def growth(target: Target, rows: int, writers: int, seconds: float, queries: int) -> Growth:
    """Load a ledger of `rows` receipts, then post and query against it."""
    engine = fresh_database(target)
    try:
        items, locations = max(200, rows // 200), max(200, rows // 500)
        began = time.perf_counter()
        seeded = seed(engine, items, locations)
        pairs = home_locations(seeded, per_item=4)
        load_receipts(engine, seeded.user_id, pairs, rows, lambda r: r.randint(50, 500),
                      fast_share=FAST_MOVER_SHARE)
        load_seconds = time.perf_counter() - began
        run = timed_posting(target, pairs, seeded.user_id, writers, seconds)
        rng = random.Random(7)
        spread = [(rng.choice(seeded.item_ids), rng.choice(seeded.location_ids),
                   f"bulk-{rng.randrange(rows):08}") for _ in range(queries)]
        inquiries = {name: median_ms(engine, q, spread) for name, q in INQUIRIES.items()}
        fast = [(*pairs[0], "")] * queries
        fast_mover = {n: median_ms(engine, INQUIRIES[n], fast) for n in FAST_MOVER_INQUIRIES}
        began = time.perf_counter()
        _check_exact(engine)
        return Growth(rows, load_seconds, run, inquiries, fast_mover,
                      time.perf_counter() - began)
    finally:
        engine.dispose()


def _check_exact(engine: Engine) -> None:
    with SqlUnitOfWork(engine, readonly=True) as u:
        problems = ledger_mismatches(u)
    if problems:
        raise SystemExit(f"balances disagree with the ledger: {problems[:5]}")


# --- output ----------------------------------------------------------------------------------


def _errors(run: Run) -> str:
    return ", ".join(f"{n}x {e}" for e, n in run.errors.items()) or "0"


def throughput_table(results: list[tuple[Target, list[Throughput]]], style: box.Box) -> Table:
    table = Table(title="Posting throughput (one Pick line per confirmation)", box=style)
    for column in ("database", "writers", "posted", "posts/s", "p50 ms", "p95 ms",
                   "client CPU ms/post", "retries", "errors", "raw posts/s", "raw CPU ms/post",
                   "of raw rate"):
        table.add_column(column, justify="left" if column in ("database", "errors") else "right")
    for target, runs in results:
        for pair in runs:
            run, raw = pair.project, pair.raw
            share = run.rate / raw.rate if raw.rate else float("nan")
            table.add_row(target.name, str(run.writers), str(run.posted), f"{run.rate:,.0f}",
                          f"{run.latency_ms(0.5):.1f}", f"{run.latency_ms(0.95):.1f}",
                          f"{run.cpu_ms_per_post:.2f}", str(run.retries), _errors(run),
                          f"{raw.rate:,.0f}", f"{raw.cpu_ms_per_post:.2f}", f"{share:.0%}")
    return table


def summary(results: list[tuple[Target, list[Throughput]]]) -> dict[str, dict[str, float]]:
    """The busiest run of SQLite FULL and of PostgreSQL against their raw baselines."""
    figures = {}
    for target, runs in results:
        if target.synchronous == "NORMAL":
            continue
        busiest = max(runs, key=lambda pair: pair.project.writers)
        figures["sqlite" if target.is_sqlite else "postgresql"] = {
            "writers": busiest.project.writers,
            "posts_per_s": round(busiest.project.rate, 1),
            "raw_posts_per_s": round(busiest.raw.rate, 1),
            "cpu_ms_per_post": round(busiest.project.cpu_ms_per_post, 3),
            "raw_cpu_ms_per_post": round(busiest.raw.cpu_ms_per_post, 3),
        }
    return figures


def growth_table(results: list[tuple[Target, Growth]], writers: int, style: box.Box) -> Table:
    table = Table(title=f"Posting as the ledger grows ({writers} writers)", box=style)
    for column in ("database", "ledger rows", "load s", "posts/s", "p50 ms", "p95 ms", "errors",
                   "audit s"):
        table.add_column(column, justify="left" if column in ("database", "errors") else "right")
    for target, g in results:
        table.add_row(target.name, f"{g.rows:,}", f"{g.load_seconds:.1f}", f"{g.run.rate:,.0f}",
                      f"{g.run.latency_ms(0.5):.1f}", f"{g.run.latency_ms(0.95):.1f}",
                      _errors(g.run), f"{g.audit_seconds:.2f}")
    return table


def inquiry_table(results: list[tuple[Target, Growth]], queries: int, style: box.Box) -> Table:
    table = Table(title=f"Inquiries as the ledger grows (median of {queries}, ms)", box=style)
    names = [*INQUIRIES, *(f"fast mover {n}" for n in FAST_MOVER_INQUIRIES)]
    for column in ("database", "ledger rows", *names):
        table.add_column(column, justify="left" if column == "database" else "right")
    for target, g in results:
        figures = [*g.inquiries.values(), *g.fast_mover.values()]
        table.add_row(target.name, f"{g.rows:,}", *(f"{f:.2f}" for f in figures))
    return table


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small numbers for a smoke run")
    parser.add_argument("--skip-pg", action="store_true", help="SQLite only")
    parser.add_argument("--rows", help="ledger sizes for the growth table, e.g. 10000,1000000")
    parser.add_argument("--seconds", type=float, help="length of each timed posting window")
    parser.add_argument("--writers", help="writer process counts, e.g. 1,4,8")
    parser.add_argument("--queries", type=int, help="inquiries timed per figure")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL, help="its database is dropped!")
    parser.add_argument("--markdown", action="store_true", help="print tables as Markdown")
    parser.add_argument("--json", action="store_true",
                        help="throughput only, 8 writers: one JSON object on stdout, tables on "
                             "stderr")
    args = parser.parse_args(argv)
    args.rows = [int(r) for r in (args.rows or ("2000" if args.quick else "10000,1000000"))
                 .split(",")]
    default_writers = "8" if args.json else "1,4" if args.quick else "1,4,8"
    args.writers = [int(w) for w in (args.writers or default_writers).split(",")]
    args.seconds = args.seconds or (1.0 if args.quick else 5.0)
    args.queries = args.queries or (20 if args.quick else 200)
    return args


def targets(workdir: Path, args: argparse.Namespace) -> Iterator[Target]:
    yield Target("SQLite FULL", f"sqlite:///{workdir / 'full.db'}", "FULL")
    if not args.json:
        yield Target("SQLite NORMAL", f"sqlite:///{workdir / 'normal.db'}", "NORMAL")
    if not args.skip_pg:
        yield Target("PostgreSQL", args.pg_url)


def _load() -> str:
    # Other work on the machine skews every figure here, so the report says how busy it was.
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    console = Console(width=200, stderr=args.json)
    style = box.MARKDOWN if args.markdown else box.SIMPLE_HEAVY
    console.print(f"{os.cpu_count()} CPUs, load average at the start: {_load()}")
    if not args.skip_pg:
        create_pg_database(args.pg_url)
    try:
        with tempfile.TemporaryDirectory(prefix="wms-bench-") as tmp:
            workdir = Path(tmp)
            posting = []
            for target in targets(workdir, args):
                console.log(f"throughput: {target.name}")
                posting.append((target, throughput(target, args.writers, args.seconds)))
            console.print(throughput_table(posting, style))
            if args.json:
                console.print(f"load average at the end: {_load()}")
                print(json.dumps(summary(posting)))
                return
            grown = []
            busiest = max(args.writers)
            for target in targets(workdir, args):
                if target.synchronous == "NORMAL":
                    continue
                for rows in args.rows:
                    console.log(f"growth: {target.name}, {rows:,} ledger rows")
                    scenario = target
                    if target.is_sqlite:
                        # A new file per size, so each ledger starts from empty.
                        scenario = replace(target, url=f"sqlite:///{workdir / f'grow-{rows}.db'}")
                    grown.append((target, growth(scenario, rows, busiest, args.seconds,
                                                 args.queries)))
            console.print(growth_table(grown, busiest, style))
            console.print(inquiry_table(grown, args.queries, style))
            console.print(f"load average at the end: {_load()}")
    finally:
        if not args.skip_pg:
            drop_pg_database(args.pg_url)


if __name__ == "__main__":
    main()
