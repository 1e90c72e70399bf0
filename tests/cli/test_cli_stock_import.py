"""`wms stock import`: opening stock from CSV or JSON, posted as OPENING receipts, all or
nothing (or --partial), never twice, refused on a site that already moved stock."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import Engine
from sqlmodel import Session

from tests.cli.conftest import MakeWms, Sql, Wms
from tests.factories import build_warehouse
from wms_tui.cli import stock_import
from wms_tui.db.engine import make_engine
from wms_tui.db.tables import Item, ItemUom
from wms_tui.db.uow import uow_factory
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.stock import Receive, ledger_mismatches, post

Rows = list[dict[str, str]]
GOOD: Rows = [
    {"sku": "WIDGET", "location": "A-01-01-1", "quantity": "2", "uom": "CS"},
    {"sku": "MILK", "location": "A-01-02-1", "quantity": "5", "lot": "L1",
     "expiry": "2031-01-31", "status": "qc_hold"},
    {"sku": "BOLT", "location": "A-01-01-1", "quantity": "1", "uom": "BOX", "lpn": "PAL-9",
     "status": "damaged"},
    {"sku": "WIDGET", "location": "P-01-01-1", "quantity": "3",
     "sscc": "376141410000000016"},
    {"sku": "PHONE", "location": "A-01-02-1", "quantity": "2", "serials": "SN-1;SN-2"},
]
STOCK = [
    ("BOLT", "A-01-01-1", None, None, "PAL-9", "damaged", 100),
    ("MILK", "A-01-02-1", "L1", "2031-01-31", None, "qc_hold", 5),
    ("PHONE", "A-01-02-1", None, None, None, "available", 2),
    ("WIDGET", "A-01-01-1", None, None, None, "available", 24),
    ("WIDGET", "P-01-01-1", None, None, "376141410000000016", "available", 3),
]
# Everything an import may write; compared whole before and after a refused or dry run.
TABLES = ("movement", "balance", "lot", "lpn", "idempotency_record")


def add_phone(engine: Engine) -> None:
    """A serial-tracked item besides the factory warehouse's three."""
    with Session(engine) as s:
        phone = Item(sku="PHONE", description="Phone", base_uom="EA", serial_tracked=True)
        s.add(phone)
        s.flush()
        assert phone.id is not None
        s.add(ItemUom(item_id=phone.id, uom="EA", factor=1))
        s.commit()


@pytest.fixture
def site(wms: Wms, db: Engine) -> Wms:
    """A migrated database holding the factory warehouse and a serial-tracked item."""
    assert wms("db", "upgrade").exit_code == 0
    build_warehouse(db)
    add_phone(db)
    return wms


