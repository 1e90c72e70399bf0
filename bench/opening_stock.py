"""`wms stock import` throughput and memory: a generated opening-stock file loaded into an
empty site, against a same-run baseline of one line per transaction.

Each run is its own process on a fresh database, so its peak RSS is its own. The table shows
lines, seconds, lines/s and peak RSS MiB for: the baseline (2,000 lines, batch size 1, one
transaction per line, as posting them one by one would), the same lines in batches of 1,000,
the big file (100,000 lines by default) checked only (--dry-run), then posted in batches of
1,000, and the big file again (every line found already posted: the idempotent re-run).

    python bench/opening_stock.py                  # SQLite and PostgreSQL, 100,000 lines
    python bench/opening_stock.py --skip-pg        # SQLite only
    python bench/opening_stock.py --lines 20000    # a quicker run
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

# `python bench/opening_stock.py` puts bench/ on the path, not the project root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rich import box
from rich.console import Console
from rich.table import Table
from sqlalchemy import Column, Engine, create_engine, insert, text
from sqlalchemy.engine import make_url

from wms_tui.db.engine import make_engine
from wms_tui.db.migrate import upgrade
from wms_tui.db.tables import Item, ItemUom, Location, User, Zone
from wms_tui.db.tables import Warehouse as WarehouseRow
from wms_tui.db.uow import uow_factory
from wms_tui.domain.import_stream import csv_source
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.opening_stock import import_opening_stock
from wms_tui.domain.stock import ledger_mismatches

SPAWN = multiprocessing.get_context("spawn")
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/wms_bench_opening"
ITEMS = 500
LOCATIONS = 2_000
BASELINE_LINES = 2_000
STATUSES = ("available", "available", "available", "qc_hold", "damaged", "blocked")


@dataclass(frozen=True)
class Run:
    name: str
    lines: int
    batch: int
    seconds: float
    peak_rss_mib: float
    posted: int
    already: int


def _id(model: Any) -> Column[int]:
    return model.__table__.c.id  # type: ignore[no-any-return]


def fresh_site(url: str) -> None:
    """An empty migrated database with items, locations and one admin; no stock."""
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    engine = make_engine(url)
    try:
        if not url.startswith("sqlite"):
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade(engine)
        with engine.begin() as conn:
            wh = conn.execute(insert(WarehouseRow).values(code="WH1", name="Main")
                              .returning(_id(WarehouseRow))).scalar_one()
            zone = conn.execute(insert(Zone).values(warehouse_id=wh, code="RES", name="Reserve")
                                .returning(_id(Zone))).scalar_one()
            conn.execute(insert(Location), [
                {"code": f"A-{n:06}", "barcode": f"A-{n:06}", "check_digits": f"{n % 100:02}",
                 "type": "reserve", "walk_seq": n, "aisle": "", "bay": "", "level": "",
                 "capacity": None, "zone_id": zone, "active": True}
                for n in range(LOCATIONS)
            ])
            conn.execute(insert(Item), [
                {"sku": f"SKU{n:05}", "description": f"Bench item {n}", "base_uom": "EA",
                 "lot_tracked": n % 10 == 0, "expiry_tracked": n % 10 == 0,
                 "serial_tracked": False, "requires_qc": False, "abc_class": "C",
                 "min_qty": None, "max_qty": None, "zone_id": None, "active": True}
                for n in range(ITEMS)
            ])
            ids = conn.execute(text("SELECT id FROM item ORDER BY id")).scalars().all()
            conn.execute(insert(ItemUom), [
                {"item_id": i, "uom": uom, "factor": factor, "gtin": None, "barcode": None}
                for i in ids for uom, factor in (("EA", 1), ("CS", 12))
            ])
            conn.execute(insert(User).values(
                login="ADM1", name="Admin", role="admin", pin_hash="-", failed_attempts=0,
                active=True, language="en", created_at=datetime.now(UTC)))
    finally:
        engine.dispose()


def write_file(path: Path, lines: int) -> None:
    """Lines as a go-live spreadsheet holds them: lots with expiry for one item in ten, a
    pallet (LPN) on one line in five, some stock on hold or damaged, cases and eaches."""
    with path.open("w", encoding="utf-8") as out:
        out.write("sku,location,quantity,uom,lot,expiry,lpn,status\n")
        for n in range(lines):
            item = n % ITEMS
            lot = expiry = ""
            if item % 10 == 0:
                lot = f"L{n % 40:03}"
                expiry = (date(2031, 1, 1) + timedelta(days=n % 40)).isoformat()
            lpn = f"LPN{n:07}" if n % 5 == 0 else ""
            uom = "CS" if n % 3 == 0 else "EA"
            out.write(f"SKU{item:05},A-{(n * 7) % LOCATIONS:06},{1 + n % 9},{uom},{lot},"
                      f"{expiry},{lpn},{STATUSES[n % len(STATUSES)]}\n")


def _import(url: str, path: str, batch: int, dry_run: bool, queue: Any) -> None:
    """One import in this (spawned) process; its time, counts and peak RSS go to queue."""
    engine = make_engine(url)
    factory = uow_factory(engine)
    with factory() as uow:
        user = uow.users.by_login("ADM1")
        assert user is not None and user.id is not None
        actor = Actor(user.id, user.login, Role.ADMIN)
    source = csv_source(lambda: open(path, "rb"), path)  # noqa: SIM115 (the source closes it)
    start = time.perf_counter()
    report = import_opening_stock(factory, actor, source, batch_size=batch, dry_run=dry_run)
    seconds = time.perf_counter() - start
    assert report.ok, report.errors[:5]
    with factory() as uow:
        assert ledger_mismatches(uow) == []
    engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((seconds, peak, report.posted, report.already))


def run(name: str, url: str, path: Path, lines: int, batch: int, *, fresh: bool,
        dry_run: bool = False) -> Run:
    if fresh:
        fresh_site(url)
    queue = SPAWN.Queue()
    child = SPAWN.Process(target=_import, args=(url, str(path), batch, dry_run, queue))
    child.start()
    seconds, peak, posted, already = queue.get()
    child.join()
    print(f"{name}: {seconds:.1f} s", file=sys.stderr)
    return Run(name, lines, batch, seconds, peak, posted, already)


def scenarios(label: str, url: str, folder: Path, lines: int) -> list[Run]:
    small, big = folder / "small.csv", folder / "big.csv"
    write_file(small, BASELINE_LINES)
    write_file(big, lines)
    return [
        run(f"{label}: baseline, 1 line per transaction", url, small, BASELINE_LINES, 1,
            fresh=True),
        run(f"{label}: batches of 1,000", url, small, BASELINE_LINES, 1000, fresh=True),
        run(f"{label}: big file, --dry-run (check only)", url, big, lines, 1000, fresh=True,
            dry_run=True),
        run(f"{label}: big file", url, big, lines, 1000, fresh=False),
        run(f"{label}: big file again (all posted)", url, big, lines, 1000, fresh=False),
    ]


def _pg_admin(url: str) -> Engine:
    return create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--skip-pg", action="store_true")
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="wms-bench-opening-") as tmp:
        folder = Path(tmp)
        runs += scenarios("SQLite", f"sqlite:///{folder / 'wms.db'}", folder, args.lines)
        if not args.skip_pg:
            name = make_url(args.pg_url).database
            admin = _pg_admin(args.pg_url)
            try:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
                runs += scenarios("PostgreSQL", args.pg_url, folder, args.lines)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
    table = Table(box=box.MARKDOWN, title="wms stock import")
    for column in ("run", "lines", "batch", "posted", "already", "seconds", "lines/s",
                   "peak RSS MiB"):
        table.add_column(column, justify="left" if column == "run" else "right")
    for r in runs:
        table.add_row(r.name, f"{r.lines:,}", f"{r.batch:,}", f"{r.posted:,}",
                      f"{r.already:,}", f"{r.seconds:.1f}", f"{r.lines / r.seconds:,.0f}",
                      f"{r.peak_rss_mib:.0f}")
    Console(width=140).print(table)


if __name__ == "__main__":
    main()
