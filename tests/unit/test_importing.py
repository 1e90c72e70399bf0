"""The run every import shares: all or nothing per file, or per document with partial."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from tests.fakes import (
    FakeCatalog,
    FakeFlowState,
    FakeIdempotency,
    FakeInquiry,
    FakeMasterData,
    FakeState,
    FakeStock,
    FakeUsers,
)
from wms_tui.domain.errors import BadInput
from wms_tui.domain.import_files import CsvRow, CsvTable, read_csv
from wms_tui.domain.importing import Cells, ImportKind, ImportReport, ImportRun, run_import
from wms_tui.domain.ports import UnitOfWork


class Store:
    """A unit of work holding what was written, and whether it was committed; its
    repositories are empty fakes, which these imports never read."""

    def __init__(self) -> None:
        self.written: list[tuple[str, int]] = []
        self.committed: list[tuple[str, int]] = []
        empty = FakeState()
        self.catalog = FakeCatalog(empty)
        self.stock = FakeStock(empty)
        self.idempotency = FakeIdempotency(empty)
        self.users = FakeUsers(empty)
        self.masterdata = FakeMasterData(empty)
        self.flow_state = FakeFlowState(empty)
        self.inquiry = FakeInquiry(empty)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.written = list(self.committed)

    def commit(self) -> None:
        self.committed = list(self.written)


def opened(store: Store) -> Callable[[], UnitOfWork]:
    return lambda: store


class Counts(ImportRun[tuple[str, int]]):
    """Rows 'key,qty': a document is one key; quantities must be whole numbers."""

    def __init__(self, uow: UnitOfWork, table: CsvTable, errors: list[str]) -> None:
        super().__init__(uow, table, errors)
        self.planned: list[tuple[str, tuple[str, int]]] = []
        self.prepared: list[tuple[str, int]] = []

    def check(self, row: CsvRow) -> None:
        cells = Cells(row, self.errors)
        key = cells.text("key", max_length=10, required=True, upper=True)
        qty = cells.integer("qty", required=True)
        if key is not None and qty is not None:
            self.planned.append((key, (key, qty)))

    def plans(self) -> list[tuple[str, tuple[str, int]]]:
        return self.planned

    def prepare(self, plans: Sequence[tuple[str, int]], report: ImportReport,
                dry_run: bool) -> None:
        self.prepared = list(plans)

    def write(self, plan: tuple[str, int], report: ImportReport, dry_run: bool) -> None:
        report.count(None, plan)
        if not dry_run:
            assert isinstance(self.uow, Store)
            self.uow.written.append(plan)


KIND: ImportKind[tuple[str, int]] = ImportKind("counts", "entry", "key", ("key", "qty"), (),
                                               Counts)
FILE = b"key,qty\nA,1\nb,2\nB,x\n,3\nC,4\nD,5,6\n"


def test_one_bad_row_writes_nothing_by_default() -> None:
    store = Store()
    report = run_import(opened(store), read_csv(FILE), KIND)
    assert report.errors == [
        "row 4: qty: 'x' is not a whole number",
        "row 5: key: is empty",
        "row 7: cells: 3 cells, the header has 2 columns",
    ]
    assert store.committed == []
    assert report.summary() == "3 error(s) in 5 row(s); nothing was changed"


def test_partial_writes_every_document_without_an_error() -> None:
    store = Store()
    progress: list[int] = []
    report = run_import(opened(store), read_csv(FILE), KIND, partial=True,
                        progress=progress.append)
    # B is rejected whole: its good row 3 goes with its bad row 4; D's broken row has a key.
    assert store.committed == [("A", 1), ("C", 4)]
    assert report.rejected == ["entry B (rows 3, 4)", "row 5 (no key)", "entry D (row 7)"]
    assert report.notes == ["rejected entry B (rows 3, 4)", "rejected row 5 (no key)",
                            "rejected entry D (row 7)"]
    assert report.summary() == ("2 document(s) imported, 3 rejected; counts: 2 created, "
                                "0 unchanged, 0 updated")
    # Every row checked, then the rows of each written document.
    assert sum(progress) == 5 + 2


def test_partial_dry_run_writes_nothing_and_says_what_it_would_do() -> None:
    store = Store()
    report = run_import(opened(store), read_csv(FILE), KIND, partial=True, dry_run=True)
    assert store.committed == [] and store.written == []
    assert report.summary().startswith(
        "dry run, nothing was changed: 2 document(s) to import, 3 rejected; 5 row(s) read; "
        "counts: 2 to create")


def test_an_error_that_names_no_row_rejects_every_document() -> None:
    class Stray(Counts):
        def plans(self) -> list[tuple[str, tuple[str, int]]]:
            self.errors.append("something about the whole file")
            return self.planned

    store = Store()
    kind = ImportKind("counts", "entry", "key", ("key", "qty"), (), Stray)
    report = run_import(opened(store), read_csv(b"key,qty\nA,1\n"), kind, partial=True)
    assert store.committed == []
    assert report.rejected == ["entry A (row 2)"]


def test_columns_are_checked_before_any_row() -> None:
    with pytest.raises(BadInput, match=r"missing required column\(s\): qty; unknown column"):
        run_import(opened(Store()), read_csv(b"key,colour\nA,red\n"), KIND)
