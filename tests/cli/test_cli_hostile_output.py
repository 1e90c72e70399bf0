"""Hostile data in, nothing obeyed out: formulas stay text in CSV, escape sequences are shown in
tables, JSON and error lines, a huge import is refused unread, lower-case SKUs get labels."""

from __future__ import annotations

import csv
import io
import json
import os
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import typer
from sqlalchemy import Engine
from sqlmodel import Session

from tests.cli.conftest import Wms
from tests.factories import Warehouse, build_warehouse, saved_id
from tests.label_tools import decode
from wms_tui.cli.common import handles_errors
from wms_tui.db.engine import make_engine
from wms_tui.db.tables import AuditEvent, Item, ItemUom
from wms_tui.db.uow import uow_factory
from wms_tui.domain.errors import BadInput
from wms_tui.domain.import_files import MAX_FILE_BYTES
from wms_tui.domain.stock import Receive, post

FORMULA_SKU = '=HYPERLINK("http://x","y")'
FORMULA_LOT = "@SUM(1)"
FORMULA_REFERENCE = "-1+2"
TITLE = "\x1b]0;pwned\x07"
# A terminal ID that sets the title, then starts a C1 CSI sequence JSON would leave raw.
TERMINAL = TITLE + "\x9b1m"
CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"
# C1 CSI and DEL: json.dumps(ensure_ascii=False) leaves both raw.
RAW_IN_JSON = "Evil \x9b2J \x7f desc"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile(wms: Wms, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Wms]:
    """A warehouse holding a formula SKU, lot and reference, received from a terminal whose
    ID sets the window title, and a log-in whose terminal ID writes the clipboard."""
    monkeypatch.setenv("COLUMNS", "400")
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(db_url)
    wh = build_warehouse(engine)
    with Session(engine) as session:
        item = Item(sku=FORMULA_SKU, description=RAW_IN_JSON, base_uom="EA", lot_tracked=True)
        session.add(item)
        session.flush()
        item_id = saved_id(item.id)
        session.add(ItemUom(item_id=item_id, uom="EA", factor=1))
        session.add(AuditEvent(event="login", login="OP1", peer="10.0.0.9", terminal=CLIPBOARD))
        session.commit()
    receive(engine, wh, item_id)
    yield wms
    engine.dispose()


def receive(engine: Engine, wh: Warehouse, item_id: int) -> None:
    operator = replace(wh.operator, terminal=TERMINAL)
    post(uow_factory(engine), operator,
         Receive(item_id, 5, wh.a1, FORMULA_REFERENCE, lot=FORMULA_LOT))


