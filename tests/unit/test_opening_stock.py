"""Opening stock rules on the in-memory fakes: rows checked all at once, receipts posted in
batches with one key per row, a crash half-way resumed exactly, and the file read as a stream."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from typing import IO, Self

import pytest

from tests.fakes import FakeStock, FakeUnitOfWork
from wms_tui.domain import import_stream
from wms_tui.domain.errors import BadInput, PermissionDenied
from wms_tui.domain.import_files import CsvRow, CsvTable
from wms_tui.domain.import_stream import BrokenRow, RowSource, csv_source, table_source
from wms_tui.domain.model import (
    Actor,
    BalanceKey,
    ItemRef,
    LocationRef,
    LocationType,
    MovementKind,
    MovementRecord,
    Role,
    StockStatus,
)
from wms_tui.domain.opening_stock import (
    OPENING_REASON,
    OpeningReport,
    import_opening_stock,
    line_key,
)
from wms_tui.domain.stock import ledger_mismatches

ADMIN = Actor(1, "ADM1", Role.ADMIN)
OPERATOR = Actor(2, "OP1", Role.OPERATOR)
WIDGET, MILK, PHONE = 10, 11, 12
A1, A2 = 20, 21
HEADER = "sku,location,quantity,uom,lot,expiry,lpn,status,serials"


class OpeningFakeStock(FakeStock):
    def moved_besides(self, reason_code: str) -> bool:
        return any(m.reason_code != reason_code for m in self.state.movements)


class ReceivedSerials:
    """What a receipt stores of its serials (domain.serials.store_received_serials uses
    add_in_stock and link only): (item, serial) -> location, and the movements linked."""

    def __init__(self) -> None:
        self.in_stock: dict[tuple[int, str], int] = {}
        self.links: list[tuple[int, int]] = []

    def add_in_stock(self, item_id: int, serial: str, *, location_id: int, lpn_id: int | None,
                     lot_id: int | None) -> int | None:
        if (item_id, serial) in self.in_stock:
            return None
        self.in_stock[item_id, serial] = location_id
        return len(self.in_stock)

    def link(self, serial_id: int, movement_id: int) -> None:
        self.links.append((serial_id, movement_id))


class OpeningFakeUow(FakeUnitOfWork):
    """The fake unit of work with the one read opening stock adds; commit can be made to fail."""

    stock: OpeningFakeStock
    fail_at_commit: int | None = None
    # Kept across transactions (set by site()), as the test looks at what was stored.
    serials: ReceivedSerials

    def __enter__(self) -> Self:
        super().__enter__()
        self.stock = OpeningFakeStock(self._work)
        return self

    def commit(self) -> None:
        if self.fail_at_commit is not None and self.commits + 1 >= self.fail_at_commit:
            raise RuntimeError("power cut")
        super().commit()


def site() -> OpeningFakeUow:
    uow = OpeningFakeUow()
    uow.serials = ReceivedSerials()
    state = uow.committed
    state.items[WIDGET] = ItemRef(WIDGET, "WIDGET", "Blue widget", "EA", False, False, False)
    state.items[MILK] = ItemRef(MILK, "MILK", "Milk 1L", "EA", True, True, False)
    state.items[PHONE] = ItemRef(PHONE, "PHONE", "Phone", "EA", False, False, True)
    state.units[WIDGET] = {"EA": 1, "CS": 12}
    for loc_id, code in ((A1, "A-01-01-1"), (A2, "A-01-02-1")):
        state.locations[loc_id] = LocationRef(loc_id, code, code, "00", LocationType.RESERVE, 1)
    state.reasons.add(OPENING_REASON)
    state.last_id = 100
    return uow


def csv_file(text: str) -> RowSource:
    data = text.encode()
    return csv_source(lambda: io.BytesIO(data), "stock.csv")


def load(uow: OpeningFakeUow, text: str, *, dry_run: bool = False, partial: bool = False,
         allow_existing: bool = False, batch_size: int = 1000) -> OpeningReport:
    return import_opening_stock(lambda: uow, ADMIN, csv_file(text), dry_run=dry_run,
                                partial=partial, allow_existing=allow_existing,
                                batch_size=batch_size)


def balances(uow: OpeningFakeUow) -> dict[BalanceKey, int]:
    return {key: row.quantity for key, row in uow.committed.balances.items()}


def test_each_row_posts_one_opening_receipt_in_base_units() -> None:
    uow = site()
    report = load(uow, f"{HEADER}\nWIDGET,A-01-01-1,2,CS,,,,,\n"
                       "MILK,a-01-02-1,5,,L1,2031-01-31,PAL-1,qc_hold,\n"
                       "PHONE,A-01-01-1,2,,,,,damaged,S1;S2\n")
    assert report.errors == [] and (report.posted, report.already) == (3, 0)
    moves = uow.committed.movements
    assert [(m.kind, m.item_id, m.quantity, m.to_location_id, m.to_status, m.reason_code,
             m.reference) for m in moves] == [
        (MovementKind.RECEIVE, WIDGET, 24, A1, StockStatus.AVAILABLE, "OPENING", "OPENING row 2"),
        (MovementKind.RECEIVE, MILK, 5, A2, StockStatus.QC_HOLD, "OPENING", "OPENING row 3"),
        (MovementKind.RECEIVE, PHONE, 2, A1, StockStatus.DAMAGED, "OPENING", "OPENING row 4"),
    ]
    lot_id, expiry = uow.committed.lots[MILK, "L1"]
    assert expiry == date(2031, 1, 31)
    lpn = next(iter(uow.committed.lpns.values()))
    assert (lpn.code, lpn.location_id) == ("PAL-1", A2)
    assert balances(uow)[BalanceKey(MILK, A2, lot_id, lpn.id, StockStatus.QC_HOLD)] == 5
    assert uow.serials.in_stock == {(PHONE, "S1"): A1, (PHONE, "S2"): A1}
    with uow:
        assert ledger_mismatches(uow) == []


def test_every_problem_is_reported_at_once_and_nothing_posts() -> None:
    uow = site()
    report = load(uow, f"{HEADER}\n"
                       "NOPE,A-01-01-1,1,,,,,,\n"
                       "WIDGET,Z-99,0,,,,,,\n"
                       "WIDGET,A-01-01-1,1,PAL,,,,lost,\n"
                       "MILK,A-01-01-1,-2,,,2031-02-30,,,\n"
                       "PHONE,A-01-01-1,3,,,,,,S1;S2\n"
                       "WIDGET,A-01-01-1\n")
    assert report.errors == [
        "row 2: sku: no item with SKU, alias or GTIN 'NOPE'",
        "row 3: quantity: must be more than 0, not '0'",
        "row 3: location: no location 'Z-99'",
        "row 4: status: 'lost' must be one of available, qc_hold, damaged, blocked",
        "row 4: uom: unit 'PAL' is not set up for this item (known: CS, EA)",
        "row 5: quantity: must be more than 0, not '-2'",
        "row 5: expiry: '2031-02-30' is not a date written YYYY-MM-DD",
        "row 5: lot: MILK is lot-tracked: a lot is needed",
        "row 6: serials: PHONE is serial-tracked: 3 EA need 3 serial(s), 2 given",
        "row 7: cells: 2 cells, the header has 9 columns",
    ]
    assert report.summary() == "10 error(s) in 6 line(s); nothing was posted"
    assert uow.committed.movements == [] and uow.commits == 0


def test_rows_that_contradict_earlier_rows_name_them() -> None:
    uow = site()
    report = load(uow, f"{HEADER}\n"
                       "MILK,A-01-01-1,1,,L1,2031-01-31,PAL-1,,\n"
                       "MILK,A-01-01-1,1,,L1,2031-02-28,,,\n"
                       "WIDGET,A-01-02-1,1,,,,PAL-1,,\n"
                       "PHONE,A-01-01-1,1,,,,,,S1\n"
                       "PHONE,A-01-02-1,2,,,,,,S2;S1\n"
                       "WIDGET,A-01-01-1,1,,,,,,S9\n")
    assert report.errors == [
        "row 3: expiry: lot 'L1' of MILK expires 2031-01-31 on row 2, not 2031-02-28",
        "row 4: lpn: LPN 'PAL-1' is at another location on row 2",
        "row 6: serials: serial 'S1' of PHONE is also on row 5",
        "row 7: serials: WIDGET is not serial-tracked: leave serials empty",
    ]


def test_partial_posts_the_good_rows_and_counts_the_rejected() -> None:
    uow = site()
    report = load(uow, f"{HEADER}\nWIDGET,A-01-01-1,5,,,,,,\nNOPE,A-01-01-1,1,,,,,,\n"
                       "WIDGET,A-01-02-1,7,,,,,,\n", partial=True)
    assert report.errors == ["row 3: sku: no item with SKU, alias or GTIN 'NOPE'"]
    assert report.summary() == "opening stock: 1 line(s) rejected; 2 line(s) posted, " \
                               "0 already posted"
    assert balances(uow) == {BalanceKey(WIDGET, A1): 5, BalanceKey(WIDGET, A2): 7}


def test_dry_run_counts_what_would_post_and_changes_nothing() -> None:
    uow = site()
    text = f"{HEADER}\nWIDGET,A-01-01-1,5,,,,,,\nWIDGET,A-01-02-1,7,,,,,,\n"
    load(uow, text.replace("A-01-02-1,7", "A-01-02-1,6"))
    report = load(uow, text, dry_run=True)
    assert report.summary() == ("dry run, nothing was posted: 2 line(s) valid: 1 to post, "
                                "1 already posted")
    assert len(uow.committed.movements) == 2


def test_the_same_file_again_posts_nothing_and_a_fixed_row_posts_once() -> None:
    uow = site()
    text = f"{HEADER}\nWIDGET,A-01-01-1,5,,,,,,\nNOPE,A-01-02-1,7,,,,,,\n"
    load(uow, text, partial=True)
    again = load(uow, text, partial=True)
    assert (again.posted, again.already) == (0, 1)
    fixed = load(uow, text.replace("NOPE", "WIDGET"))
    assert (fixed.posted, fixed.already) == (1, 1)
    assert balances(uow) == {BalanceKey(WIDGET, A1): 5, BalanceKey(WIDGET, A2): 7}


def test_a_crash_half_way_is_resumed_by_posting_only_the_missing_rows() -> None:
    uow = site()
    text = HEADER + "\n" + "".join(f"WIDGET,A-01-01-1,{n},,,,,,\n" for n in range(1, 26))
    uow.fail_at_commit = 3
    with pytest.raises(RuntimeError, match="power cut"):
        load(uow, text, batch_size=10)
    assert len(uow.committed.movements) == 20
    uow.fail_at_commit = None
    report = load(uow, text, batch_size=10)
    assert (report.posted, report.already) == (5, 20)
    assert balances(uow) == {BalanceKey(WIDGET, A1): sum(range(1, 26))}
    assert len({m.confirmation for m in uow.committed.movements}) == 25


def test_rows_post_in_batches_of_the_given_size() -> None:
    uow = site()
    load(uow, HEADER + "\n" + "WIDGET,A-01-01-1,1,,,,,,\n" * 25, batch_size=10)
    assert uow.commits == 3 and len(uow.committed.movements) == 25


def test_a_site_with_other_movements_is_refused_unless_allowed() -> None:
    uow = site()
    uow.committed.movements.append(MovementRecord(
        MovementKind.RECEIVE, WIDGET, 1, ADMIN.user_id, "cli", "ASN-1", to_location_id=A1,
        to_status=StockStatus.AVAILABLE, id=1))
    text = f"{HEADER}\nWIDGET,A-01-01-1,5,,,,,,\n"
    with pytest.raises(BadInput, match="--allow-existing"):
        load(uow, text)
    assert load(uow, text, allow_existing=True).posted == 1


def test_opening_stock_rows_alone_do_not_count_as_other_movements() -> None:
    uow = site()
    load(uow, f"{HEADER}\nWIDGET,A-01-01-1,5,,,,,,\n")
    assert load(uow, f"{HEADER}\nWIDGET,A-01-02-1,5,,,,,,\n").posted == 1


def test_an_operator_may_not_load_opening_stock() -> None:
    uow = site()
    with pytest.raises(PermissionDenied):
        import_opening_stock(lambda: uow, OPERATOR,
                             csv_file(f"{HEADER}\nWIDGET,A-01-01-1,5,,,,,,\n"))


def test_unknown_and_missing_columns_refuse_the_file() -> None:
    with pytest.raises(BadInput, match=r"missing required column.*quantity.*unknown.*colour"):
        load(site(), "sku,location,colour\nWIDGET,A-01-01-1,red\n")


def test_a_row_key_depends_on_its_number_and_cells_but_not_on_empty_columns() -> None:
    row = CsvRow(2, {"sku": "WIDGET", "location": "A-01-01-1", "quantity": "5"})
    assert line_key(row) == line_key(CsvRow(2, {**row.cells, "lot": " ", "sku": " WIDGET"}))
    assert line_key(row) != line_key(CsvRow(3, row.cells))
    assert line_key(row) != line_key(CsvRow(2, {**row.cells, "quantity": "6"}))
    assert len(line_key(row)) <= 80


# The stream.


def opener(data: bytes) -> Callable[[], IO[bytes]]:
    return lambda: io.BytesIO(data)


def test_a_csv_source_is_read_again_from_its_first_row_each_time() -> None:
    source = csv_source(opener(b"\xef\xbb\xbfSKU,Location\r\nA,\"B\nC\"\r\n\r\nD\r\n"), "f.csv")
    expected = [CsvRow(2, {"sku": "A", "location": "B\nC"}),
                BrokenRow(4, "row 4: cells: 1 cells, the header has 2 columns")]
    assert source.columns == ("sku", "location")
    assert list(source.lines()) == expected and list(source.lines()) == expected


@pytest.mark.parametrize(("data", "message"), [
    (b"", "f.csv is empty"),
    (b"\xff\xfes\x00k\x00u\x00", "UTF-16"),
    (b"sku,location\nA\x00,B\n", "NUL byte on line 2"),
    (b"sku,location\nA,\xc9\n", "not UTF-8 text"),
    (b"sku,sku\nA,B\n", "column(s) named twice: sku"),
    (b'sku,location\nA,"B\n', "not valid CSV"),
    (b"[{\"sku\": \"A\"}]", "looks like JSON"),
])
def test_a_bad_csv_file_is_refused_as_a_whole(data: bytes, message: str) -> None:
    with pytest.raises(BadInput, match=re.escape(message)):
        list(csv_source(opener(data), "f.csv").lines())


def test_a_line_past_the_limit_is_refused_before_it_fills_memory(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_stream, "MAX_LINE_CHARS", 50)
    data = b"sku,location\n" + b"A" * 200 + b",B\n"
    with pytest.raises(BadInput, match="line 2 is longer than 50 characters"):
        list(csv_source(opener(data), "f.csv").lines())


def test_a_table_source_keeps_broken_rows_in_file_order() -> None:
    table = CsvTable("f.json", ("sku",), (CsvRow(1, {"sku": "A"}), CsvRow(3, {"sku": "C"})),
                     ("row 2: sku: an array is not a cell value; write it as text",))
    assert [line.number for line in table_source(table).lines()] == [1, 2, 3]
