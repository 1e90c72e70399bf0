"""Links dropped, sessions and servers killed right after the scan that posts: lost,
duplicated, and named on resume.

Starts `wms serve` (a subprocess) over a temporary warehouse and, over real SSH (asyncssh
client, TERM=vt220, 20x16), runs rounds of: OP1 keys a Move of 1 EA from A-01-01-1 up to the
To step, sends the To scan and, shortly after it (random, seeded), one fault strikes: the link
drops (0-60 ms), the session's process is SIGKILLed, or `wms serve` is SIGKILLed with its
zygote and sessions and started again on the same database (a kill strikes 0 to twice the
median scan-to-ledger time after the scan, so about half land after the commit). The kinds
take turns in a seeded random order. Then a new connection logs in and resumes. Per database
and fault kind it reports rounds, how many interrupted posts committed, how many of those the
resumed screen named ("Last: Moved 1 EA"), and how many moves were lost or posted twice
(ledger vs confirmation keys). tests/e2e/test_serve_fault_resume.py runs the same rounds, fewer
of them (tests/e2e/fault_resume.py holds the round).

    .venv/bin/python bench/fault_resume.py              # 201 rounds, all faults, both databases
    .venv/bin/python bench/fault_resume.py --rounds 50 --faults drop --databases sqlite --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, make_url, text  # noqa: E402

from tests.conftest import (  # noqa: E402
    PG_ADMIN_URL,
    fresh_pg_engine,
    fresh_sqlite_engine,
    pg_database_url,
)
from tests.e2e.conftest import Server, Site  # noqa: E402
from tests.e2e.fault_resume import FAULTS, Fault, FaultReport, run_rounds  # noqa: E402
from wms_tui.db.uow import uow_factory  # noqa: E402
from wms_tui.domain.stock import Receive, post  # noqa: E402

COLUMNS = ("rounds", "committed", "named", "lost", "duplicated", "false_claims",
           "max_delay_ms", "median_latency_ms")


def site_on(database: str, tmp: Path) -> tuple[Engine, str]:
    if database == "sqlite":
        path = tmp / "wms.db"
        return fresh_sqlite_engine(str(path)), f"sqlite:///{path}"
    if database == "postgresql":
        return fresh_pg_engine(), pg_database_url()
    raise SystemExit(f"unknown database {database!r}: sqlite or postgresql")


def run(database: str, rounds: int, faults: list[Fault], seed: int, tmp: Path) -> FaultReport:
    engine, url = site_on(database, tmp)
    servers: list[Server] = []

    def start() -> Server:
        # A restart after a server kill keeps the data directory (host key), as on a host.
        server = Server(tmp, url, ["--ssh-auth", "none", "--idle-timeout", "0"],
                        f"{database}-{len(servers)}",
                        env={"WMS_DATA_DIR": str(tmp / f"data-{database}")})
        servers.append(server)
        return server.wait_ready()

    try:
        site = Site.build(engine, url)
        # One widget per round, beyond the 30 the site starts with.
        post(uow_factory(engine), site.wh.admin,
             Receive(site.wh.widget, rounds, site.wh.a1, "ASN-FAULTS"))
        try:
            report = asyncio.run(run_rounds(start, engine, rounds, faults, seed))
        finally:
            for server in servers:
                server.stop()
        if site.ledger_mismatches():
            raise SystemExit(f"{database}: ledger and balances disagree")
        return report
    finally:
        engine.dispose()
        if database == "postgresql":
            drop_database(make_url(url).database or "")


def drop_database(name: str) -> None:
    """The run's PostgreSQL database, made by tests.conftest (pytest drops its own at exit)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=201, help="per database, all faults")
    parser.add_argument("--faults", default=",".join(FAULTS),
                        help=f"comma-separated, taking turns: {', '.join(FAULTS)}")
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (WMS_TEST_PG_URL)")
    parser.add_argument("--seed", type=int, default=18, help="seed of the faults and delays")
    parser.add_argument("--json", action="store_true", help="one JSON object per database")
    args = parser.parse_args()
    faults = [f.strip() for f in args.faults.split(",") if f.strip()]
    unknown = [f for f in faults if f not in FAULTS]
    if unknown or not faults:
        raise SystemExit(f"unknown faults {unknown}: {', '.join(FAULTS)}")
    reports: dict[str, FaultReport] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for database in (d.strip() for d in args.databases.split(",") if d.strip()):
            print(f"{database}: {args.rounds} rounds of {', '.join(faults)}", file=sys.stderr)
            reports[database] = run(database, args.rounds, cast(list[Fault], faults),
                                    args.seed, Path(tmp))
    if args.json:
        print(json.dumps({d: r.as_dict() for d, r in reports.items()}, indent=2))
    else:
        print(f"{'database':<12}{'fault':<14}" + "".join(f"{name:>{len(name) + 2}}"
                                                       for name in COLUMNS))
        for database, report in reports.items():
            parts = [(f, report.of(f)) for f in FAULTS]
            for fault, part in [*((f, p) for f, p in parts if p.rounds), ("all", report)]:
                counts = part.counts()
                print(f"{database:<12}{fault:<14}" + "".join(f"{counts[name]:>{len(name) + 2}}"
                                                           for name in COLUMNS))
            print(f"{database:<12}{report.seconds:.0f} s", file=sys.stderr)
    bad = [d for d, r in reports.items()
           if r.lost or r.duplicated or r.unnamed or r.false_claims or r.moves != r.keys]
    for database in bad:
        for r in reports[database].unnamed + reports[database].false_claims:
            print(f"{database}: {r}", file=sys.stderr)
    if bad:
        raise SystemExit(f"failed: {', '.join(bad)}")


if __name__ == "__main__":
    main()
