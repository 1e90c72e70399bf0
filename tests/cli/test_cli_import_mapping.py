"""ERP files through a field mapping: `wms api client map`, and an import file read with one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from tests.cli.conftest import Wms
from tests.conftest import fresh_sqlite_engine
from tests.factories import build_warehouse
from wms_tui.api.clients import ClientBook, Scope
from wms_tui.bootstrap import wire
from wms_tui.cli import app
from wms_tui.cli.importing import _read_table, read_mapping
from wms_tui.domain.masterdata import import_items

MAPPING = {"fields": {"items": {"Artikel-Nr": "sku", "Bezeichnung": "description",
                                "ME": "base_uom"}},
           "codes": {"uom": {"ST": "EA"}}}


def test_a_csv_with_erp_headers_imports_through_the_mapping(tmp_path: Path) -> None:
    (tmp_path / "map.json").write_text(json.dumps(MAPPING))
    (tmp_path / "erp.csv").write_text("Artikel-Nr,Bezeichnung,ME\nNUT,Nut M8,ST\n,,\n")
    mapped = (read_mapping(tmp_path / "map.json"), "items")
    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    build_warehouse(engine)
    site = wire(engine)
    try:
        report = import_items(site.uow_factory, _read_table(tmp_path / "erp.csv", None, mapped))
        assert report.errors == [] and report.created == 1
        with engine.connect() as conn:
            assert list(conn.execute(text(
                "SELECT description, base_uom FROM item WHERE sku = 'NUT'"))) == [
                ("Nut M8", "EA")]
    finally:
        site.close()


def test_a_mapping_naming_an_unknown_column_is_refused(tmp_path: Path) -> None:
    from wms_tui.domain.errors import BadInput

    (tmp_path / "map.json").write_text('{"fields": {"items": {"ArtikelNr": "article"}}}')
    with pytest.raises(BadInput, match=r"ArtikelNr'?: 'article' is not a field of items"):
        read_mapping(tmp_path / "map.json")


def test_client_map_stores_the_mapping_with_the_client(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WMS_DATA_DIR", str(tmp_path))
    book = ClientBook.in_data_dir(tmp_path)
    book.add("sap", (Scope.ORDERS,), "API-SAP")
    (tmp_path / "map.toml").write_text('[fields.outbound]\nAuftrag = "reference"\n')
    runner = CliRunner()
    done = runner.invoke(app, ["api", "client", "map", "sap", str(tmp_path / "map.toml")])
    assert done.exit_code == 0, done.output
    assert "outbound (1)" in done.output
    client = ClientBook.in_data_dir(tmp_path).get("sap")
    assert client is not None
    assert client.mapping == {"fields": {"outbound": {"Auftrag": "reference"}}, "codes": {}}
    cleared = runner.invoke(app, ["api", "client", "map", "sap", "--clear"])
    assert cleared.exit_code == 0
    assert ClientBook.in_data_dir(tmp_path).get("sap").mapping is None  # type: ignore[union-attr]


def test_wms_item_and_order_import_take_a_mapping(ready: Wms, tmp_path: Path) -> None:
    (tmp_path / "map.json").write_text(json.dumps({
        "fields": {"items": {"Artikel-Nr": "sku", "Bezeichnung": "description", "ME": "base_uom"},
                   "outbound": {"Auftrag": "reference", "Pos": "line_no", "Artikel": "sku",
                                "Menge": "quantity", "Einheit": "uom"}},
        "codes": {"uom": {"ST": "EA"}}}))
    (tmp_path / "items.csv").write_text("Artikel-Nr,Bezeichnung,ME\nNUT,Nut M8,ST\n")
    done = ready("item", "import", str(tmp_path / "items.csv"), "--mapping",
                 str(tmp_path / "map.json"))
    assert done.exit_code == 0, done.output
    (tmp_path / "orders.csv").write_text("Auftrag,Pos,Artikel,Menge,Einheit\nSO-9,1,NUT,x,ST\n")
    refused = ready("order", "import", str(tmp_path / "orders.csv"), "--kind", "outbound",
                    "--mapping", str(tmp_path / "map.json"))
    # The error names the ERP's own column beside ours.
    assert refused.exit_code != 0 and "Menge (quantity)" in refused.output + refused.stderr
    (tmp_path / "orders.csv").write_text("Auftrag,Pos,Artikel,Menge,Einheit\nSO-9,1,NUT,5,ST\n")
    done = ready("order", "import", str(tmp_path / "orders.csv"), "--kind", "outbound",
                 "--mapping", str(tmp_path / "map.json"))
    assert done.exit_code == 0, done.output + done.stderr
    listed = ready("order", "list", "--json")
    assert "SO-9" in listed.output
