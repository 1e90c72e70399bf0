"""Field mapping, pure: an ERP's fields renamed and codes translated, mistakes refused."""

from __future__ import annotations

import pytest

from wms_tui.domain import field_mapping
from wms_tui.domain.errors import BadInput
from wms_tui.domain.import_files import read_csv

KNOWN = {"items": ("sku", "description", "base_uom", "uom", "units"),
         "outbound": ("reference", "line_no", "sku", "quantity", "uom", "lines")}
DATA = {"fields": {"items": {"ArtikelNr": "sku", "Bezeichnung": "description",
                             "ME": "base_uom"},
                   "outbound": {"Auftrag": "reference", "Positionen": "lines",
                                "Artikel": "sku", "Menge": "quantity", "Einheit": "uom"}},
        "codes": {"uom": {"ST": "EA", "KAR": "CS"}, "sku": {"ERP-123": "WIDGET"}}}


def mapping() -> field_mapping.FieldMapping:
    return field_mapping.parse(DATA, KNOWN)


def test_a_document_is_renamed_and_its_codes_mapped_at_every_level() -> None:
    sent = {"Auftrag": "SO-9", "Positionen": [
        {"line_no": 1, "Artikel": "ERP-123", "Menge": 2, "Einheit": "kar"}]}
    assert field_mapping.apply(mapping(), "outbound", sent) == {
        "reference": "SO-9",
        "lines": [{"line_no": 1, "sku": "WIDGET", "quantity": 2, "uom": "CS"}]}


def test_fields_match_case_insensitively_and_unmapped_ones_pass_through() -> None:
    row = field_mapping.apply(mapping(), "items", {"artikelnr": "A", "ME": "ST", "zone": "Z"})
    assert row == {"sku": "A", "base_uom": "EA", "zone": "Z"}


def test_an_unknown_target_is_refused_naming_the_entry() -> None:
    bad = {"fields": {"items": {"ArtikelNr": "skuu"}}}
    with pytest.raises(BadInput, match=r"fields\.items\.'ArtikelNr': 'skuu' is not a field"):
        field_mapping.parse(bad, KNOWN)


@pytest.mark.parametrize("data, reason", [
    ({"fields": {"widgets": {}}}, "not a kind of document"),
    ({"fields": {"items": {"A": "sku", "B": "sku"}}}, "already the target"),
    ({"codes": {"uom": {"ST": 1}}}, "non-empty text"),
    ({"mapping": {}}, "unknown section"),
])
def test_malformed_mappings_are_refused(data: dict[str, object], reason: str) -> None:
    with pytest.raises(BadInput, match=reason):
        field_mapping.parse(data, KNOWN)


def test_a_field_sent_under_both_names_is_refused() -> None:
    with pytest.raises(BadInput, match="same field"):
        field_mapping.apply(mapping(), "items", {"ArtikelNr": "A", "sku": "B"})


def test_a_csv_header_the_reader_would_refuse_is_renamed() -> None:
    erp = field_mapping.parse({"fields": {"items": {"Artikel-Nr": "sku"}}}, KNOWN)
    data = b'Artikel-Nr,"Bezeichnung, lang"\r\nERP-123,"a, b"\r\n'
    with pytest.raises(BadInput):
        read_csv(data)
    data = b'Artikel-Nr,description\r\nERP-123,"a, b"\r\n'
    table = read_csv(field_mapping.rename_csv_header(erp, "items", data, "f.csv"))
    assert table.columns == ("sku", "description")
    assert table.rows[0].number == 2 and table.rows[0].cells["description"] == "a, b"


def test_a_table_gets_our_columns_and_codes() -> None:
    table = read_csv(b"artikelnr,me\r\nERP-123,KAR\r\n")
    mapped = field_mapping.apply_table(mapping(), "items", table)
    assert mapped.columns == ("sku", "base_uom")
    assert mapped.rows[0].cells == {"sku": "WIDGET", "base_uom": "CS"}


def test_messages_name_the_erp_field() -> None:
    assert (field_mapping.explain(mapping(), "items", "row 2: sku: unknown")
            == "row 2: ArtikelNr (sku): unknown")
    assert field_mapping.explain(mapping(), "items", "row 2: zone: x") == "row 2: zone: x"


def test_a_toml_file_reads_as_json_does() -> None:
    toml = b'[fields.items]\nArtikelNr = "sku"\n[codes.uom]\nST = "EA"\n'
    read = field_mapping.read(toml, "erp.toml", KNOWN)
    assert read.fields == {"items": {"artikelnr": "sku"}} and read.codes == {"uom": {"ST": "EA"}}
