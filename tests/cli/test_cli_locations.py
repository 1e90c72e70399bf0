"""`wms location import` and `wms location generate`: validation, all-or-nothing, idempotence."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.cli.conftest import MakeWms, Sql, Wms
from wms_tui.db.engine import make_engine
from wms_tui.domain.checkdigits import location_check_digits

HEADER = "code,barcode,type,zone,walk_seq,aisle,bay,level,capacity\n"
GOOD = HEADER + (
    "DOCK-1,,dock,DOCK,1,,,,\n"
    "A-01-01-1,LA010101,reserve,RES,10,A,01,01,500\n"
    "a-01-02-1,,Reserve,res,11,A,01,02,\n"
    "P-01-01-1,,pick,PICK,20,P,01,01,100\n"
)
ALL_LOCATIONS = (
    "SELECT l.code, l.barcode, l.check_digits, l.type, z.code, l.walk_seq, l.capacity "
    "FROM location l LEFT JOIN zone z ON z.id = l.zone_id ORDER BY l.walk_seq, l.code"
)


def csv_file(tmp_path: Path, content: str | bytes, name: str = "locations.csv") -> str:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return str(path)


def test_import_creates_locations_zones_and_check_digits(
    ready: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    result = ready("location", "import", csv_file(tmp_path, GOOD))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "locations: 4 created, 0 unchanged, 0 updated; zone(s) created: DOCK, PICK, RES"
    )
    assert sql(db, ALL_LOCATIONS) == [
        ("DOCK-1", "DOCK-1", location_check_digits("DOCK-1"), "dock", "DOCK", 1, None),
        ("A-01-01-1", "LA010101", location_check_digits("A-01-01-1"), "reserve", "RES", 10, 500),
        ("A-01-02-1", "A-01-02-1", location_check_digits("A-01-02-1"), "reserve", "RES", 11, None),
        ("P-01-01-1", "P-01-01-1", location_check_digits("P-01-01-1"), "pick", "PICK", 20, 100),
    ]


def test_reimport_is_idempotent(ready: Wms, tmp_path: Path) -> None:
    path = csv_file(tmp_path, GOOD)
    assert ready("location", "import", path).exit_code == 0
    again = ready("location", "import", path)
    assert again.exit_code == 0
    assert "0 created, 4 unchanged, 0 updated" in again.stdout


def test_dry_run_reports_and_changes_nothing(
    ready: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    result = ready("location", "import", csv_file(tmp_path, GOOD), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "dry run, nothing was changed" in result.stdout
    assert "4 to create" in result.stdout
    assert sql(db, "SELECT count(*) FROM location") == [(0,)]
    assert sql(db, "SELECT count(*) FROM zone") == [(0,)]


def test_changed_row_updates_and_absent_column_keeps_stored_value(
    ready: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    assert ready("location", "import", csv_file(tmp_path, GOOD)).exit_code == 0
    # No capacity or barcode column: those stay as they are; the type changes.
    changed = "code,type,zone,walk_seq\nA-01-01-1,pick,RES,10\nDOCK-1,dock,DOCK,1\n"
    result = ready("location", "import", csv_file(tmp_path, changed, "changed.csv"))
    assert result.exit_code == 0, result.output
    assert "0 created, 1 unchanged, 1 updated" in result.stdout
    assert sql(db, "SELECT barcode, type, capacity FROM location WHERE code = 'A-01-01-1'") == [
        ("LA010101", "pick", 500)
    ]


def test_row_errors_are_numbered_and_nothing_is_written(
    ready: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    bad = HEADER + (
        "GOOD-1,,reserve,RES,1,,,,\n"            # row 2: fine
        "B-1,,shelf,RES,x2,,,,0\n"               # row 3: bad type, walk_seq, capacity
        "GOOD-1,,reserve,RES,3,,,,\n"            # row 4: duplicate code
        "C-1,GOOD-1,reserve,RES,4,,,,\n"         # row 5: barcode is row 2's code
        "D-1,,reserve,RES,5,,,,1.5\n"            # row 6: capacity not whole
        "E 1,,reserve,RES,6,,,,\n"               # row 7: space in code
        f"{'F' * 31},,reserve,RES,7,,,,\n"       # row 8: code too long
        "G-1,,reserve,R\x07S,8,,,,\n"            # row 9: control character
        "H-1,,reserve,RES,9,,,\n"                # row 10: missing a cell
        ",,reserve,RES,10,,,,\n"                 # row 11: empty code
    )
    result = ready("location", "import", csv_file(tmp_path, bad))
    assert result.exit_code == 2
    errors = result.stderr.strip().splitlines()
    assert errors == [
        "row 3: type: 'shelf' must be one of dock, qc, reserve, pick, staging",
        "row 3: walk_seq: 'x2' is not a whole number",
        "row 3: capacity: 0 is outside 1..1000000000",
        "row 4: code: GOOD-1 is a duplicate of row 2 (code)",
        "row 5: barcode: GOOD-1 is a duplicate of row 2 (code)",
        "row 6: capacity: '1.5' is not a whole number",
        "row 7: code: 'E 1' may only hold letters, digits and . _ / -",
        f"row 8: code: '{'F' * 30}...' is longer than 30 characters",
        "row 9: zone: control character 0x07 at position 2",
        "row 10: cells: 8 cells, the header has 9 columns",
        "row 11: code: is empty",
    ]
    assert "11 error(s) in 9 row(s); nothing was changed" in result.stdout
    assert sql(db, "SELECT count(*) FROM location") == [(0,)]
    assert sql(db, "SELECT count(*) FROM zone") == [(0,)]


def test_dry_run_with_errors_lists_them_and_exits_2(
    ready: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    bad = HEADER + "A-1,,reserve,RES,1,,,,\nA-1,,reserve,RES,2,,,,\n"
    result = ready("location", "import", csv_file(tmp_path, bad), "--dry-run")
    assert result.exit_code == 2
    assert "row 3: code: A-1 is a duplicate of row 2 (code)" in result.stderr
    assert "dry run: 1 error(s) in 2 row(s)" in result.stdout
    assert sql(db, "SELECT count(*) FROM location") == [(0,)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("code,type,zone\nA-1,reserve,RES\n", "missing required column(s): walk_seq"),
        ("code,type,zone,walk_seq,colour\nA-1,reserve,RES,1,red\n", "unknown column(s): colour"),
        ("code,type,code,walk_seq\n", "column(s) named twice: code"),
        ("", "is empty"),
        ("code,barcode,type,zone,walk_seq\nA-1,\"unterminated,reserve,RES,1\n", "not valid CSV"),
    ],
)
def test_file_level_problems_exit_2(
    ready: Wms, db: Engine, sql: Sql, tmp_path: Path, content: str, message: str
) -> None:
    result = ready("location", "import", csv_file(tmp_path, content))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert sql(db, "SELECT count(*) FROM location") == [(0,)]


def test_latin1_file_is_refused_with_a_clear_message(
    ready: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    content = (HEADER + "CAFÉ-1,,reserve,RES,1,,,,\n").encode("latin-1")
    result = ready("location", "import", csv_file(tmp_path, content))
    assert result.exit_code == 2
    assert "is not UTF-8 text (byte 0xC9" in result.stderr
    assert "save it as 'CSV UTF-8'" in result.stderr
    assert sql(db, "SELECT count(*) FROM location") == [(0,)]


def test_utf8_with_bom_is_accepted(ready: Wms, tmp_path: Path) -> None:
    content = ("\ufeff" + HEADER + "A-1,,reserve,RES,1,,,,\n").encode("utf-8")
    result = ready("location", "import", csv_file(tmp_path, content))
    assert result.exit_code == 0, result.output


def test_missing_file_is_bad_input(ready: Wms, tmp_path: Path) -> None:
    result = ready("location", "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_barcode_of_another_stored_location_is_refused(ready: Wms, tmp_path: Path) -> None:
    assert ready("location", "import", csv_file(tmp_path, GOOD)).exit_code == 0
    clash = HEADER + "X-1,LA010101,reserve,RES,50,,,,\nX-2,DOCK-1,reserve,RES,51,,,,\n"
    result = ready("location", "import", csv_file(tmp_path, clash, "clash.csv"))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "row 2: barcode: LA010101 already names location A-01-01-1",
        "row 3: barcode: DOCK-1 already names location DOCK-1",
    ]


def generated(sql: Sql, db: Engine) -> list[str]:
    query = "SELECT code FROM location WHERE walk_seq > 100 ORDER BY walk_seq"
    return [code for (code,) in sql(db, query)]


def test_generate_walks_serpentine_after_the_highest_walk_sequence(
    ready: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    existing = HEADER + "DOCK-1,,dock,DOCK,100,,,,\n"
    assert ready("location", "import", csv_file(tmp_path, existing)).exit_code == 0
    result = ready("location", "generate", "--zone", "res", "--type", "reserve",
                   "--aisles", "A-C", "--bays", "1-3", "--levels", "1-2", "--capacity", "40")
    assert result.exit_code == 0, result.output
    assert "locations: 18 created, 0 unchanged, 0 updated; zone(s) created: RES" in result.stdout
    assert "new: A-01-01-1 .. C-03-02-1, walk sequence 101..118" in result.stdout
    assert generated(sql, db) == [
        # 1st aisle: bays up, levels up inside each bay.
        "A-01-01-1", "A-01-02-1", "A-02-01-1", "A-02-02-1", "A-03-01-1", "A-03-02-1",
        # 2nd aisle: bays come back down, levels still go up.
        "B-03-01-1", "B-03-02-1", "B-02-01-1", "B-02-02-1", "B-01-01-1", "B-01-02-1",
        # 3rd aisle: up again.
        "C-01-01-1", "C-01-02-1", "C-02-01-1", "C-02-02-1", "C-03-01-1", "C-03-02-1",
    ]
    assert sql(db, "SELECT min(walk_seq), max(walk_seq), count(*) FROM location "
                   "WHERE walk_seq > 100") == [(101, 118, 18)]
    assert sql(db, "SELECT aisle, bay, level, type, capacity, check_digits FROM location "
                   "WHERE code = 'B-03-02-1'") == [
        ("B", "03", "02", "reserve", 40, location_check_digits("B-03-02-1"))
    ]


def test_generate_again_changes_nothing_and_keeps_walk_sequences(
    ready: Wms, db: Engine, sql: Sql
) -> None:
    args = ("location", "generate", "--zone", "RES", "--aisles", "A-B", "--bays", "1-2",
            "--levels", "1")
    assert ready(*args).exit_code == 0
    before = sql(db, "SELECT code, walk_seq FROM location ORDER BY code")
    again = ready(*args)
    assert again.exit_code == 0
    assert "0 created, 4 unchanged, 0 updated" in again.stdout
    assert sql(db, "SELECT code, walk_seq FROM location ORDER BY code") == before
    wider = ready("location", "generate", "--zone", "RES", "--aisles", "A-C", "--bays", "1-2",
                  "--levels", "1")
    assert "2 created, 4 unchanged, 0 updated" in wider.stdout
    query = "SELECT code, walk_seq FROM location WHERE code LIKE 'C-%' ORDER BY walk_seq"
    assert sql(db, query) == [("C-01-01-1", 5), ("C-02-01-1", 6)]


def test_generate_positions_prefix_and_numeric_aisles(ready: Wms, db: Engine, sql: Sql) -> None:
    result = ready("location", "generate", "--zone", "PF", "--type", "pick", "--prefix", "p",
                   "--aisles", "1-2", "--bays", "9-10", "--levels", "1", "--positions", "1-2")
    assert result.exit_code == 0, result.output
    assert [c for (c,) in sql(db, "SELECT code FROM location ORDER BY walk_seq")] == [
        "P01-09-01-1", "P01-09-01-2", "P01-10-01-1", "P01-10-01-2",
        "P02-10-01-1", "P02-10-01-2", "P02-09-01-1", "P02-09-01-2",
    ]


def test_generate_dry_run_changes_nothing(ready: Wms, db: Engine, sql: Sql) -> None:
    result = ready("location", "generate", "--zone", "RES", "--aisles", "A", "--bays", "1-5",
                   "--levels", "1-2", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "10 to create" in result.stdout
    assert sql(db, "SELECT count(*) FROM location") == [(0,)]
    assert sql(db, "SELECT count(*) FROM zone") == [(0,)]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--bays", "10-1", "range 10-1 runs backwards"),
        ("--bays", "A-C", "is not a range of numbers"),
        ("--aisles", "A-AB", "is not a range of numbers or single letters"),
        ("--levels", "1,1", "names a value twice"),
        ("--type", "shelf", "type 'shelf' must be one of"),
        ("--zone", "R S", "zone 'R S' must be"),
        ("--bays", "1-999", "generate at most"),
    ],
)
def test_generate_bad_options_exit_2(
    ready: Wms, db: Engine, sql: Sql, option: str, value: str, message: str
) -> None:
    args = {"--zone": "RES", "--aisles": "A-Z", "--bays": "1-10", "--levels": "1-4",
            "--type": "reserve"}
    args[option] = value
    result = ready("location", "generate", *[x for kv in args.items() for x in kv])
    assert result.exit_code == 2
    assert message in result.stderr
    assert sql(db, "SELECT count(*) FROM location") == [(0,)]


def test_generate_refuses_a_code_that_is_another_locations_barcode(
    ready: Wms, db: Engine, sql: Sql, tmp_path: Path
) -> None:
    clash = HEADER + "DOCK-1,A-01-01-1,dock,DOCK,1,,,,\n"
    assert ready("location", "import", csv_file(tmp_path, clash)).exit_code == 0
    result = ready("location", "generate", "--zone", "RES", "--aisles", "A", "--bays", "1",
                   "--levels", "1-2")
    assert result.exit_code == 2
    assert "A-01-01-1: already names location DOCK-1" in result.stderr
    assert sql(db, "SELECT count(*) FROM location") == [(1,)]


@pytest.mark.postgres
def test_import_and_generate_on_postgres(
    make_wms: MakeWms, pg_url: str, sql: Sql, tmp_path: Path
) -> None:
    wms = make_wms(pg_url)
    assert wms("init").exit_code == 0
    path = csv_file(tmp_path, GOOD)
    first = wms("location", "import", path)
    assert first.exit_code == 0, first.output
    assert "4 created" in first.stdout
    assert "0 created, 4 unchanged" in wms("location", "import", path).stdout
    bad = wms("location", "import", csv_file(tmp_path, HEADER + "Q-1,,x,RES,1,,,,\n", "b.csv"))
    assert bad.exit_code == 2
    generated_run = wms("location", "generate", "--zone", "RES", "--aisles", "A-B", "--bays",
                        "1-2", "--levels", "1")
    assert generated_run.exit_code == 0, generated_run.output
    engine = make_engine(pg_url)
    try:
        assert [c for (c,) in sql(engine, "SELECT code FROM location WHERE walk_seq > 20 "
                                          "ORDER BY walk_seq")] == [
            "A-02-01-1", "B-02-01-1", "B-01-01-1"
        ]
    finally:
        engine.dispose()