def write(tmp_path: Path, rows: Rows, fmt: str = "csv", name: str = "stock") -> str:
    path = tmp_path / f"{name}.{fmt}"
    if fmt == "json":
        path.write_text(json.dumps(rows), encoding="utf-8")
        return str(path)
    columns = list(dict.fromkeys(column for row in rows for column in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    return str(path)


def stock(wms: Wms) -> list[tuple[Any, ...]]:
    result = wms("stock", "--json")
    assert result.exit_code == 0, result.output
    return sorted((r["sku"], r["location"], r["lot"], r["expiry"], r["lpn"], r["status"],
                   r["quantity"]) for r in json.loads(result.stdout))


def snapshot(sql: Sql, db: Engine) -> dict[str, list[tuple[Any, ...]]]:
    return {name: sql(db, f"SELECT * FROM {name} ORDER BY 1") for name in TABLES}


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_every_line_posts_one_opening_receipt(site: Wms, tmp_path: Path, db: Engine, sql: Sql,
                                              fmt: str) -> None:
    result = site("stock", "import", write(tmp_path, GOOD, fmt), "--as", "ADM1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["opening stock: 5 line(s) posted, 0 already posted"]
    assert stock(site) == STOCK
    # The serials are in stock where their line put them.
    assert sql(db, "SELECT s.serial, s.status, l.code FROM serial s JOIN location l "
                   "ON l.id = s.location_id ORDER BY s.serial") == [
        ("SN-1", "in_stock", "A-01-02-1"), ("SN-2", "in_stock", "A-01-02-1")]
    first = 1 if fmt == "json" else 2
    assert sql(db, "SELECT m.kind, m.reason_code, m.reference, u.login FROM movement m "
                   "JOIN wms_user u ON u.id = m.user_id ORDER BY m.id") == [
        ("receive", "OPENING", f"OPENING row {first + n}", "ADM1") for n in range(5)]
    with uow_factory(db)() as uow:
        assert ledger_mismatches(uow) == []


def test_dry_run_checks_everything_and_writes_nothing(site: Wms, tmp_path: Path, db: Engine,
                                                      sql: Sql) -> None:
    before = snapshot(sql, db)
    result = site("stock", "import", write(tmp_path, GOOD), "--as", "ADM1", "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == (
        "dry run, nothing was posted: 5 line(s) valid: 5 to post, 0 already posted")
    assert snapshot(sql, db) == before


BAD: Rows = [
    {"sku": "NOPE", "location": "A-01-01-1", "quantity": "1"},
    {"sku": "WIDGET", "location": "Z-99", "quantity": "0"},
    {"sku": "WIDGET", "location": "A-01-01-1", "quantity": "1", "uom": "PAL"},
    {"sku": "MILK", "location": "A-01-01-1", "quantity": "2", "expiry": "31/01/2031"},
    {"sku": "WIDGET", "location": "A-01-01-1", "quantity": "1", "status": "lost"},
    {"sku": "PHONE", "location": "A-01-01-1", "quantity": "3", "serials": "SN-1"},
    {"sku": "WIDGET", "location": "A-01-01-1", "quantity": "1.5"},
]
# The errors of a file holding GOOD's first line, then BAD (so BAD starts on row 3).
BAD_ERRORS = [
    "row 3: sku: no item with SKU, alias or GTIN 'NOPE'",
    "row 4: quantity: must be more than 0, not '0'",
    "row 4: location: no location 'Z-99'",
    "row 5: uom: unit 'PAL' is not set up for this item (known: CS, EA)",
    "row 6: expiry: '31/01/2031' is not a date written YYYY-MM-DD",
    "row 6: lot: MILK is lot-tracked: a lot is needed",
    "row 7: status: 'lost' must be one of available, qc_hold, damaged, blocked",
    "row 8: serials: PHONE is serial-tracked: 3 EA need 3 serial(s), 1 given",
    "row 9: quantity: 1.5 EA is 1.5 EA: stock is kept in whole EA",
]


def test_every_row_error_is_reported_at_once_and_nothing_posts(
        site: Wms, tmp_path: Path, db: Engine, sql: Sql) -> None:
    before = snapshot(sql, db)
    result = site("stock", "import", write(tmp_path, GOOD[:1] + BAD), "--as", "ADM1")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == BAD_ERRORS
    assert result.stdout.splitlines() == ["9 error(s) in 8 line(s); nothing was posted"]
    assert snapshot(sql, db) == before


def test_partial_posts_the_good_lines_and_exits_2(site: Wms, tmp_path: Path) -> None:
    result = site("stock", "import", write(tmp_path, GOOD + BAD[:1]), "--as", "ADM1",
                  "--partial")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == ["row 7: sku: no item with SKU, alias or GTIN 'NOPE'"]
    assert result.stdout.splitlines()[-1] == (
        "opening stock: 1 line(s) rejected; 5 line(s) posted, 0 already posted")
    assert stock(site) == STOCK


def test_running_the_same_file_again_posts_nothing(site: Wms, tmp_path: Path, db: Engine,
                                                   sql: Sql) -> None:
    path = write(tmp_path, GOOD)
    assert site("stock", "import", path, "--as", "ADM1", "--batch-size", "2").exit_code == 0
    posted = snapshot(sql, db)
    again = site("stock", "import", path, "--as", "ADM1")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[-1] == "opening stock: 0 line(s) posted, 5 already posted"
    assert snapshot(sql, db) == posted
    assert stock(site) == STOCK


def test_a_site_with_movements_is_refused_unless_allow_existing(
        site: Wms, tmp_path: Path, db: Engine, sql: Sql) -> None:
    operator = operator_of(db)
    with uow_factory(db)() as uow:
        widget = uow.catalog.item_by_code("WIDGET")
        dock = uow.catalog.location_by_code("DOCK-1")
    assert widget is not None and dock is not None
    post(uow_factory(db), operator, Receive(widget.id, 4, dock.id, "ASN-1"))
    before = snapshot(sql, db)
    path = write(tmp_path, GOOD[:1])
    refused = site("stock", "import", path, "--as", "ADM1")
    assert refused.exit_code == 2
    assert refused.stderr.strip() == (
        "error: this site already has stock movements other than opening stock: the file "
        "would add to the stock they left; pass --allow-existing if that is meant")
    assert snapshot(sql, db) == before
    allowed = site("stock", "import", path, "--as", "ADM1", "--allow-existing")
    assert allowed.exit_code == 0, allowed.output
    assert ("WIDGET", "A-01-01-1", None, None, None, "available", 24) in stock(site)


def operator_of(db: Engine) -> Actor:
    """The factory warehouse's operator, to post an ordinary receipt."""
    with uow_factory(db)() as uow:
        user = uow.users.by_login("OP1")
        assert user is not None and user.id is not None
        return Actor(user.id, user.login, Role(user.role))


def test_hostile_cells_and_file_names_are_shown_escaped(site: Wms, tmp_path: Path) -> None:
    rows: Rows = [
        {"sku": '=HYPERLINK("http://x")', "location": "A-01-01-1", "quantity": "1"},
        {"sku": "WIDGET", "location": "\x1b]0;owned\x07", "quantity": "1"},
        {"sku": "PHONE", "location": "A-01-01-1", "quantity": "1", "serials": "SN\x1b[2J"},
    ]
    result = site("stock", "import", write(tmp_path, rows), "--as", "ADM1")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "row 2: sku: no item with SKU, alias or GTIN '=HYPERLINK(\"http://x\")'",
        "row 3: location: control character 0x1B at position 1",
        "row 4: serials: control character 0x1B at position 3",
    ]
    evil = tmp_path / "evil\x1b[2J.csv"
    evil.write_text("sku,colour\nWIDGET,red\n", encoding="utf-8")
    named = site("stock", "import", str(evil), "--as", "ADM1")
    assert named.exit_code == 2 and "\x1b" not in named.output
    assert "evil\\x1b[2J.csv: missing required column(s): location, quantity" in named.stderr


def test_an_operator_may_not_load_stock(site: Wms, tmp_path: Path) -> None:
    result = site("stock", "import", write(tmp_path, GOOD), "--as", "OP1")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: OP1 (operator) may not adjust"


def test_a_terminal_gets_a_progress_bar(site: Wms, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    screen = io.StringIO()
    monkeypatch.setattr(stock_import, "_out",
                        lambda: Console(file=screen, force_terminal=True, width=80))
    result = site("stock", "import", write(tmp_path, GOOD), "--as", "ADM1")
    assert result.exit_code == 0, result.output
    assert "posting" in screen.getvalue() and "5/5" in screen.getvalue()


@pytest.mark.postgres
def test_postgres_posts_and_replays_the_same_way(make_wms: MakeWms, pg_url: str,
                                                 tmp_path: Path) -> None:
    wms = make_wms(pg_url)
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(pg_url)
    try:
        build_warehouse(engine)
        add_phone(engine)
    finally:
        engine.dispose()
    path = write(tmp_path, GOOD)
    assert wms("stock", "import", path, "--as", "ADM1", "--batch-size", "2").exit_code == 0
    again = wms("stock", "import", path, "--as", "ADM1")
    assert again.stdout.splitlines()[-1] == "opening stock: 0 line(s) posted, 5 already posted"
    assert stock(wms) == STOCK