def ok(wms: Wms, *args: str) -> str:
    result = wms(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def assert_no_formula(rows: list[dict[str, str]]) -> None:
    """No text cell a spreadsheet would run; negative numbers are numbers, not formulas."""
    for row in rows:
        for value in row.values():
            if value.startswith(FORMULA_STARTS):
                assert value.lstrip("-").replace(".", "", 1).isdigit(), (value, row)


def assert_nothing_raw(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text
    assert not any(0x80 <= ord(c) <= 0x9F or c == "\x7f" for c in text), repr(text)


# Formula-safe CSV.


def test_export_events_csv_writes_formulas_as_text(hostile: Wms) -> None:
    rows = csv_rows(ok(hostile, "export", "events", "--csv"))
    mine = [r for r in rows if r["reference"] == "'" + FORMULA_REFERENCE]
    assert len(mine) == 1
    assert mine[0]["sku"] == "'" + FORMULA_SKU
    assert mine[0]["lot"] == "'" + FORMULA_LOT
    assert_no_formula(rows)


def test_export_stock_csv_writes_formulas_as_text(hostile: Wms) -> None:
    rows = csv_rows(ok(hostile, "export", "stock"))
    mine = [r for r in rows if r["lot"] == "'" + FORMULA_LOT]
    assert [r["sku"] for r in mine] == ["'" + FORMULA_SKU]
    assert_no_formula(rows)


def test_report_csv_writes_formulas_as_text(hostile: Wms) -> None:
    # Far in the future, so the stock received for the test has been there long enough.
    rows = csv_rows(ok(hostile, "report", "dead-stock", "--as-of", "2999-01-01", "--csv"))
    assert "'" + FORMULA_SKU in [r["sku"] for r in rows]
    assert_no_formula(rows)


# JSON: exact data, nothing raw.


def test_json_escapes_c1_and_del_yet_reads_back_exactly(hostile: Wms) -> None:
    out = ok(hostile, "stock", "--json")
    assert_nothing_raw(out)
    assert "\\u009b2J \\u007f" in out
    descriptions = {line["sku"]: line["description"] for line in json.loads(out)}
    assert descriptions[FORMULA_SKU] == RAW_IN_JSON


def test_json_keeps_the_terminal_id_exact(hostile: Wms) -> None:
    out = ok(hostile, "movements", "--json")
    assert_nothing_raw(out)
    assert [m["terminal"] for m in json.loads(out) if m["sku"] == FORMULA_SKU] == [TERMINAL]


# Tables.


def test_movements_table_shows_the_terminal_id_escaped(hostile: Wms) -> None:
    out = ok(hostile, "movements")
    assert_nothing_raw(out)
    assert "\\x1b]0;pwned\\x07\\x9b1m" in out


def test_audit_table_shows_terminal_ids_escaped(hostile: Wms) -> None:
    out = ok(hostile, "audit")
    assert_nothing_raw(out)
    assert "\\x1b]52;c;ZXZpbA==\\x07" in out


def test_stock_table_shows_c1_and_del_escaped(hostile: Wms) -> None:
    out = ok(hostile, "stock")
    assert_nothing_raw(out)
    assert "Evil \\x9b2J \\x7f desc" in out


# Import error lines.


def write(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("items.csv", f"sku,description,base_uom,{CLIPBOARD}\nA,B,EA,x\n"),
        ("items.json", json.dumps([{"sku": "A", TITLE: "x"}])),
        ("items.json", json.dumps([{"sku": "A", "description": "B", "base_uom": "EA",
                                    "x_y": "1"}]).replace("x_y", "\\u001b[2J")),
    ],
)
def test_escape_sequences_in_headers_and_keys_are_shown(
    wms: Wms, tmp_path: Path, name: str, content: str
) -> None:
    assert wms("db", "upgrade").exit_code == 0
    result = wms("item", "import", write(tmp_path, name, content))
    assert result.exit_code == 2
    assert_nothing_raw(result.stderr)
    assert "\\x1b" in result.stderr


def test_a_cell_value_and_a_file_name_in_an_error_line_are_shown(
    wms: Wms, tmp_path: Path
) -> None:
    assert wms("db", "upgrade").exit_code == 0
    bidi = write(tmp_path, "items.csv", "sku,description,base_uom\nA,B,E\u202eA\n")
    refused = wms("item", "import", bidi)
    assert refused.exit_code == 2
    assert "\u202e" not in refused.stderr
    assert "row 2: base_uom: 'E\\u202eA' must be letters and digits" in refused.stderr
    missing = wms("item", "import", str(tmp_path / f"{TITLE}.csv"))
    assert missing.exit_code == 2
    assert_nothing_raw(missing.stderr)
    assert "\\x1b]0;pwned\\x07.csv" in missing.stderr


def test_handles_errors_shows_a_message_nobody_escaped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @handles_errors
    def command() -> None:
        raise BadInput(f"no such thing {CLIPBOARD}")

    with pytest.raises(typer.Exit) as exited:
        command()
    assert exited.value.exit_code == 2
    err = capsys.readouterr().err
    assert err == "error: no such thing \\x1b]52;c;ZXZpbA==\\x07\n"


# Import size.


def refused_with_low_peak(wms: Wms, path: str) -> None:
    tracemalloc.start()
    try:
        result = wms("item", "import", path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.exit_code == 2
    assert f"is larger than {MAX_FILE_BYTES // 2**20} MiB" in result.stderr
    assert peak < 100 * 2**20, f"peak {peak / 2**20:.0f} MiB"


def test_a_1_gb_import_is_refused_without_being_read(wms: Wms, tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as handle:
        handle.truncate(2**30)
    refused_with_low_peak(wms, str(path))


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_an_endless_import_is_read_only_up_to_the_limit(wms: Wms) -> None:
    # A character device says it is empty; only a bounded read stops it.
    refused_with_low_peak(wms, "/dev/zero")


# Labels.


def test_a_lower_case_sku_gets_its_label(wms: Wms, tmp_path: Path) -> None:
    assert wms("db", "upgrade").exit_code == 0
    items = write(tmp_path, "items.csv",
                  "sku,description,base_uom\nabc-1,Lower case,EA\nABC-1,Upper case,EA\n")
    imported = wms("item", "import", items)
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "labels"
    result = wms("labels", "item", "abc-1", "ABC-1", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert decode(out / "abc-1-EA.png") == [("Code128", "abc-1")]
    assert decode(out / "ABC-1-EA.png") == [("Code128", "ABC-1")]
