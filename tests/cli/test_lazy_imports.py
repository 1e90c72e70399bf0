"""`wms --help` loads no database, GS1, UI, SSH or label module, and a command loads only what
it runs; checked in a fresh interpreter, so modules pytest or other tests imported do not count.

`wms stock --json` is the yardstick of a read-only command (issue 19: at most 25x a bare
`python -c pass`): it checks the schema without Alembic, opens one repository on plain Core
tables, and loads no SQLModel table, no ORM, no GS1 parsing, no Rich and none of the services
the RF flows use."""

from __future__ import annotations

import enum
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.cli.conftest import Wms
from wms_tui.cli import choices
from wms_tui.domain import exports, opening_stock, reports, supervisor
from wms_tui.domain.outbound import cancels
from wms_tui.labels import files

ROOT = Path(__file__).resolve().parents[2]

# Third-party packages that cost start-up time and that no help text needs.
HEAVY = ["sqlalchemy", "sqlmodel", "alembic", "biip", "psycopg", "textual", "asyncssh",
         "reportlab", "PIL", "barcode"]
# What a read-only listing does not need: migrations, the SQLModel tables and the ORM (with the
# PostgreSQL dialect their partial indexes name), GS1 parsing, Rich tables, the RF flows'
# services and the repositories other than the one it reads.
NOT_FOR_A_LISTING = ["alembic", "mako", "biip", "rich", "sqlmodel", "sqlalchemy.orm",
                     "sqlalchemy.dialects.postgresql", "wms_tui.db.tables",
                     "wms_tui.db.shipping_tables", "wms_tui.db.webhook_tables",
                     "wms_tui.serve.audit", "wms_tui.domain.rf_services",
                     "wms_tui.domain.scan", "wms_tui.domain.serials", "wms_tui.domain.importing",
                     "wms_tui.domain.flows", "wms_tui.domain.outbound", "wms_tui.domain.counting",
                     "wms_tui.domain.shipping", "wms_tui.db.repositories", "wms_tui.db.listings",
                     "wms_tui.db.outbound", "wms_tui.db.counting", "wms_tui.db.shipping",
                     "wms_tui.db.reports", "wms_tui.db.webhooks"]
# The project's own modules that open or describe the database, or parse GS1.
HEAVY_OWN = ["wms_tui.bootstrap", "wms_tui.db", "wms_tui.domain.scan", "wms_tui.domain.ports",
             "wms_tui.serve", "wms_tui.screens", "wms_tui.labels"]

# Asks `--help` of `wms` and of every group and command under it, then lists what is loaded.
EVERY_HELP = """
import json, sys
import typer.main
from typer.testing import CliRunner
from cli import app

runner = CliRunner()
codes = {}

def walk(command, path):
    codes[" ".join(path)] = runner.invoke(app, [*path, "--help"]).exit_code
    for name, sub in getattr(command, "commands", {}).items():
        walk(sub, [*path, name])

walk(typer.main.get_command(app), [])
print(json.dumps({"codes": codes, "modules": sorted(sys.modules)}))
"""

