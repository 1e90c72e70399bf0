"""Field mapping: an ERP's own field names and codes turned into ours, per client.

A mapping renames the fields of each kind of document (an ERP's "ArtikelNr" is our "sku")
and translates code values ("ST" is our unit "EA", "ERP-123" our SKU "SKU-1"), so an ERP's
export is fed to the imports and the API as it is. Field names match as the imports match
columns: trimmed and case-insensitive. Codes match exactly, then trimmed and upper-cased.
A problem the imports report on a renamed field is named by the ERP's field too.

Pure functions on plain dicts and tables; reading the file is the caller's job.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from wms_tui.domain.errors import BadInput
from wms_tui.domain.import_files import CSV_ADVICE, CsvRow, CsvTable, decode_text, show

KINDS = ("items", "locations", "inbound", "outbound", "users")
# A code table named after a column applies to it; these apply to more than one.
CODE_COLUMNS = {"uom": ("uom", "base_uom"), "sku": ("sku",)}
_ROW_ERROR = re.compile(r"(row \d+): ([a-z][a-z0-9_]*): (.*)", re.DOTALL)


@dataclass(frozen=True)
class FieldMapping:
    """Per kind, the ERP's field (lower-cased) and ours; per column, the ERP's codes and ours.

    names keeps each ERP field as the mapping file spells it, for messages.
    """

    fields: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    codes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def erp_name(self, kind: str, ours: str) -> str | None:
        """The ERP's name of our field, if the mapping renames one to it."""
        for erp, target in self.fields.get(kind, {}).items():
            if target == ours:
                return self.names.get(kind, {}).get(erp, erp)
        return None

    def code_table(self, column: str) -> Mapping[str, str] | None:
        for name, columns in CODE_COLUMNS.items():
            if column in columns and name in self.codes:
                return self.codes[name]
        return self.codes.get(column)


def parse(data: object, known: Mapping[str, Collection[str]], source: str = "mapping") -> (
        FieldMapping):
    """A mapping from its parsed JSON or TOML; every entry is checked, and a target that is
    not a field of its kind is refused naming the entry, e.g. fields.items.ArtikelNr."""
    if not isinstance(data, Mapping):
        raise BadInput(f"{source}: a mapping is an object with 'fields' and/or 'codes'")
    extra = sorted(str(k) for k in data if k not in ("fields", "codes"))
    if extra:
        raise BadInput(f"{source}: unknown section(s) {', '.join(map(show, extra))}: "
                       "a mapping has only 'fields' and 'codes'")
    fields: dict[str, dict[str, str]] = {}
    names: dict[str, dict[str, str]] = {}
    for kind, table in _section(data, "fields", source).items():
        if kind not in KINDS:
            raise BadInput(f"{source}: fields.{show(kind)}: not a kind of document "
                           f"(one of {', '.join(KINDS)})")
        allowed = known.get(kind, ())
        fields[kind], names[kind] = {}, {}
        for erp, ours in _pairs(table, f"fields.{kind}", source):
            entry = f"{source}: fields.{kind}.{show(erp)}"
            target = ours.strip().lower()
            if target not in allowed:
                raise BadInput(f"{entry}: {show(ours)} is not a field of {kind} "
                               f"(known: {', '.join(sorted(allowed))})")
            key = erp.strip().lower()
            if key in fields[kind]:
                raise BadInput(f"{entry}: the field is mapped twice")
            if target in fields[kind].values():
                raise BadInput(f"{entry}: {target} is already the target of another field")
            fields[kind][key], names[kind][key] = target, erp.strip()
    codes: dict[str, dict[str, str]] = {}
    for column, table in _section(data, "codes", source).items():
        codes[column.strip().lower()] = dict(_pairs(table, f"codes.{column}", source))
    return FieldMapping(fields, codes, names)


def _section(data: Mapping[Any, Any], name: str, source: str) -> dict[str, object]:
    section = data.get(name, {})
    if not isinstance(section, Mapping) or not all(isinstance(k, str) for k in section):
        raise BadInput(f"{source}: {name}: must be an object of objects")
    return dict(section)


def _pairs(table: object, where: str, source: str) -> list[tuple[str, str]]:
    if not isinstance(table, Mapping):
        raise BadInput(f"{source}: {where}: must be an object of \"theirs\": \"ours\"")
    pairs = []
    for theirs, ours in table.items():
        if not isinstance(theirs, str) or not isinstance(ours, str) or not ours.strip():
            raise BadInput(f"{source}: {where}.{show(str(theirs))}: the value must be "
                           "non-empty text")
        pairs.append((theirs, ours))
    return pairs


