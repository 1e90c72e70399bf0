"""Reading import files: CSV and JSON into the same numbered table, encodings refused clearly."""

from __future__ import annotations

import re

import pytest

from wms_tui.domain.errors import BadInput
from wms_tui.domain.import_files import (
    CsvRow,
    decode_text,
    format_for,
    read_csv,
    read_json,
    read_table,
    table_of,
)


def test_json_values_become_the_text_a_csv_cell_would_hold() -> None:
    data = (b'[{" SKU ": "A", "Factor": 12, "min_qty": 1.50, "lot_tracked": true,'
            b' "requires_qc": false, "zone": null},\n {"sku": "B", "extra": "x"}]')
    table = read_json(data, "x.json")
    assert table.columns == ("sku", "factor", "min_qty", "lot_tracked", "requires_qc", "zone",
                             "extra")
    assert [(r.number, r.cells) for r in table.rows] == [
        (1, {"sku": "A", "factor": "12", "min_qty": "1.50", "lot_tracked": "true",
             "requires_qc": "false", "zone": "", "extra": ""}),
        # A key an object leaves out is an empty cell, as null is.
        (2, {"sku": "B", "factor": "", "min_qty": "", "lot_tracked": "", "requires_qc": "",
             "zone": "", "extra": "x"}),
    ]
    assert table.errors == ()


def test_json_rows_are_numbered_from_1_and_blank_objects_skipped() -> None:
    table = read_json(b'[{"code": "A"}, {}, {"code": null}, {"code": "D"}]')
    assert [(r.number, r.cells["code"]) for r in table.rows] == [(1, "A"), (4, "D")]


def test_nested_json_values_are_row_errors_with_the_readable_cells_kept() -> None:
    table = read_json(b'[{"code": "A"}, {"code": "B", "aisle": [1], "bay": {"x": 1}}]')
    assert [r.number for r in table.rows] == [1]
    assert table.errors == (
        "row 2: aisle: an array is not a cell value; write it as text",
        "row 2: bay: an object is not a cell value; write it as text",
    )
    assert table.broken == (CsvRow(2, {"code": "B"}),)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'[{"code": "A"},\n {"code": "B"', "x.json: line 2 column 14: not valid JSON "
                                            "(Expecting ',' delimiter)"),
        (b"[{'code': 'A'}]", "x.json: line 1 column 3: not valid JSON"),
        (b'{"code": "A"}', "x.json holds an object; it must be a JSON array of objects"),
        (b'"code"', "x.json holds a string; it must be a JSON array"),
        (b"12", "x.json holds a number; it must be a JSON array"),
        (b'[{"code": "A"}, 7]', "x.json: row 2 is a number, not an object: each row must be"),
        (b'[[], null, "x"]', "x.json: row 1 is an array, not an object (and 2 more like it)"),
        (b'[{"code": "A", "CODE ": "B"}]', "x.json: row 1: key(s) written twice: code"),
        (b'[{"walk seq": 1}]', "x.json: row 1: key 'walk seq' is not a column name"),
        (b'[{"code": NaN}]', "x.json: NaN is not a JSON number"),
        (b"  \n", "x.json is empty: it must be a JSON array of objects"),
        (b"[" * 100_000, "x.json: not valid JSON (nested too deeply)"),
    ],
)
def test_json_files_that_are_not_an_array_of_flat_objects_are_refused(
    data: bytes, message: str
) -> None:
    with pytest.raises(BadInput, match=re.escape(message)):
        read_json(data, "x.json")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("code\nCAFÉ\n".encode("latin-1"),
         "x.csv is not UTF-8 text (byte 0xC9 at offset 8) on line 2: save it as 'CSV UTF-8'"),
        ("code\nA\nB\n".encode("utf-16-le"),
         "x.csv looks like UTF-16 text, not UTF-8: NUL byte at offset 1 on line 1"),
        ("code\n".encode("utf-16"),
         "x.csv is UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8"),
        (b"code\nA\x00\n", "x.csv is not a text file: NUL byte at offset 6 on line 2"),
        (b"\xef\xbb\xbfcode\n\xff\n",
         "x.csv is not UTF-8 text (byte 0xFF at offset 8) on line 2"),
    ],
)
def test_files_that_are_not_utf8_name_the_byte_and_line(data: bytes, message: str) -> None:
    with pytest.raises(BadInput, match=re.escape(message)):
        decode_text(data, "x.csv", "save it as 'CSV UTF-8'")


def test_a_utf8_bom_is_dropped_in_both_formats() -> None:
    assert decode_text(b"\xef\xbb\xbfcode", "x", "") == "code"
    assert read_json(b'\xef\xbb\xbf[{"code": "A"}]').rows[0].cells == {"code": "A"}


def test_format_follows_the_file_name_unless_one_is_asked_for() -> None:
    assert format_for("orders.JSON") == "json"
    assert format_for("orders.csv") == "csv"
    assert format_for("orders.txt") == "csv"
    assert format_for("orders.csv", "JSON") == "json"
    with pytest.raises(BadInput, match="format 'xml' must be one of csv, json"):
        format_for("orders.csv", "xml")
    assert read_table(b'[{"a": 1}]', "x", "json").rows[0].cells == {"a": "1"}


def test_csv_that_is_json_says_so() -> None:
    with pytest.raises(BadInput, match=re.escape("looks like JSON, not CSV")):
        read_csv(b'  [{"code": "A"}]')


def test_csv_rows_with_the_wrong_cells_keep_what_they_have() -> None:
    table = read_csv(b"code,type\nA,pick\nB\n")
    assert table.errors == ("row 3: cells: 1 cells, the header has 2 columns",)
    assert table.broken == (CsvRow(3, {"code": "B"}),)


def test_rows_given_as_mappings_are_numbered_as_a_spreadsheet() -> None:
    table = table_of([{"Code": "A"}, {"Code": " "}, {"Code": "C", None: ["x"]}])
    assert [(r.number, r.cells) for r in table.rows] == [(2, {"code": "A"})]
    assert table.errors == ("row 4: cells: the number of cells differs from the header",)
    assert table.broken == (CsvRow(4, {"code": "C"}),)
    with pytest.raises(BadInput, match="no rows"):
        table_of([])
