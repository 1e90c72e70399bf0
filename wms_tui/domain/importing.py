"""What every import shares: cells checked column by column, the report, and the run.

A run reads the whole table inside one unit of work, checks every row and collects every
problem as "row N: column: reason", then writes. By default only a table without a single
problem is written (all or nothing per file); with partial, every document (an order, an
item with all its unit rows, a location, a user) without a problem is written and the
others are reported as rejected. Records are upserted by their key, so running the same
file twice changes nothing the second time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from wms_tui.domain.errors import BadInput
from wms_tui.domain.import_files import CsvRow, CsvTable, show, table_of
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.stock import with_retry
from wms_tui.domain.text import shown

Progress = Callable[[int], None]
P = TypeVar("P")

# A hard cap before any per-column rule, so a pasted blob never reaches the database.
MAX_CELL = 200
MAX_QTY = 10**9
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_ROW = re.compile(r"row (\d+):")
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0", ""}


def check_columns(table: CsvTable, required: Sequence[str], optional: Sequence[str]) -> None:
    """Refuse a file missing a required column or naming one the import does not know."""
    if not table.columns and not table.rows and not table.errors:
        return  # An empty JSON array: nothing to import, so nothing to name.
    missing = [name for name in required if name not in table.columns]
    unknown = [shown(name) for name in table.columns
               if name not in required and name not in optional]
    problems = []
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    if unknown:
        problems.append(
            f"unknown column(s): {', '.join(unknown)} (known: {', '.join((*required, *optional))})"
        )
    if problems:
        raise BadInput(f"{shown(table.source)}: " + "; ".join(problems))


class Cells:
    """One row's cells read column by column; each problem is recorded as 'row N: column: …'."""

    def __init__(self, row: CsvRow, errors: list[str]) -> None:
        self.row = row
        self.errors = errors
        self.bad: set[str] = set()
        for column, value in row.cells.items():
            hit = _CONTROL.search(value)
            if hit is not None:
                code, position = ord(hit.group()), hit.start() + 1
                self.fail(column, f"control character 0x{code:02X} at position {position}")
            elif len(value) > MAX_CELL:
                self.fail(column, f"{len(value)} characters, more than {MAX_CELL}")

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(f"row {self.row.number}: {column}: {reason}")
        self.bad.add(column)

    def raw(self, column: str) -> str | None:
        """The trimmed cell; None when the column is absent or already refused."""
        if column in self.bad or column not in self.row.cells:
            return None
        return self.row.cells[column].strip()

    def text(
        self,
        column: str,
        *,
        max_length: int,
        required: bool = False,
        pattern: re.Pattern[str] | None = None,
        hint: str = "",
        upper: bool = False,
    ) -> str | None:
        value = self.raw(column)
        if value is None:
            return None
        if upper:
            value = value.upper()
        if not value:
            if required:
                self.fail(column, "is empty")
            return None
        if len(value) > max_length:
            self.fail(column, f"{show(value)} is longer than {max_length} characters")
            return None
        if pattern is not None and not pattern.fullmatch(value):
            self.fail(column, f"{show(value)} {hint}")
            return None
        return value

    def integer(
        self, column: str, *, minimum: int = 0, maximum: int = MAX_QTY, required: bool = False
    ) -> int | None:
        value = self.raw(column)
        if value is None:
            return None
        if not value:
            if required:
                self.fail(column, "is empty")
            return None
        if not _INTEGER.fullmatch(value) or len(value) > 12:
            self.fail(column, f"{show(value)} is not a whole number")
            return None
        number = int(value)
        if not minimum <= number <= maximum:
            self.fail(column, f"{number} is outside {minimum}..{maximum}")
            return None
        return number

    def flag(self, column: str) -> bool | None:
        value = self.raw(column)
        if value is None:
            return None
        lowered = value.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        self.fail(column, f"{show(value)} must be true/false, yes/no or 1/0")
        return None


# Reports.


@dataclass
class ImportReport:
    """What an import or generation did (or, in a dry run, would do)."""

    what: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    counted: str = "row(s)"
    zones_created: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    partial: bool = False
    # Partial imports only: documents written (or, dry, to write) and the ones left out.
    imported: int = 0
    rejected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def sort_errors(self) -> None:
        """Errors in file order; the sort is stable, so one row's keep their column order."""
        self.errors.sort(key=lambda e: int(m.group(1)) if (m := _ROW.match(e)) else 0)

    def count(self, existing: object | None, wanted: object) -> bool:
        """Tally one record; True when it has to be written."""
        if existing is None:
            self.created += 1
        elif existing == wanted:
            self.unchanged += 1
            return False
        else:
            self.updated += 1
        return True

    def summary(self) -> str:
        if self.errors and not self.partial:
            prefix = "dry run: " if self.dry_run else ""
            return (
                f"{prefix}{len(self.errors)} error(s) in {self.rows} {self.counted}; "
                "nothing was changed"
            )
        zones = f"; zone(s) created: {', '.join(self.zones_created)}" if self.zones_created else ""
        documents = ""
        if self.partial:
            verb = "to import" if self.dry_run else "imported"
            documents = f"{self.imported} document(s) {verb}, {len(self.rejected)} rejected; "
        if self.dry_run:
            return (
                f"dry run, nothing was changed: {documents}{self.rows} {self.counted} "
                f"{'read' if self.partial else 'valid'}; {self.what}: "
                f"{self.created} to create, {self.unchanged} unchanged, {self.updated} to update"
                + zones.replace("created", "to create")
            )
        return (
            f"{documents}{self.what}: {self.created} created, {self.unchanged} unchanged, "
            f"{self.updated} updated{zones}"
        )