# Runs one command as the console script would, then lists what is loaded on stderr.
ONE_COMMAND = """
import json, sys
from cli import app
try:
    app(sys.argv[1:], prog_name="wms")
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _fresh_python(script: str, *args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WMS_DATA_DIR": str(data_dir)}
    env.pop("WMS_DATABASE_URL", None)
    return subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)


def _heavy(modules: list[str], roots: list[str] = HEAVY + HEAVY_OWN) -> list[str]:
    """The loaded modules that are, or sit under, one of roots (by default every heavy one)."""
    return sorted(m for m in modules if any(m == r or m.startswith(r + ".") for r in roots))


def test_every_help_works_and_loads_nothing_heavy(tmp_path: Path) -> None:
    report = json.loads(_fresh_python(EVERY_HELP, data_dir=tmp_path).stdout)
    codes: dict[str, int] = report["codes"]
    assert {"", "stock", "stock import", "serve", "labels pallet", "report accuracy"} <= set(codes)
    assert {path: code for path, code in codes.items() if code != 0} == {}
    assert _heavy(report["modules"]) == []


def test_stock_listing_loads_no_ui_ssh_labels_or_postgresql(
    ready: Wms, db_url: str, tmp_path: Path
) -> None:
    done = _fresh_python(ONE_COMMAND, "--database-url", db_url, "stock", "--json",
                         data_dir=tmp_path / "data")
    report = json.loads(done.stderr.splitlines()[-1])
    assert report["code"] == 0
    assert json.loads(done.stdout) == []
    loaded = {m.split(".")[0] for m in report["modules"]}
    # It does need the database: the test would pass vacuously if the command never ran.
    assert "sqlalchemy" in loaded
    assert loaded & {"textual", "asyncssh", "reportlab", "PIL", "barcode", "psycopg"} == set()
    assert [m for m in report["modules"] if m.startswith(("wms_tui.screens", "wms_tui.labels"))
            ] == []
    assert _heavy(report["modules"], NOT_FOR_A_LISTING) == []


def test_a_schema_behind_is_refused_as_before_without_loading_alembic(
    ready: Wms, db_url: str, tmp_path: Path
) -> None:
    from wms_tui.db.engine import make_engine
    from wms_tui.db.migrate import head_revision

    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0016'"))
    engine.dispose()
    done = subprocess.run([sys.executable, "-c", ONE_COMMAND, "--database-url", db_url,
                           "stock", "--json"], cwd=ROOT, capture_output=True, text=True,
                          check=True, env={**os.environ, "WMS_DATA_DIR": str(tmp_path / "data")})
    lines = done.stderr.splitlines()
    report = json.loads(lines[-1])
    assert report["code"] == 1
    assert lines[0] == (f"error: the database is at revision 0016, this wms needs "
                        f"{head_revision()}: run `wms db upgrade`")
    assert _heavy(report["modules"], ["alembic", "mako"]) == []


# Imports the zygote's database preloads, then touches every repository of a unit of work and
# lists the project's (and biip's) modules that only then loaded.
EVERY_REPOSITORY = """
import importlib, json, sys
from sqlalchemy import create_engine
from wms_tui.db import uow
from wms_tui.serve.zygote import PRELOAD

for name in PRELOAD:
    if name.startswith(("wms_tui.db", "biip")):
        importlib.import_module(name)
before = set(sys.modules)
with uow.SqlUnitOfWork(create_engine("sqlite://")) as work:
    for name in uow._REPOSITORIES:
        getattr(work, name)
print(json.dumps(sorted(m for m in set(sys.modules) - before if m.startswith(("wms_", "biip")))))
"""


def test_the_zygote_preloads_every_repository_the_unit_of_work_loads_on_first_use(
    tmp_path: Path,
) -> None:
    # Forked sessions then share those modules' pages instead of importing them one by one.
    assert json.loads(_fresh_python(EVERY_REPOSITORY, data_dir=tmp_path).stdout) == []


@pytest.mark.parametrize(("shown", "domain"), [
    (choices.PickedUnits, cancels.PickedUnits),
    (choices.EventKind, exports.EventKind),
    (choices.Period, reports.Period),
    (choices.LabelFormat, files.LabelFormat),
])
def test_each_choice_offers_exactly_the_domain_values(
    shown: type[enum.Enum], domain: type[enum.Enum]
) -> None:
    assert [c.value for c in shown] == [d.value for d in domain]


def test_each_default_is_the_domain_default() -> None:
    assert (choices.EXPORT_BATCH, choices.OPENING_BATCH, choices.OPENING_MAX_BATCH,
            choices.DEAD_DAYS, choices.IDLE_MINUTES, choices.EXCEPTION_DAYS) == (
        exports.DEFAULT_BATCH, opening_stock.DEFAULT_BATCH, opening_stock.MAX_BATCH,
        reports.DEFAULT_DEAD_DAYS, reports.DEFAULT_IDLE_MINUTES,
        supervisor.DEFAULT_EXCEPTION_DAYS)
