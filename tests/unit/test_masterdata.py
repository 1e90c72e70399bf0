"""Pure parts of the master data services: CSV reading, walk order, times, reports."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from wms_tui.domain.errors import BadInput
from wms_tui.domain.masterdata import ImportReport, parse_instant, read_csv, serpentine


def test_read_csv_numbers_rows_as_a_spreadsheet_does() -> None:
    data = b"\xef\xbb\xbfCode, Type \nA-1,reserve\n\n,\nB-1,pick\nC-1\n"
    table = read_csv(data, "x.csv")
    assert table.columns == ("code", "type")
    assert [(r.number, r.cells["code"]) for r in table.rows] == [(2, "A-1"), (5, "B-1")]
    assert table.errors == ("row 6: cells: 1 cells, the header has 2 columns",)


def test_read_csv_keeps_quoted_commas_and_newlines() -> None:
    table = read_csv(b'sku,description\nA,"Bolt, M8\nzinc"\nB,x\n')
    assert table.rows[0].cells["description"] == "Bolt, M8\nzinc"
    assert table.rows[1].number == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"code\n\xff\n", "not UTF-8 text (byte 0xFF at offset 5)"),
        (b"code\nA\x00\n", "NUL"),
        (b"", "is empty"),
        (b"code,,type\n", "column 2 has no valid name"),
        (b"code,Code\n", "named twice: code"),
    ],
)
def test_read_csv_refuses_files_it_cannot_trust(data: bytes, message: str) -> None:
    with pytest.raises(BadInput, match=re.escape(message)):
        read_csv(data, "x.csv")


def test_serpentine_turns_round_at_the_end_of_every_aisle() -> None:
    slots = serpentine(["A", "B", "C", "D"], ["01", "02"], ["1", "2"], ["1"])
    assert [s.code for s in slots] == [
        "A-01-1-1", "A-01-2-1", "A-02-1-1", "A-02-2-1",
        "B-02-1-1", "B-02-2-1", "B-01-1-1", "B-01-2-1",
        "C-01-1-1", "C-01-2-1", "C-02-1-1", "C-02-2-1",
        "D-02-1-1", "D-02-2-1", "D-01-1-1", "D-01-2-1",
    ]


def test_serpentine_follows_aisles_in_the_order_given_with_positions_and_prefix() -> None:
    slots = serpentine(["C", "A"], ["1", "2"], ["1"], ["1", "2"], prefix="R")
    assert [s.code for s in slots] == [
        "RC-1-1-1", "RC-1-1-2", "RC-2-1-1", "RC-2-1-2",
        "RA-2-1-1", "RA-2-1-2", "RA-1-1-1", "RA-1-1-2",
    ]
    assert (slots[4].aisle, slots[4].bay, slots[4].level) == ("A", "2", "1")


def test_parse_instant_reads_dates_and_times_as_utc() -> None:
    assert parse_instant("2024-05-01", "--since") == datetime(2024, 5, 1, tzinfo=UTC)
    assert parse_instant("2024-05-01T10:00+02:00", "--since") == datetime(
        2024, 5, 1, 8, tzinfo=UTC
    )
    assert parse_instant("2024-05-01T08:00:00Z", "--until") == datetime(2024, 5, 1, 8, tzinfo=UTC)
    with pytest.raises(BadInput, match="--until: '5 May' is not an ISO date"):
        parse_instant("5 May", "--until")


def test_report_counts_and_summaries() -> None:
    report = ImportReport("items", rows=3)
    assert report.count(None, "x") is True
    assert report.count("x", "x") is False
    assert report.count("x", "y") is True
    assert report.summary() == "items: 1 created, 1 unchanged, 1 updated"
    report.dry_run = True
    assert report.summary().startswith("dry run, nothing was changed: 3 row(s) valid")
    report.errors += ["row 10: sku: is empty", "row 9: sku: is empty", "row 9: uom: bad"]
    report.sort_errors()
    assert report.errors == ["row 9: sku: is empty", "row 9: uom: bad", "row 10: sku: is empty"]
    assert report.summary() == "dry run: 3 error(s) in 3 row(s); nothing was changed"
