"""JSON documents through the file imports: the same checks, messages and upserts as
`wms … import`, in the write's own transaction.

A document becomes the rows of an import table (an order, one row per line; an item, one
row per unit), and the import's "row N: column: reason" messages are mapped back to the
request's row and field.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from typing import Any, cast

from wms_tui.api.problems import RowOrigin, import_errors, invalid
from wms_tui.api.writes import JoinedUnitOfWork
from wms_tui.domain.import_files import CsvRow, CsvTable
from wms_tui.domain.importing import ImportKind, ImportReport


def cell(value: object) -> str:
    """A JSON value as the cell a CSV file would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value)


def table(rows: Sequence[Mapping[str, object]]) -> CsvTable:
    """Rows (numbered from 1) with every column any row names; a row lacking one has it empty."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    return CsvTable("request", tuple(columns), tuple(
        CsvRow(number, {c: cell(row.get(c)) for c in columns})
        for number, row in enumerate(rows, start=1)))


def run(kind: ImportKind[Any], uow: JoinedUnitOfWork, rows: CsvTable, *,
        origins: Mapping[int, RowOrigin], header: Mapping[str, str] | None = None,
        prefixed: Collection[str] | None = None, partial: bool = False) -> ImportReport:
    """Import rows in the open transaction; any problem (unless partial) refuses them all."""
    report = kind(lambda: cast(Any, uow), rows, partial=partial)
    if report.errors and not partial:
        raise invalid(import_errors(report.errors, origins, header, prefixed),
                      f"{len(report.errors)} problem(s) in {report.rows} row(s); "
                      "nothing was changed")
    return report


def report_body(report: ImportReport, origins: Mapping[int, RowOrigin],
                prefixed: Collection[str] | None = None) -> dict[str, Any]:
    errors = import_errors(report.errors, origins, None, prefixed)
    return {
        "what": report.what, "rows": report.rows, "created": report.created,
        "updated": report.updated, "unchanged": report.unchanged,
        "imported": report.imported if report.partial else None,
        "rejected": report.rejected,
        "errors": [e.model_dump() for e in errors],
        # The file imports' advice about PINs in files does not apply: the API takes none.
        "notes": [n for n in report.notes if "PIN" not in n and not n.startswith("rejected ")],
    }