def rename(mapping: FieldMapping, kind: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """A document with the ERP's fields renamed to ours, nested objects (an order's lines,
    an item's units) too; a field sent under both names is refused."""
    table = mapping.fields.get(kind, {})
    renamed: dict[str, Any] = {}
    for name, value in document.items():
        ours = table.get(name.strip().lower(), name) if isinstance(name, str) else name
        if ours in renamed:
            raise BadInput(f"{show(str(name))} and {ours} are the same field ({kind} mapping)")
        renamed[ours] = _nested(mapping, kind, value)
    return renamed


def _nested(mapping: FieldMapping, kind: str, value: Any) -> Any:
    if isinstance(value, Mapping):
        return map_codes(mapping, rename(mapping, kind, value))
    if isinstance(value, list):
        return [_nested(mapping, kind, v) for v in value]
    return value


def map_codes(mapping: FieldMapping, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row (our field names) with its code values translated; other values as they are."""
    mapped = dict(row)
    for column, value in row.items():
        table = mapping.code_table(column) if isinstance(column, str) else None
        if table and isinstance(value, str):
            mapped[column] = code(table, value)
    return mapped


def code(table: Mapping[str, str], value: str) -> str:
    if value in table:
        return table[value]
    wanted = value.strip().upper()
    for theirs, ours in table.items():
        if theirs.strip().upper() == wanted:
            return ours
    return value


def apply(mapping: FieldMapping, kind: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """One document in our terms: fields renamed, codes translated, at every level."""
    return map_codes(mapping, rename(mapping, kind, document))


def apply_table(mapping: FieldMapping, kind: str, table: CsvTable) -> CsvTable:
    """An import table in our terms; its columns are already lower-cased, as the mapping's."""
    fields = mapping.fields.get(kind, {})
    columns = [fields.get(c, c) for c in table.columns]
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise BadInput(f"{table.source}: with the {kind} mapping, column(s) named twice: "
                       f"{', '.join(twice)}")

    def row(old: CsvRow) -> CsvRow:
        cells = {fields.get(c, c): v for c, v in old.cells.items()}
        return CsvRow(old.number, map_codes(mapping, cells))

    return CsvTable(table.source, tuple(columns), tuple(map(row, table.rows)), table.errors,
                    tuple(map(row, table.broken)))


def rename_csv_header(mapping: FieldMapping, kind: str, data: bytes, source: str) -> bytes:
    """CSV bytes whose header row names our columns, so an ERP header such as "Artikel-Nr"
    (not a column name the reader accepts) reaches the import as "sku"."""
    fields = mapping.fields.get(kind)
    if not fields:
        return data
    text = decode_text(data, source, CSV_ADVICE)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return data
    rest = text[_header_end(text, len(header)):]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerow(
        [fields.get(name.strip().lower(), name) for name in header])
    return (out.getvalue() + rest).encode("utf-8")


def _header_end(text: str, cells: int) -> int:
    """Where the first CSV record ends (after its line break), quotes respected."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            end = index + 1
            if char == "\r" and text[end:end + 1] == "\n":
                end += 1
            return end
    return len(text)


def explain(mapping: FieldMapping, kind: str, message: str) -> str:
    """An import message "row N: sku: ..." as "row N: ArtikelNr (sku): ..." when the ERP
    names that field otherwise; other messages as they are."""
    match = _ROW_ERROR.fullmatch(message)
    if match is None:
        return message
    erp = mapping.erp_name(kind, match.group(2))
    if erp is None:
        return message
    return f"{match.group(1)}: {erp} ({match.group(2)}): {match.group(3)}"


def read(data: bytes, source: str, known: Mapping[str, Collection[str]]) -> FieldMapping:
    """A mapping file's bytes: TOML for a *.toml name, else JSON."""
    import json
    import tomllib

    try:
        text = data.decode("utf-8-sig")
        parsed = tomllib.loads(text) if source.lower().endswith(".toml") else json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadInput(f"{source}: not a valid mapping file ({exc})") from None
    return parse(parsed, known, source)


def import_columns() -> dict[str, tuple[str, ...]]:
    """Each kind's import columns: the targets a mapping may name."""
    from wms_tui.domain.importing import ImportKind
    from wms_tui.domain.inbound import import_inbound_orders
    from wms_tui.domain.masterdata import import_items, import_locations
    from wms_tui.domain.outbound.orders import import_outbound_orders
    from wms_tui.domain.user_import import import_users

    kinds: dict[str, ImportKind[Any]] = {"items": import_items, "locations": import_locations,
             "inbound": import_inbound_orders, "outbound": import_outbound_orders,
             "users": import_users}
    return {name: (*kind.required, *kind.optional) for name, kind in kinds.items()}
