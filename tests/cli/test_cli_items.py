"""`wms item import`: one row per item and unit, GTINs checked, all or nothing, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.cli.conftest import MakeWms, Sql, Wms
from wms_tui.db.engine import make_engine

HEADER = (
    "sku,description,base_uom,uom,factor,gtin,barcode,lot_tracked,expiry_tracked,"
    "serial_tracked,requires_qc,abc_class,min_qty,max_qty,zone,aliases\n"
)
GOOD = HEADER + (
    "WIDGET,Blue widget,EA,EA,1,9501101530003,,no,no,no,no,A,10,500,RES,SUP-W-1;W-OLD\n"
    "WIDGET,Blue widget,EA,CS,12,19501101530000,CS-WIDGET,no,no,no,no,A,10,500,RES,\n"
    "MILK,Milk 1L,ea,ea,,05901234123457,,yes,YES,false,1,b,,,,\n"
    "BOLT,Bolt M8,EA,BOX,100,,,0,0,0,0,,,,,\n"
)
UNITS = (
    "SELECT i.sku, u.uom, u.factor, u.gtin, u.barcode FROM item_uom u "
    "JOIN item i ON i.id = u.item_id ORDER BY i.sku, u.uom"
)
ITEMS = (
    "SELECT i.sku, i.description, i.base_uom, i.lot_tracked, i.expiry_tracked, i.serial_tracked, "
    "i.requires_qc, i.abc_class, i.min_qty, i.max_qty, z.code "
    "FROM item i LEFT JOIN zone z ON z.id = i.zone_id ORDER BY i.sku"
)


@pytest.fixture
def stocked(ready: Wms, tmp_path: Path) -> Wms:
    """An initialised database with zone RES, which items may name."""
    path = tmp_path / "zones.csv"
    path.write_text("code,type,zone,walk_seq\nA-01-01-1,reserve,RES,1\n", encoding="utf-8")
    assert ready("location", "import", str(path)).exit_code == 0
    return ready


def csv_file(tmp_path: Path, content: str | bytes, name: str = "items.csv") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def test_import_creates_items_units_and_aliases(
    stocked: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    result = stocked("item", "import", csv_file(tmp_path, GOOD))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "items: 3 created, 0 unchanged, 0 updated"
    assert sql(db, ITEMS) == [
        ("BOLT", "Bolt M8", "EA", False, False, False, False, "C", None, None, None),
        ("MILK", "Milk 1L", "EA", True, True, False, True, "B", None, None, None),
        ("WIDGET", "Blue widget", "EA", False, False, False, False, "A", 10, 500, "RES"),
    ]
    # GTINs are stored as GTIN-14; the base unit is added when the file names only a pack.
    assert sql(db, UNITS) == [
        ("BOLT", "BOX", 100, None, None),
        ("BOLT", "EA", 1, None, None),
        ("MILK", "EA", 1, "05901234123457", None),
        ("WIDGET", "CS", 12, "19501101530000", "CS-WIDGET"),
        ("WIDGET", "EA", 1, "09501101530003", None),
    ]
    assert sql(db, "SELECT alias FROM item_alias ORDER BY alias") == [("SUP-W-1",), ("W-OLD",)]


def test_reimport_is_idempotent_and_dry_run_changes_nothing(
    stocked: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    path = csv_file(tmp_path, GOOD)
    dry = stocked("item", "import", path, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "3 to create" in dry.stdout
    assert sql(db, "SELECT count(*) FROM item") == [(0,)]
    assert stocked("item", "import", path).exit_code == 0
    again = stocked("item", "import", path)
    assert again.exit_code == 0
    assert "0 created, 3 unchanged, 0 updated" in again.stdout


def test_changes_update_and_absent_columns_keep_stored_values(
    stocked: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    assert stocked("item", "import", csv_file(tmp_path, GOOD)).exit_code == 0
    # No gtin, barcode or aliases columns: those stay; a new unit and a new description land.
    change = "sku,description,base_uom,uom,factor\nWIDGET,Blue widget v2,EA,PAL,480\n"
    result = stocked("item", "import", csv_file(tmp_path, change, "change.csv"))
    assert result.exit_code == 0, result.output
    assert "0 created, 0 unchanged, 1 updated" in result.stdout
    assert sql(db, "SELECT description, abc_class, min_qty FROM item WHERE sku = 'WIDGET'") == [
        ("Blue widget v2", "A", 10)
    ]
    assert [r for r in sql(db, UNITS) if r[0] == "WIDGET"] == [
        ("WIDGET", "CS", 12, "19501101530000", "CS-WIDGET"),
        ("WIDGET", "EA", 1, "09501101530003", None),
        ("WIDGET", "PAL", 480, None, None),
    ]
    assert sql(db, "SELECT count(*) FROM item_alias") == [(2,)]


def test_row_errors_are_numbered_and_nothing_is_written(
    stocked: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    bad = HEADER + (
        "A1,Good,EA,EA,1,9501101530003,,,,,,,,,,\n"          # row 2: fine
        "A2,Bad GTIN,EA,EA,1,9501101530004,,,,,,,,,,\n"      # row 3: check digit
        "A3,Flags,EA,EA,1,,,maybe,,,,D,5,2,,\n"              # row 4: flag, abc, max < min
        "A4,Numbers,EA,CS,twelve,,,,,,,,-1,,,\n"             # row 5: factor, min
        "A1,Good,EA,EA,1,,,,,,,,,,,\n"                       # row 6: duplicate unit of A1
        "A1,Other,EA,CS,6,9501101530003,,,,,,,,,,\n"         # row 7: differs, GTIN again
        "A5,Zone,EA,EA,1,,,,,,,,,,NOWHERE,\n"                # row 8: unknown zone
        f"A6,{'x' * 121},EA,EA,1,,,,,,,,,,,\n"               # row 9: description too long
        "A7,Bell\x07,EA,EA,1,,,,,,,,,,,\n"                   # row 10: control character
        "A8,Base,EA,EA,3,,,,,,,,,,,\n"                       # row 11: base unit factor
        "A9,Pack,EA,CS,,,,,,,,,,,,\n"                        # row 12: pack without factor
    )
    result = stocked("item", "import", csv_file(tmp_path, bad))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "row 3: gtin: GTIN 9501101530004 has check digit 4; expected 3",
        "row 4: lot_tracked: 'maybe' must be true/false, yes/no or 1/0",
        "row 4: abc_class: 'D' must be A, B or C",
        "row 4: max_qty: 2 is below min_qty 5",
        "row 5: factor: 'twelve' is not a whole number",
        "row 5: min_qty: -1 is outside 0..1000000000",
        "row 6: uom: EA of SKU A1 is already on row 2",
        "row 7: description: differs from row 2 for SKU A1",
        "row 7: gtin: 09501101530003 is also on row 2",
        "row 8: zone: there is no zone NOWHERE (import or generate locations first)",
        f"row 9: description: '{'x' * 30}...' is longer than 120 characters",
        "row 10: description: control character 0x07 at position 5",
        "row 11: factor: the base unit EA has factor 1, not 3",
        "row 12: factor: unit CS of SKU A9 needs a factor",
    ]
    assert "14 error(s) in 11 row(s); nothing was changed" in result.stdout
    assert sql(db, "SELECT count(*) FROM item") == [(0,)]
    assert sql(db, "SELECT count(*) FROM item_uom") == [(0,)]


def test_gtin_barcode_or_alias_of_another_item_is_refused(
    stocked: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    assert stocked("item", "import", csv_file(tmp_path, GOOD)).exit_code == 0
    clash = "sku,description,base_uom,gtin,barcode,aliases\n" + (
        "NEW1,New one,EA,09501101530003,,\n"
        "NEW2,New two,EA,,CS-WIDGET,\n"
        "NEW3,New three,EA,,,SUP-W-1\n"
        "NEW4,New four,EA,,A-01-01-1,\n"
        "W-OLD,Shadow,EA,,,\n"
    )
    result = stocked("item", "import", csv_file(tmp_path, clash, "clash.csv"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "row 2: gtin: 09501101530003 is already used by SKU WIDGET (EA)",
        "row 3: barcode: CS-WIDGET is already used by SKU WIDGET (CS)",
        "row 4: aliases: SUP-W-1 is already used by SKU WIDGET",
        "row 5: barcode: A-01-01-1 is already the code of location A-01-01-1",
        "row 6: sku: W-OLD is already a barcode or alias of SKU WIDGET",
    ]
    assert sql(db, "SELECT count(*) FROM item") == [(3,)]


def test_base_unit_of_an_existing_item_cannot_change(stocked: Wms, tmp_path: Path) -> None:
    assert stocked("item", "import", csv_file(tmp_path, GOOD)).exit_code == 0
    change = "sku,description,base_uom\nBOLT,Bolt M8,KG\n"
    result = stocked("item", "import", csv_file(tmp_path, change, "change.csv"))
    assert result.exit_code == 2
    assert "row 2: base_uom: SKU BOLT counts its stock in EA" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("sku,description\nA,B\n", "missing required column(s): base_uom"),
        ("sku,description,base_uom,weight\nA,B,EA,1\n", "unknown column(s): weight"),
        ("SKU,Description,Base_UOM\n", None),
    ],
)
def test_columns_are_checked_before_any_row(
    stocked: Wms, db: Engine, sql: Sql, tmp_path: Path, content: str, message: str | None
) -> None:
    result = stocked("item", "import", csv_file(tmp_path, content))
    if message is None:
        # Header names are case-insensitive, and a header-only file imports nothing.
        assert result.exit_code == 0, result.output
        assert "0 created, 0 unchanged, 0 updated" in result.stdout
    else:
        assert result.exit_code == 2
        assert message in result.stderr
    assert sql(db, "SELECT count(*) FROM item") == [(0,)]


def test_latin1_file_is_refused(stocked: Wms, db: Engine, sql: Sql, tmp_path: Path) -> None:
    content = "sku,description,base_uom\nCAFE,Café crème,EA\n".encode("latin-1")
    result = stocked("item", "import", csv_file(tmp_path, content))
    assert result.exit_code == 2
    assert "not UTF-8" in result.stderr
    assert sql(db, "SELECT count(*) FROM item") == [(0,)]


def test_unicode_descriptions_in_utf8_are_fine(
    stocked: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    content = "sku,description,base_uom\nTEA-1,绿茶 250g,EA\n"
    assert stocked("item", "import", csv_file(tmp_path, content)).exit_code == 0
    assert sql(db, "SELECT description FROM item") == [("绿茶 250g",)]


@pytest.mark.postgres
def test_item_import_on_postgres(make_wms: MakeWms, pg_url: str, sql: Sql, tmp_path: Path) -> None:
    wms = make_wms(pg_url)
    assert wms("init").exit_code == 0
    zones = csv_file(tmp_path, "code,type,zone,walk_seq\nA-01-01-1,reserve,RES,1\n", "z.csv")
    assert wms("location", "import", zones).exit_code == 0
    path = csv_file(tmp_path, GOOD)
    first = wms("item", "import", path)
    assert first.exit_code == 0, first.output
    assert "0 created, 3 unchanged" in wms("item", "import", path).stdout
    bad = csv_file(tmp_path, "sku,description,base_uom,gtin\nX,Y,EA,09501101530003\n", "b.csv")
    refused = wms("item", "import", bad)
    assert refused.exit_code == 2
    assert "already used by SKU WIDGET" in refused.stderr
    engine = make_engine(pg_url)
    try:
        assert sql(engine, UNITS)[-1] == ("WIDGET", "EA", 1, "09501101530003", None)
    finally:
        engine.dispose()


def test_unit_cost_is_imported_checked_and_kept_when_absent(
    stocked: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    costs = ("sku,description,base_uom,uom,factor,unit_cost\n"
             "WIDGET,Blue widget,EA,EA,1,2.5\n"
             "WIDGET,Blue widget,EA,CS,12,2.5\n"
             "BOLT,Bolt M8,EA,EA,1,0.0125\n")
    result = stocked("item", "import", csv_file(tmp_path, costs))
    assert result.exit_code == 0, result.output
    cost_of = "SELECT sku, unit_cost FROM item ORDER BY sku"
    assert [(sku, float(cost)) for sku, cost in sql(db, cost_of)] == [
        ("BOLT", 0.0125), ("WIDGET", 2.5)]
    # A file without the column leaves the cost alone.
    assert stocked("item", "import", csv_file(tmp_path, GOOD, "all.csv")).exit_code == 0
    assert float(dict(sql(db, cost_of))["WIDGET"]) == 2.5
    bad = ("sku,description,base_uom,uom,factor,unit_cost\n"
           "A1,One,EA,EA,1,\"12,50\"\n"
           "A2,Two,EA,EA,1,-1\n"
           "A3,Three,EA,EA,1,0.12345\n"
           "WIDGET,Blue widget,EA,CS,12,3\n"
           "WIDGET,Blue widget,EA,EA,1,2.5\n")
    refused = stocked("item", "import", csv_file(tmp_path, bad, "bad.csv"))
    assert refused.exit_code == 2
    assert "row 2: unit_cost: '12,50' is not an amount like 12.50" in refused.stderr
    assert "row 3: unit_cost: '-1' is not an amount" in refused.stderr
    assert "row 4: unit_cost: '0.12345' is not an amount" in refused.stderr
    assert "row 6: unit_cost:" in refused.stderr
    assert float(dict(sql(db, cost_of))["WIDGET"]) == 2.5
    assert sql(db, "SELECT count(*) FROM item WHERE sku LIKE 'A%'") == [(0,)]
