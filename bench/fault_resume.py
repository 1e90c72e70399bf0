"""Links dropped right after the scan that posts: lost, duplicated, and named on resume.

Starts `wms serve` (a subprocess) over a temporary warehouse and, over real SSH (asyncssh
client, TERM=vt220, 20x16), runs rounds of: OP1 keys a Move of 1 EA from A-01-01-1 up to the
To step, sends the To scan and drops the link 0-60 ms after it (random, seeded); once the
server has ended that session a new connection logs in and resumes. Per database it reports
rounds, how many dropped posts committed, how many of those the resumed screen named ("Last:
Moved 1 EA"), and how many moves were lost or posted twice (ledger vs confirmation keys).
tests/e2e/test_serve_fault_resume.py runs the same rounds, fewer of them (tests/e2e/
fault_resume.py holds the round).

    .venv/bin/python bench/fault_resume.py                         # 200 rounds, both databases
    .venv/bin/python bench/fault_resume.py --rounds 50 --databases sqlite --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path

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
from tests.e2e.fault_resume import FaultReport, run_rounds  # noqa: E402
from wms_tui.db.uow import uow_factory  # noqa: E402
from wms_tui.domain.stock import Receive, post  # noqa: E402

COLUMNS = ("rounds", "committed", "named", "lost", "duplicated")


def site_on(database: str, tmp: Path) -> tuple[Engine, str]:
    if database == "sqlite":
        path = tmp / "wms.db"
        return fresh_sqlite_engine(str(path)), f"sqlite:///{path}"
    if database == "postgresql":
        return fresh_pg_engine(), pg_database_url()
    raise SystemExit(f"unknown database {database!r}: sqlite or postgresql")


def run(database: str, rounds: int, seed: int, tmp: Path) -> FaultReport:
    engine, url = site_on(database, tmp)
    try:
        site = Site.build(engine, url)
        # One widget per round, beyond the 30 the site starts with.
        post(uow_factory(engine), site.wh.admin,
             Receive(site.wh.widget, rounds, site.wh.a1, "ASN-FAULTS"))
        server = Server(tmp, url, ["--ssh-auth", "none", "--idle-timeout", "0"],
                        database).wait_ready()
        try:
            report = asyncio.run(run_rounds(server.port, engine, server.text, rounds, seed))
        finally:
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
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (WMS_TEST_PG_URL)")
    parser.add_argument("--seed", type=int, default=18, help="seed of the drop delays")
    parser.add_argument("--json", action="store_true", help="one JSON object per database")
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for database in (d.strip() for d in args.databases.split(",") if d.strip()):
            print(f"{database}: {args.rounds} rounds", file=sys.stderr)
            results[database] = run(database, args.rounds, args.seed, Path(tmp)).as_dict()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'database':<12}" + "".join(f"{name:>12}" for name in COLUMNS) + f"{'seconds':>10}")
    for database, result in results.items():
        print(f"{database:<12}" + "".join(f"{result[name]:>12}" for name in COLUMNS)
              + f"{result['seconds']:>10}")
    bad = [d for d, r in results.items()
           if r["lost"] or r["duplicated"] or r["named"] != r["committed"] or r["false_claims"]]
    if bad:
        raise SystemExit(f"failed: {', '.join(bad)}")


if __name__ == "__main__":
    main()
