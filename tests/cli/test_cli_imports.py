"""Every import command, CSV and JSON: malformed files are refused with row-numbered errors,
exit code 2 and not a single change; --partial imports the clean documents only; the
progress bar is used by every import."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import Result

from tests.cli.conftest import Sql, Wms
from wms_tui.cli import importing as cli

Rows = list[dict[str, object]]
RowNo = Callable[[int], int]
# The errors a case expects, given how the file's format numbers its rows.
Expected = Callable[[RowNo], list[str]]
# Every row of every table an import may write, as reprs.
Snapshot = Callable[[], dict[str, list[str]]]


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]
    key: str
    good: Rows


LOCATIONS = Command("locations", ("location", "import"), "code", [
    {"code": "B-1", "type": "reserve", "zone": "RES", "walk_seq": "20"},
    {"code": "B-2", "type": "pick", "zone": "PICK", "walk_seq": "21"},
])
ITEMS = Command("items", ("item", "import"), "sku", [
    {"sku": "NUT", "description": "Nut M8", "base_uom": "EA", "uom": "EA", "factor": "1"},
    {"sku": "NUT", "description": "Nut M8", "base_uom": "EA", "uom": "BOX", "factor": "100"},
])
INBOUND = Command("inbound", ("order", "import", "--kind", "inbound"), "reference", [
    {"reference": "PO-2", "line_no": "1", "sku": "WIDGET", "quantity": "1", "uom": "CS"},
    {"reference": "PO-2", "line_no": "2", "sku": "BOLT", "quantity": "10", "uom": ""},
])
OUTBOUND = Command("outbound", ("order", "import", "--kind", "outbound"), "reference", [
    {"reference": "SO-2", "line_no": "1", "sku": "WIDGET", "quantity": "3", "priority": "2"},
    {"reference": "SO-2", "line_no": "2", "sku": "BOLT", "quantity": "1", "priority": "2"},
])
USERS = Command("users", ("user", "import"), "login", [
    {"login": "op2", "name": "Otto", "role": "operator", "pin": "4321"},
    {"login": "sup2", "name": "Sue", "role": "supervisor", "language": "zh_CN", "pin": "8765"},
])
COMMANDS = [LOCATIONS, ITEMS, INBOUND, OUTBOUND, USERS]
# Everything an import may write; compared whole before and after a refused file.
TABLES = ("warehouse", "zone", "location", "item", "item_uom", "item_alias", "inbound_order",
          "inbound_line", "outbound_order", "outbound_line", "wms_user")


def csv_bytes(rows: Rows) -> bytes:
    columns = list(dict.fromkeys(name for row in rows for name in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def json_bytes(rows: Rows) -> bytes:
    return json.dumps(rows, ensure_ascii=False, indent=1).encode()


def write(tmp_path: Path, rows: Rows, fmt: str, name: str = "data") -> str:
    path = tmp_path / f"{name}.{fmt}"
    path.write_bytes(csv_bytes(rows) if fmt == "csv" else json_bytes(rows))
    return str(path)


def raw(tmp_path: Path, data: bytes, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def row_number(fmt: str) -> RowNo:
    """The number errors give the k-th record: CSV counts the header as row 1, JSON does not."""
    return (lambda k: k + 1) if fmt == "csv" else (lambda k: k)


@pytest.fixture
def site(ready: Wms, tmp_path: Path) -> Wms:
    """Locations, items (WIDGET in EA and CS of 12, BOLT), order PO-1, order SO-1, user OP1."""
    setup = [
        (("location", "import"),
         "code,type,zone,walk_seq\nDOCK-1,dock,DOCK,1\nA-1,reserve,RES,10\n"),
        (("item", "import"), "sku,description,base_uom,uom,factor,gtin\n"
                             "WIDGET,Blue widget,EA,EA,1,9501101530003\n"
                             "WIDGET,Blue widget,EA,CS,12,19501101530000\n"
                             "BOLT,Bolt M8,EA,EA,1,\n"),
        (("order", "import", "--kind", "inbound"),
         "reference,supplier,line_no,sku,quantity\nPO-1,ACME,1,WIDGET,2\n"),
        (("order", "import", "--kind", "outbound"),
         "reference,customer,line_no,sku,quantity\nSO-1,Bistro,1,BOLT,5\n"),
    ]
    for number, (args, content) in enumerate(setup):
        path = tmp_path / f"setup{number}.csv"
        path.write_text(content, encoding="utf-8")
        result = ready(*args, str(path))
        assert result.exit_code == 0, result.output
    result = ready("user", "add", "op1", "--name", "Olga", "--pin-stdin", input="1234\n")
    assert result.exit_code == 0, result.output
    return ready


@pytest.fixture
def snapshot(db: Engine, sql: Sql) -> Snapshot:
    """Every row of every table an import writes, to show a refused file changed nothing."""
    def take() -> dict[str, list[str]]:
        return {t: sorted(map(repr, sql(db, f"SELECT * FROM {t}"))) for t in TABLES}
    return take


def refused(result: Result, errors: list[str]) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == errors
    assert "nothing was changed" in result.stdout


# Row-level problems: the same rows written as CSV and as JSON give the same errors.

ROW_CASES: dict[str, list[tuple[str, Rows, Expected]]] = {
    "locations": [
        ("bad numbers", [
            {"code": "B-1", "type": "reserve", "zone": "RES", "walk_seq": "ten"},
            {"code": "B-2", "type": "pick", "zone": "PICK", "walk_seq": "-1", "capacity": "0"},
        ], lambda r: [
            f"row {r(1)}: walk_seq: 'ten' is not a whole number",
            f"row {r(2)}: walk_seq: -1 is outside 0..1000000000",
            f"row {r(2)}: capacity: 0 is outside 1..1000000000",
        ]),
        ("unknown values", [
            {"code": "B-1", "type": "shelf", "zone": "RES", "walk_seq": "1"},
            {"code": "B-2", "type": "pick", "zone": "R ES", "walk_seq": "2"},
        ], lambda r: [
            f"row {r(1)}: type: 'shelf' must be one of dock, qc, reserve, pick, staging",
            f"row {r(2)}: zone: 'R ES' may only hold letters, digits, _ and -",
        ]),
        ("duplicate references", [
            {"code": "B-1", "type": "reserve", "zone": "RES", "walk_seq": "1", "barcode": ""},
            {"code": "b-1", "type": "pick", "zone": "RES", "walk_seq": "2", "barcode": ""},
            {"code": "B-3", "type": "pick", "zone": "RES", "walk_seq": "3", "barcode": "A-1"},
        ], lambda r: [
            f"row {r(2)}: code: B-1 is a duplicate of row {r(1)} (code)",
            f"row {r(3)}: barcode: A-1 already names location A-1",
        ]),
    ],
    "items": [
        ("bad numbers", [
            {"sku": "NUT", "description": "Nut", "base_uom": "EA", "uom": "BOX",
             "factor": "twelve", "min_qty": "-1"},
            {"sku": "PIN", "description": "Pin", "base_uom": "EA", "uom": "BOX",
             "factor": "2000000", "min_qty": ""},
        ], lambda r: [
            f"row {r(1)}: factor: 'twelve' is not a whole number",
            f"row {r(1)}: min_qty: -1 is outside 0..1000000000",
            f"row {r(2)}: factor: 2000000 is outside 1..1000000",
        ]),
        ("unknown values", [
            {"sku": "NUT", "description": "Nut", "base_uom": "EA", "zone": "",
             "gtin": "9501101530004"},
            {"sku": "PIN", "description": "Pin", "base_uom": "EA", "zone": "NOWHERE",
             "gtin": ""},
        ], lambda r: [
            f"row {r(1)}: gtin: GTIN 9501101530004 has check digit 4; expected 3",
            f"row {r(2)}: zone: there is no zone NOWHERE (import or generate locations first)",
        ]),
        ("duplicate references", [
            {"sku": "NUT", "description": "Nut", "base_uom": "EA", "gtin": ""},
            {"sku": "NUT", "description": "Nut", "base_uom": "EA", "gtin": ""},
            {"sku": "PIN", "description": "Pin", "base_uom": "EA", "gtin": "9501101530003"},
        ], lambda r: [
            f"row {r(2)}: uom: EA of SKU NUT is already on row {r(1)}",
            f"row {r(3)}: gtin: 09501101530003 is already used by SKU WIDGET (EA)",
        ]),
    ],
    "inbound": [
        ("bad numbers", [
            {"reference": "PO-2", "line_no": "0", "sku": "WIDGET", "quantity": "abc",
             "tolerance_pct": "5"},
            {"reference": "PO-2", "line_no": "2", "sku": "WIDGET", "quantity": "1.5",
             "tolerance_pct": "x"},
        ], lambda r: [
            f"row {r(1)}: line_no: 0 is outside 1..9999",
            f"row {r(1)}: quantity: 'abc' is not a whole number",
            f"row {r(2)}: quantity: '1.5' is not a whole number",
            f"row {r(2)}: tolerance_pct: 'x' is not a whole number",
        ]),
        ("bad expiry dates", [
            {"reference": "PO-2", "line_no": "1", "sku": "BOLT", "quantity": "1", "lot": "L1",
             "expiry": "2030-02-30"},
            {"reference": "PO-2", "line_no": "2", "sku": "BOLT", "quantity": "1", "lot": "L2",
             "expiry": "31.01.2030"},
        ], lambda r: [
            f"row {r(1)}: expiry: '2030-02-30' is not a date written YYYY-MM-DD",
            f"row {r(2)}: expiry: '31.01.2030' is not a date written YYYY-MM-DD",
        ]),
        ("unknown SKUs", [
            {"reference": "PO-2", "line_no": "1", "sku": "NOPE", "quantity": "1", "uom": ""},
            {"reference": "PO-2", "line_no": "2", "sku": "WIDGET", "quantity": "1", "uom": "PL"},
        ], lambda r: [
            f"row {r(1)}: sku: no item with SKU, alias or GTIN 'NOPE'",
            f"row {r(2)}: uom: unit 'PL' is not set up for this item (known: CS, EA)",
        ]),
        ("duplicate references", [
            {"reference": "PO-2", "supplier": "ACME", "line_no": "1", "sku": "BOLT",
             "quantity": "1"},
            {"reference": "po-2", "supplier": "ACME", "line_no": "1", "sku": "BOLT",
             "quantity": "2"},
            {"reference": "PO-2", "supplier": "Other", "line_no": "3", "sku": "BOLT",
             "quantity": "2"},
        ], lambda r: [
            f"row {r(2)}: line_no: line 1 of order PO-2 is also on row {r(1)}",
            f"row {r(3)}: supplier: differs from row {r(1)} for order PO-2",
        ]),
    ],
    "outbound": [
        ("bad numbers", [
            {"reference": "SO-2", "line_no": "x", "sku": "BOLT", "quantity": "-3",
             "priority": "1"},
            {"reference": "SO-2", "line_no": "2", "sku": "BOLT", "quantity": "1",
             "priority": "10"},
        ], lambda r: [
            f"row {r(1)}: line_no: 'x' is not a whole number",
            f"row {r(1)}: quantity: -3 is outside 1..1000000000",
            f"row {r(2)}: priority: 10 is outside 1..9",
        ]),
        ("unknown SKUs", [
            {"reference": "SO-2", "line_no": "1", "sku": "NOPE", "quantity": "1"},
            {"reference": "SO-2", "line_no": "2", "sku": "00000000000000", "quantity": "1"},
        ], lambda r: [
            f"row {r(1)}: sku: no item with SKU, alias or GTIN 'NOPE'",
            f"row {r(2)}: sku: no item with SKU, alias or GTIN '00000000000000'",
        ]),
        ("duplicate references", [
            {"reference": "SO-2", "customer": "A", "line_no": "1", "sku": "BOLT",
             "quantity": "1"},
            {"reference": "SO-2", "customer": "A", "line_no": "1", "sku": "WIDGET",
             "quantity": "1"},
            {"reference": "SO-2", "customer": "B", "line_no": "2", "sku": "BOLT",
             "quantity": "1"},
        ], lambda r: [
            f"row {r(2)}: line_no: line 1 of order SO-2 is also on row {r(1)}",
            f"row {r(3)}: customer: differs from row {r(1)} for order SO-2",
        ]),
    ],
    "users": [
        ("bad numbers", [
            {"login": "op2", "pin": "12", "active": "yes"},
            {"login": "op3", "pin": "98765432109", "active": "maybe"},
        ], lambda r: [
            f"row {r(1)}: pin: must be 4 to 8 digits",
            f"row {r(2)}: active: 'maybe' must be true/false, yes/no or 1/0",
            f"row {r(2)}: pin: must be 4 to 8 digits",
        ]),
        ("unknown values", [
            {"login": "op2", "role": "boss", "language": "fr", "pin": "1234"},
            {"login": "op 3", "role": "admin", "language": "en", "pin": "1234"},
            {"login": "op4", "role": "", "language": "", "pin": ""},
        ], lambda r: [
            f"row {r(1)}: role: 'boss' must be operator, supervisor or admin",
            f"row {r(1)}: language: 'fr' must be one of en, zh_CN",
            f"row {r(2)}: login: 'OP 3' may only hold letters, digits, '.', '_' and '-'",
            f"row {r(3)}: pin: a new user needs a PIN of 4 to 8 digits",
        ]),
        ("duplicate references", [
            {"login": "op2", "name": "Otto", "pin": "1234"},
            {"login": "OP2", "name": "Otto", "pin": "1234"},
            {"login": "op3", "name": "x" * 81, "pin": "1234"},
            {"login": "op4", "name": "Bell\x07", "pin": "1234"},
        ], lambda r: [
            f"row {r(2)}: login: OP2 is also on row {r(1)}",
            f"row {r(3)}: name: '{'x' * 30}...' is longer than 80 characters",
            f"row {r(4)}: name: control character 0x07 at position 5",
        ]),
    ],
}
ROW_PARAMS = [
    pytest.param(command, rows, expected, fmt, id=f"{command.name}-{case}-{fmt}")
    for command in COMMANDS
    for case, rows, expected in ROW_CASES[command.name]
    for fmt in ("csv", "json")
]


@pytest.mark.parametrize(("command", "rows", "expected", "fmt"), ROW_PARAMS)
def test_bad_rows_are_numbered_exit_2_and_change_nothing(
    site: Wms, snapshot: Snapshot, tmp_path: Path, command: Command, rows: Rows,
    expected: Expected, fmt: str,
) -> None:
    before = snapshot()
    errors = expected(row_number(fmt))
    path = write(tmp_path, rows, fmt)
    dry = site(*command.args, path, "--dry-run")
    refused(dry, errors)
    assert dry.stdout.startswith(f"dry run: {len(errors)} error(s) in {len(rows)} row(s)")
    real = site(*command.args, path)
    refused(real, errors)
    assert real.stdout.startswith(f"{len(errors)} error(s) in {len(rows)} row(s)")
    assert snapshot() == before


# File-level problems: refused before any row is checked.

def _latin1(command: Command) -> bytes:
    rows = [dict(command.good[0]), *command.good[1:]]
    rows[1] = {**rows[1], command.key: "CAFÉ"}
    return csv_bytes(rows).decode().encode("latin-1")


FILE_CASES: list[tuple[str, str, Callable[[Command], bytes], Callable[[Command, bytes], str]]] = [
    ("missing column", "x.csv",
     lambda c: csv_bytes([{k: v for k, v in r.items() if k != c.key} for r in c.good]),
     lambda c, data: f"missing required column(s): {c.key}"),
    ("unknown column", "x.json",
     lambda c: json_bytes([{**r, "colour": "red"} for r in c.good]),
     lambda c, data: "unknown column(s): colour (known: "),
    ("latin-1 CSV", "x.csv", _latin1,
     lambda c, data: f"x.csv is not UTF-8 text (byte 0xC9 at offset {data.index(0xC9)}) "
                     "on line 3: save it as 'CSV UTF-8'"),
    ("latin-1 JSON", "x.json",
     lambda c: json_bytes([{**c.good[0], c.key: "CAFÉ"}]).decode().encode("latin-1"),
     lambda c, data: f"x.json is not UTF-8 text (byte 0xC9 at offset {data.index(0xC9)}) "
                     "on line 3: save it as UTF-8"),
    ("UTF-16 without BOM", "x.csv", lambda c: csv_bytes(c.good).decode().encode("utf-16-le"),
     lambda c, data: "x.csv looks like UTF-16 text, not UTF-8: NUL byte at offset 1 on line 1"),
    ("UTF-16 with BOM", "x.json", lambda c: json_bytes(c.good).decode().encode("utf-16"),
     lambda c, data: "x.json is UTF-16 text (it starts with a UTF-16 byte-order mark)"),
    ("JSON syntax", "x.json", lambda c: json_bytes(c.good)[:-2],
     lambda c, data: f"x.json: line {len(data.splitlines())} column "),
    ("JSON not an array", "x.json", lambda c: json.dumps(c.good[0]).encode(),
     lambda c, data: "x.json holds an object; it must be a JSON array of objects"),
    ("JSON element not an object", "x.json",
     lambda c: json.dumps([c.good[0], [1, 2], "x"]).encode(),
     lambda c, data: "x.json: row 2 is an array, not an object (and 1 more like it)"),
    ("JSON key twice", "x.json",
     lambda c: json_bytes(c.good).replace(f'"{c.key}"'.encode(), f'"{c.key}": "A", '
                                          f'"{c.key.upper()}"'.encode(), 1),
     lambda c, data: f"x.json: row 1: key(s) written twice: {c.key}"),
    ("JSON read as CSV", "x.txt", lambda c: json_bytes(c.good),
     lambda c, data: "x.txt looks like JSON, not CSV"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
@pytest.mark.parametrize(("name", "make", "message"),
                         [pytest.param(n, m, e, id=case) for case, n, m, e in FILE_CASES])
def test_malformed_files_exit_2_and_change_nothing(
    site: Wms, snapshot: Snapshot, tmp_path: Path, command: Command, name: str,
    make: Callable[[Command], bytes], message: Callable[[Command, bytes], str],
) -> None:
    before = snapshot()
    data = make(command)
    result = site(*command.args, raw(tmp_path, data, name), "--partial")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: ")
    assert message(command, data) in result.stderr, result.stderr
    assert snapshot() == before


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_rows_with_the_wrong_cells_are_numbered(
    site: Wms, snapshot: Snapshot, tmp_path: Path, command: Command, fmt: str
) -> None:
    before = snapshot()
    if fmt == "csv":
        data = csv_bytes(command.good) + b"only-one-cell\n"
        columns = len(data.splitlines()[0].split(b","))
        expected = f"row 4: cells: 1 cells, the header has {columns} columns"
    else:
        data = json_bytes([*command.good, {command.key: ["A", "B"]}])
        expected = f"row 3: {command.key}: an array is not a cell value; write it as text"
    result = site(*command.args, raw(tmp_path, data, f"x.{fmt}"))
    refused(result, [expected])
    assert snapshot() == before


# JSON imports the same as CSV.


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_json_and_csv_files_import_the_same(
    site: Wms, snapshot: Snapshot, tmp_path: Path, db: Engine, sql: Sql, command: Command
) -> None:
    start = snapshot()
    as_json = site(*command.args, write(tmp_path, command.good, "json"))
    assert as_json.exit_code == 0, as_json.output
    after_json = snapshot()
    assert after_json != start
    again = site(*command.args, write(tmp_path, command.good, "csv"))
    assert again.exit_code == 0, again.output
    assert "0 created, " in again.stdout and "0 updated" in again.stdout
    assert snapshot() == after_json


def test_json_numbers_booleans_and_null_read_as_csv_text(
    site: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    items = [
        {"sku": "NUT", "description": "Nut", "base_uom": "EA", "uom": "BOX", "factor": 100,
         "lot_tracked": True, "requires_qc": False, "min_qty": None, "gtin": 9501101530010},
        {"sku": "NUT", "description": "Nut", "base_uom": "EA", "uom": "EA", "lot_tracked": True,
         "requires_qc": False},
    ]
    result = site("item", "import", write(tmp_path, items, "json"))
    assert result.exit_code == 0, result.output
    assert sql(db, "SELECT lot_tracked, requires_qc, min_qty FROM item WHERE sku = 'NUT'") == [
        (True, False, None)]
    assert sql(db, "SELECT u.uom, u.factor, u.gtin FROM item_uom u JOIN item i "
                   "ON i.id = u.item_id WHERE i.sku = 'NUT' ORDER BY u.uom") == [
        ("BOX", 100, "09501101530010"), ("EA", 1, None)]


def test_format_option_overrides_the_file_name(
    site: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    path = raw(tmp_path, json_bytes(LOCATIONS.good), "export.txt")
    result = site("location", "import", path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "2 created" in result.stdout
    wrong = site("location", "import", raw(tmp_path, csv_bytes(LOCATIONS.good), "x.json"),
                 "--format", "csv")
    assert wrong.exit_code == 0, wrong.output
    bad = site("location", "import", path, "--format", "xml")
    assert bad.exit_code == 2


def test_an_empty_json_array_imports_nothing(site: Wms, snapshot: Snapshot, tmp_path: Path) -> None:
    before = snapshot()
    result = site("location", "import", raw(tmp_path, b"[]\n", "x.json"))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "locations: 0 created, 0 unchanged, 0 updated"
    assert snapshot() == before


def test_utf8_bom_is_accepted_in_csv_and_json(site: Wms, tmp_path: Path) -> None:
    for fmt, data in (("csv", csv_bytes(LOCATIONS.good)), ("json", json_bytes(LOCATIONS.good))):
        result = site("location", "import", raw(tmp_path, b"\xef\xbb\xbf" + data, f"b.{fmt}"))
        assert result.exit_code == 0, result.output


# --partial: per-document all or nothing.


def test_partial_imports_clean_orders_and_rejects_the_rest(
    site: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    rows: Rows = [
        {"reference": "SO-A", "line_no": "1", "sku": "BOLT", "quantity": "1"},
        {"reference": "SO-A", "line_no": "2", "sku": "WIDGET", "quantity": "2"},
        {"reference": "SO-B", "line_no": "1", "sku": "BOLT", "quantity": "1"},
        {"reference": "SO-B", "line_no": "2", "sku": "NOPE", "quantity": "1"},
        {"reference": "", "line_no": "1", "sku": "BOLT", "quantity": "1"},
        {"reference": "SO-C", "line_no": "1", "sku": "BOLT", "quantity": "many"},
    ]
    path = write(tmp_path, rows, "csv")
    orders = "SELECT reference FROM outbound_order ORDER BY reference"
    whole = site("order", "import", "--kind", "outbound", path)
    assert whole.exit_code == 2 and "nothing was changed" in whole.stdout
    assert sql(db, orders) == [("SO-1",)]
    dry = site("order", "import", "--kind", "outbound", path, "--partial", "--dry-run")
    assert dry.exit_code == 2
    assert "dry run, nothing was changed: 1 document(s) to import, 3 rejected" in dry.stdout
    assert sql(db, orders) == [("SO-1",)]
    result = site("order", "import", "--kind", "outbound", path, "--partial")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "row 5: sku: no item with SKU, alias or GTIN 'NOPE'",
        "row 6: reference: is empty",
        "row 7: quantity: 'many' is not a whole number",
    ]
    assert result.stdout.strip().splitlines() == [
        "orders: 1 created, 0 unchanged, 0 updated",
        "rejected order SO-B (rows 4, 5)",
        "rejected row 6 (no reference)",
        "rejected order SO-C (row 7)",
        "1 document(s) imported, 3 rejected; outbound order lines: 2 created, 0 unchanged, "
        "0 updated",
    ]
    assert sql(db, orders) == [("SO-1",), ("SO-A",)]
    assert sql(db, "SELECT count(*) FROM outbound_line") == [(3,)]


def test_partial_takes_an_item_with_all_its_units_or_none_of_them(
    site: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    rows = [
        {"sku": "NUT", "description": "Nut", "base_uom": "EA", "uom": "EA", "factor": 1},
        {"sku": "NUT", "description": "Nut", "base_uom": "EA", "uom": "BOX", "factor": 0},
        {"sku": "PIN", "description": "Pin", "base_uom": "EA", "uom": "EA", "factor": 1},
        {"sku": "PIN", "description": "Pin", "base_uom": "EA", "uom": "BOX", "factor": 50},
    ]
    result = site("item", "import", write(tmp_path, rows, "json"), "--partial")
    assert result.exit_code == 2
    assert result.stderr.strip() == "row 2: factor: 0 is outside 1..1000000"
    assert "rejected item NUT (rows 1, 2)" in result.stdout
    assert "1 document(s) imported, 1 rejected; items: 1 created" in result.stdout
    assert sql(db, "SELECT i.sku, u.uom FROM item_uom u JOIN item i ON i.id = u.item_id "
                   "WHERE i.sku IN ('NUT', 'PIN') ORDER BY i.sku, u.uom") == [
        ("PIN", "BOX"), ("PIN", "EA")]


@pytest.mark.parametrize("command", COMMANDS, ids=[c.name for c in COMMANDS])
def test_partial_of_a_clean_file_imports_everything_and_exits_0(
    site: Wms, tmp_path: Path, command: Command
) -> None:
    result = site(*command.args, write(tmp_path, command.good, "csv"), "--partial")
    assert result.exit_code == 0, result.output
    documents = len({str(r[command.key]).upper() for r in command.good})
    assert f"{documents} document(s) imported, 0 rejected; " in result.stdout


def test_partial_location_rows_are_documents_of_their_own(
    site: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    rows: Rows = [
        {"code": "B-1", "type": "reserve", "zone": "NEW", "walk_seq": "1", "barcode": ""},
        {"code": "B-2", "type": "pick", "zone": "ODD", "walk_seq": "2", "barcode": "A-1"},
    ]
    result = site("location", "import", write(tmp_path, rows, "csv"), "--partial")
    assert result.exit_code == 2
    assert "rejected location B-2 (row 3)" in result.stdout
    # Only the zone the imported location names is created.
    assert "zone(s) created: NEW" in result.stdout
    assert sql(db, "SELECT code FROM zone WHERE code IN ('NEW', 'ODD')") == [("NEW",)]


# The progress bar.


def test_every_import_reports_progress(
    site: Wms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int, int]] = []

    @contextmanager
    def recording(rows: int, label: str) -> Iterator[Callable[[int], None]]:
        steps = [0]
        yield lambda n: steps.__setitem__(0, steps[0] + n)
        calls.append((label, rows, steps[0]))

    monkeypatch.setattr(cli, "_progress", recording)
    for command in COMMANDS:
        for fmt in ("csv", "json"):
            result = site(*command.args, write(tmp_path, command.good, fmt))
            assert result.exit_code == 0, result.output
    # Each row is checked once and written once, in both formats.
    assert calls == [(label, 2, 4) for label in ("locations", "locations", "items", "items",
                                                 "order lines", "order lines", "order lines",
                                                 "order lines", "users", "users")]


def test_the_bar_shows_on_a_terminal_for_long_files(
    site: Wms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    screen = io.StringIO()
    monkeypatch.setattr(cli, "PROGRESS_MIN_ROWS", 2)
    monkeypatch.setattr(cli, "_out", lambda: Console(file=screen, force_terminal=True))
    result = site("location", "import", write(tmp_path, LOCATIONS.good, "json"))
    assert result.exit_code == 0, result.output
    assert "locations" in screen.getvalue() and "4/4" in screen.getvalue()
    screen.truncate(0)
    monkeypatch.setattr(cli, "PROGRESS_MIN_ROWS", 3)
    assert site("location", "import", write(tmp_path, LOCATIONS.good, "csv")).exit_code == 0
    assert screen.getvalue() == ""
