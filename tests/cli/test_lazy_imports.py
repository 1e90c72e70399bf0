"""`wms --help` loads no database, GS1, UI, SSH or label module, and a command loads only what
it runs; checked in a fresh interpreter, so modules pytest or other tests imported do not count."""

from __future__ import annotations

import enum
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Wms
from wms_tui.cli import choices
from wms_tui.domain import exports, opening_stock, reports, supervisor
from wms_tui.domain.outbound import cancels
from wms_tui.labels import files

ROOT = Path(__file__).resolve().parents[2]

# Third-party packages that cost start-up time and that no help text needs.
HEAVY = ["sqlalchemy", "sqlmodel", "alembic", "biip", "psycopg", "textual", "asyncssh",
         "reportlab", "PIL", "barcode"]
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


def _heavy(modules: list[str]) -> list[str]:
    """The loaded modules that are, or sit under, a heavy package or module."""
    roots = HEAVY + HEAVY_OWN
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
