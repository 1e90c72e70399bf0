"""`wms order import --kind outbound` and `wms wave release`, end to end through the CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.cli.conftest import MakeWms, Wms
from tests.conftest import fresh_pg_engine
from tests.factories import build_warehouse
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import uow_factory
from wms_tui.domain.stock import Receive, post

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-outbound.md"
ORDERS = """reference,customer,ship_date,priority,line_no,sku,quantity,uom
SO-1,ACME,2026-01-06,1,1,WIDGET,2,CS
SO-1,ACME,2026-01-06,1,2,BOLT,5,EA
SO-2,Bistro,2026-01-09,5,1,SUP-W-1,6,
"""
# The `wms` command on a stocked warehouse, and the ORDERS file to import.
Site = tuple[Wms, Path]


def stocked(url: str) -> None:
    """The factory warehouse with 30 widgets on the pick face and 100 in reserve."""
    engine = make_engine(url)
    wh = build_warehouse(engine)
    uow = uow_factory(engine)
    post(uow, wh.admin, Receive(wh.widget, 30, wh.pick, "ASN-1"))
    post(uow, wh.admin, Receive(wh.widget, 100, wh.a1, "ASN-1"))
    engine.dispose()


@pytest.fixture
def site(wms: Wms, db_url: str, tmp_path: Path) -> Site:
    assert wms("db", "upgrade").exit_code == 0
    stocked(db_url)
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    return wms, path


def test_import_outbound_orders_then_again_unchanged(site: Site) -> None:
    wms, path = site
    first = wms("order", "import", "--kind", "outbound", str(path))
    assert first.exit_code == 0, first.output
    assert "outbound order lines: 3 created, 0 unchanged, 0 updated" in first.stdout
    assert "orders: 2 created" in first.stdout
    again = wms("order", "import", "--kind", "outbound", str(path))
    assert "outbound order lines: 0 created, 3 unchanged, 0 updated" in again.stdout


def test_import_errors_are_row_numbered_and_exit_2(site: Site, tmp_path: Path) -> None:
    wms, _ = site
    bad = tmp_path / "bad.csv"
    bad.write_text("reference,line_no,sku,quantity\nSO-1,1,NOPE,2\nSO-1,x,WIDGET,1\n",
                   encoding="utf-8")
    result = wms("order", "import", "--kind", "outbound", str(bad))
    assert result.exit_code == 2
    assert "row 2: sku: no item with SKU, alias or GTIN 'NOPE'" in result.stderr
    assert "row 3: line_no: 'x' is not a whole number" in result.stderr
    assert "nothing was changed" in result.stdout


def test_wave_release_json_lists_tasks_in_walk_order_and_unallocated_lines(site: Site) -> None:
    wms, path = site
    wms("order", "import", "--kind", "outbound", str(path))
    result = wms("wave", "release", "--as", "SUP1", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["wave"] == "W0001" and data["orders"] == ["SO-1", "SO-2"]
    assert [(t["seq"], t["order"], t["line_no"], t["location"], t["quantity"])
            for t in data["tasks"]] == [(1, "SO-1", 1, "P-01-01-1", 24),
                                        (2, "SO-2", 1, "P-01-01-1", 6)]
    assert data["unallocated"] == [{
        "order": "SO-1", "line_no": 2, "sku": "BOLT", "quantity": 5, "allocated": 0,
        "missing": 5, "uom": "EA", "reason": "no stock on pick or reserve locations"}]


def test_wave_release_by_order_prints_tables(site: Site) -> None:
    wms, path = site
    wms("order", "import", "--kind", "outbound", str(path))
    result = wms("wave", "release", "--order", "so-2", "--as", "SUP1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("wave W0001: 1 order(s) released (SO-2), 1 pick task(s)")
    assert "Pick tasks (walk order)" in result.stdout
    assert "Not allocated" not in result.stdout
    again = wms("wave", "release", "--order", "SO-2", "--as", "SUP1")
    assert again.exit_code == 2
    assert "order SO-2 is released, not open" in again.stderr


@pytest.mark.parametrize(("args", "code", "message"), [
    (("--as", "OP1"), 1, "OP1 (operator) may not approve"),
    (("--as", "NOBODY"), 2, "no active user NOBODY"),
    (("--as", "SUP1", "--ship-date", "06/01/2026"), 2, "is not a date written YYYY-MM-DD"),
    (("--as", "SUP1", "--ship-date", "2025-01-01"), 1, "no open orders to release"),
    (("--as", "SUP1", "--order", "SO-9"), 1, "no outbound order SO-9"),
])
def test_wave_release_refusals(site: Site, args: tuple[str, ...], code: int, message: str) -> None:
    wms, path = site
    wms("order", "import", "--kind", "outbound", str(path))
    result = wms("wave", "release", *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr


@pytest.mark.postgres
def test_wave_release_on_postgresql(make_wms: MakeWms, pg_url: str, tmp_path: Path) -> None:
    fresh_pg_engine().dispose()
    stocked(pg_url)
    wms = make_wms(pg_url)
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    assert wms("order", "import", "--kind", "outbound", str(path)).exit_code == 0
    result = wms("wave", "release", "--as", "SUP1", "--max-priority", "1", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["orders"] == ["SO-1"]


def test_documented_example_imports(site: Site, tmp_path: Path) -> None:
    wms, _ = site
    [example] = re.findall(r"```csv\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    path = tmp_path / "example.csv"
    path.write_text(example, encoding="utf-8")
    result = wms("order", "import", "--kind", "outbound", str(path))
    assert result.exit_code == 0, result.output
