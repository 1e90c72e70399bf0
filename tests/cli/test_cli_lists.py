"""`wms location|item|order|wave|task list` and `wms order show`: filters, tables, JSON and CSV
(whose header is there even when nothing matches)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.cli.conftest import Wms
from tests.cli.test_cli_outbound import ORDERS, stocked


@pytest.fixture
def site(wms: Wms, db_url: str, tmp_path: Path) -> Wms:
    """A stocked warehouse with SO-1 and SO-2 imported, SO-1 released, and PO-1 expected."""
    assert wms("db", "upgrade").exit_code == 0
    stocked(db_url)
    orders = tmp_path / "orders.csv"
    orders.write_text(ORDERS, encoding="utf-8")
    assert wms("order", "import", "--kind", "outbound", str(orders)).exit_code == 0
    inbound = tmp_path / "po.csv"
    inbound.write_text("reference,supplier,line_no,sku,quantity\nPO-1,ACME,1,BOLT,40\n",
                       encoding="utf-8")
    assert wms("order", "import", "--kind", "inbound", str(inbound)).exit_code == 0
    released = wms("wave", "release", "--as", "SUP1", "--order", "SO-1")
    assert released.exit_code == 0, released.output
    return wms


def as_json(result_output: str) -> list[dict[str, object]]:
    rows = json.loads(result_output)["rows"]
    assert isinstance(rows, list)
    return rows


def test_location_list_filters_and_shows_stock(site: Wms) -> None:
    result = site("location", "list", "--type", "pick", "--json")
    assert result.exit_code == 0, result.output
    [face] = as_json(result.stdout)
    assert (face["code"], face["type"], face["on_hand"], face["reserved"]) == (
        "P-01-01-1", "pick", 30, 24)
    table = site("location", "list")
    assert table.exit_code == 0 and table.stdout.startswith("Locations")
    listed = list(csv.DictReader(io.StringIO(site("location", "list", "--csv").stdout)))
    assert [r["code"] for r in listed][:4] == ["DOCK-1", "A-01-01-1", "A-01-02-1", "P-01-01-1"]
    bad = site("location", "list", "--type", "shelf")
    assert bad.exit_code == 2
    assert "--type shelf: choose from dock, qc, reserve, pick, staging" in bad.stderr


def test_item_list_searches_sku_and_description(site: Wms) -> None:
    result = site("item", "list", "--search", "widg", "--json")
    assert [r["sku"] for r in as_json(result.stdout)] == ["WIDGET"]
    assert as_json(site("item", "list", "--search", "bolt", "--json").stdout)[0]["sku"] == "BOLT"
    everything = site("item", "list", "--csv")
    assert everything.stdout.splitlines()[0].startswith("sku,description,base_uom,")
    assert len(everything.stdout.splitlines()) == 4


def test_an_empty_listing_still_prints_its_csv_header(site: Wms) -> None:
    result = site("item", "list", "--search", "nothing like this", "--csv")
    assert result.exit_code == 0, result.output
    assert result.stdout == ("sku,description,base_uom,lot_tracked,expiry_tracked,abc_class,"
                             "zone,min_qty,max_qty,active,on_hand,reserved\n")
    tasks = site("task", "list", "--status", "short", "--csv")
    assert tasks.stdout.splitlines() == [
        "kind,id,status,sku,quantity,done,location,to_location,wave,order,user,updated_at"]
    assert "Items: nothing to show" in site("item", "list", "--search", "zzz").stdout


def test_order_list_both_kinds_and_filters(site: Wms) -> None:
    result = site("order", "list", "--json")
    assert result.exit_code == 0, result.output
    assert [(r["kind"], r["reference"], r["status"]) for r in as_json(result.stdout)] == [
        ("inbound", "PO-1", "open"), ("outbound", "SO-1", "released"),
        ("outbound", "SO-2", "open")]
    opened = site("order", "list", "--kind", "outbound", "--status", "open", "--csv")
    rows = list(csv.DictReader(io.StringIO(opened.stdout)))
    assert [(r["reference"], r["lines"], r["quantity"]) for r in rows] == [("SO-2", "1", "6")]
    assert as_json(site("order", "list", "--since", "2999-01-01", "--json").stdout) == []
    bad = site("order", "list", "--kind", "inbound", "--status", "picking")
    assert bad.exit_code == 2
    assert "--status picking: choose from open, receiving, closed, cancelled" in bad.stderr
    assert site("order", "list", "--since", "yesterday").exit_code == 2


def test_order_show_lists_lines_with_their_progress(site: Wms) -> None:
    shown = site("order", "show", "so-1", "--json")
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert (data["reference"], data["status"], data["wave"]) == ("SO-1", "released", "W0001")
    assert [(ln["line_no"], ln["sku"], ln["ordered"], ln["allocated"], ln["picked"])
            for ln in data["lines"]] == [(1, "WIDGET", 24, 24, 0), (2, "BOLT", 5, 0, 0)]
    table = site("order", "show", "PO-1")
    assert "inbound order PO-1: open" in table.stdout and "received" in table.stdout
    missing = site("order", "show", "NOPE")
    assert missing.exit_code == 1 and "no order NOPE" in missing.stderr


def test_wave_and_task_lists(site: Wms) -> None:
    [wave] = as_json(site("wave", "list", "--json").stdout)
    assert (wave["code"], wave["status"], wave["released_by"], wave["orders"],
            wave["open_tasks"]) == ("W0001", "released", "SUP1", 1, wave["tasks"])
    tasks = as_json(site("task", "list", "--kind", "pick", "--json").stdout)
    assert {(t["kind"], t["status"], t["order"], t["wave"]) for t in tasks} == {
        ("pick", "open", "SO-1", "W0001")}
    at_face = as_json(site("task", "list", "--location", "P-01-01-1", "--json").stdout)
    assert [t["location"] for t in at_face] == ["P-01-01-1"] * len(at_face)
    assert as_json(site("task", "list", "--user", "OP1", "--json").stdout) == []
    putaway = site("task", "list", "--kind", "putaway")
    assert putaway.exit_code == 2 and "putaway is directed" in putaway.stderr
    assert site("task", "list", "--user", "NOBODY").exit_code == 2
    assert site("wave", "list", "--status", "closed").exit_code == 2
