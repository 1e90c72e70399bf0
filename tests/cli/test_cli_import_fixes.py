"""Import fixes: dry-run wording, every row error in one run, and a grid that continues the walk."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.cli.conftest import Sql, Wms
from tests.factories import build_warehouse
from wms_tui.db.engine import make_engine
from wms_tui.domain.masterdata.grid import continues_down

ORDERS = "reference,customer,line_no,sku,quantity\nSO-1,ACME,1,WIDGET,2\n"


@pytest.fixture
def site(wms: Wms, db_url: str) -> Wms:
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(db_url)
    build_warehouse(engine)
    engine.dispose()
    return wms


def test_a_dry_run_order_import_says_what_it_would_create(site: Wms, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    dry = site("order", "import", "--kind", "outbound", "--dry-run", str(path))
    assert dry.exit_code == 0, dry.output
    assert "orders: 1 to create, 0 unchanged, 0 to update" in dry.stdout
    assert "created" not in dry.stdout
    done = site("order", "import", "--kind", "outbound", str(path))
    assert "orders: 1 created, 0 unchanged, 0 updated" in done.stdout


@pytest.mark.parametrize("kind", ["outbound", "inbound"])
def test_an_order_file_reports_every_row_error_in_one_run(
    site: Wms, tmp_path: Path, kind: str
) -> None:
    """A row with a bad cell still has its line number and header checked against the others."""
    party = "customer" if kind == "outbound" else "supplier"
    path = tmp_path / "orders.csv"
    path.write_text(
        f"reference,{party},line_no,sku,quantity\n"
        "SO-1,ACME,1,NOPE,2\n"          # row 2: unknown SKU
        "SO-1,OTHER,1,WIDGET,x\n"       # row 3: bad quantity, line 1 again, another party
        "SO-1,ACME,2,WIDGET,1\n",
        encoding="utf-8",
    )
    result = site("order", "import", "--kind", kind, str(path))
    assert result.exit_code == 2
    errors = [line.split(": ")[0] + ": " + line.split(": ")[1]
              for line in result.stderr.splitlines()]
    assert errors == ["row 2: sku", "row 3: quantity", "row 3: line_no", f"row 3: {party}"]
    assert "line 1 of order SO-1 is also on row 2" in result.stderr
    assert "differs from row 2 for order SO-1" in result.stderr


def walk(sql: Sql, db: Engine) -> list[str]:
    return [r[0] for r in sql(db, "SELECT code FROM location WHERE zone_id IS NOT NULL "
                                  "AND code LIKE 'R%' ORDER BY walk_seq")]


def test_a_second_grid_continues_the_serpentine_walk(
    site: Wms, sql: Sql, db: Engine
) -> None:
    common = ("--zone", "RES", "--bays", "1-2", "--levels", "1", "--prefix", "R")
    assert site("location", "generate", "--aisles", "A", *common).exit_code == 0
    second = site("location", "generate", "--aisles", "B-C", *common)
    assert second.exit_code == 0, second.output
    # Aisle A went up, so B comes back down and C goes up again: one walk, never two.
    assert walk(sql, db) == ["RA-01-01-1", "RA-02-01-1", "RB-02-01-1", "RB-01-01-1",
                             "RC-01-01-1", "RC-02-01-1"]
    again = site("location", "generate", "--aisles", "B-C", *common)
    assert "0 created, 4 unchanged, 0 updated" in again.stdout


def test_which_way_a_new_grid_begins() -> None:
    assert continues_down("A", ["01", "02", "03"], "B")
    assert not continues_down("B", ["03", "02", "01"], "C")
    # More bays in the aisle the walk ends in go the same way as it did.
    assert not continues_down("A", ["01", "02"], "A")
    assert continues_down("A", ["02", "01"], "A")
    # No walk to go on from (no locations, one bay, imported without aisles): start upwards.
    assert not continues_down("", [], "A")
    assert not continues_down("A", ["01"], "B")