# Runs.


class ImportRun(Generic[P]):
    """One attempt at one import inside one unit of work: checks rows, then writes plans.

    A plan is what one document needs written; it is keyed by the document's key, as
    ImportKind.key reads it from a row.
    """

    def __init__(self, uow: UnitOfWork, table: CsvTable, errors: list[str]) -> None:
        self.uow = uow
        self.table = table
        self.errors = errors

    def fail(self, number: int, column: str, reason: str) -> None:
        self.errors.append(f"row {number}: {column}: {reason}")

    def check(self, row: CsvRow) -> None:
        """Check one row against its columns, the rows before it and the database."""
        raise NotImplementedError

    def plans(self) -> list[tuple[str, P]]:
        """After every row: the checks that need whole documents, and what to write."""
        raise NotImplementedError

    def prepare(self, plans: Sequence[P], report: ImportReport, dry_run: bool) -> None:
        """Before any plan is written: what the accepted plans need in place."""

    def write(self, plan: P, report: ImportReport, dry_run: bool) -> None:
        """Count one document's records in the report and, unless dry, write them."""
        raise NotImplementedError

    def finish(self, report: ImportReport) -> None:
        """After every plan: notes for the report."""


@dataclass(frozen=True)
class ImportKind(Generic[P]):
    """One import: its columns, what a document is, and the run that checks and writes it.

    Calling it imports a table (or rows as csv.DictReader gives them): see run_import.
    """

    what: str
    document: str
    key_column: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    run: Callable[[UnitOfWork, CsvTable, list[str]], ImportRun[P]]
    upper_key: bool = True

    def key(self, row: CsvRow) -> str:
        """The document a row belongs to, read from the raw cell so even a bad row has one."""
        key = row.cells.get(self.key_column, "").strip()
        return key.upper() if self.upper_key else key

    def __call__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        rows: CsvTable | Sequence[Mapping[Any, Any]],
        *,
        dry_run: bool = False,
        partial: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        return run_import(uow_factory, table_of(rows), self, dry_run=dry_run, partial=partial,
                          progress=progress)


def run_import(
    uow_factory: Callable[[], UnitOfWork],
    table: CsvTable,
    kind: ImportKind[P],
    *,
    dry_run: bool = False,
    partial: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row, then write all documents (or, partial, every clean one)."""
    check_columns(table, kind.required, kind.optional)
    advance = progress or (lambda steps: None)

    def work() -> ImportReport:
        report = ImportReport(kind.what, rows=len(table.rows), dry_run=dry_run, partial=partial)
        report.errors.extend(table.errors)
        with uow_factory() as uow:
            run = kind.run(uow, table, report.errors)
            for row in table.rows:
                advance(1)
                run.check(row)
            plans = run.plans()
            report.sort_errors()
            if report.errors and not partial:
                return report
            documents = _documents(table, kind)
            rejected = _rejected(documents, report.errors)
            report.rejected = [
                _describe(kind, key, rows) for key, rows in documents.items() if key in rejected
            ]
            accepted = [(key, plan) for key, plan in plans if key not in rejected]
            report.imported = len({key for key, _ in accepted})
            run.prepare([plan for _, plan in accepted], report, dry_run)
            for key, plan in accepted:
                run.write(plan, report, dry_run)
                advance(len(documents.get(key, ())))
            run.finish(report)
            report.notes.extend(f"rejected {line}" for line in report.rejected)
            if not dry_run:
                uow.commit()
            return report

    return with_retry(work)


def _documents(table: CsvTable, kind: ImportKind[P]) -> dict[str, list[int]]:
    """Row numbers by document key; a row without a key is a document of its own."""
    documents: dict[str, list[int]] = {}
    for row in sorted((*table.rows, *table.broken), key=lambda r: r.number):
        key = kind.key(row) or f"\x00{row.number}"
        documents.setdefault(key, []).append(row.number)
    return documents


def _rejected(documents: dict[str, list[int]], errors: list[str]) -> set[str]:
    """Documents with a row that has an error; all of them when an error names no row."""
    bad_rows = set()
    for error in errors:
        match = _ROW.match(error)
        if match is None:
            return set(documents)
        bad_rows.add(int(match.group(1)))
    rejected = {key for key, rows in documents.items() if bad_rows.intersection(rows)}
    known = {number for rows in documents.values() for number in rows}
    return set(documents) if bad_rows - known else rejected


def _describe(kind: ImportKind[P], key: str, rows: list[int]) -> str:
    where = f"row {rows[0]}" if len(rows) == 1 else f"rows {', '.join(map(str, rows))}"
    if key.startswith("\x00"):
        return f"{where} (no {kind.key_column})"
    return f"{kind.document} {shown(key)} ({where})"
