"""`wms labels …`: every format decoded with zxing-cpp, SSCCs issued once, ZPL to a printer."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Engine

from tests.cli.conftest import MakeWms, Sql, Wms
from tests.factories import build_warehouse
from tests.label_tools import FakePrinter, closed_port, decode, gs1_read, read_symbols
from wms_tui.db.engine import make_engine
from wms_tui.db.uow import uow_factory
from wms_tui.domain.checkdigits import location_check_digits, make_sscc
from wms_tui.domain.scan import Gs1Data
from wms_tui.domain.stock import Receive, post
from wms_tui.labels import data as label_data

PREFIX = "0614141"
SVG = "{http://www.w3.org/2000/svg}"
LOCATIONS = ["DOCK-1", "A-01-01-1", "A-01-02-1", "P-01-01-1"]


def stock_pallets(engine: Engine) -> None:
    """The factory warehouse with three pallets: 2 cases of widgets, a lot of milk, a mix."""
    wh = build_warehouse(engine)
    uow = uow_factory(engine)
    post(uow, wh.operator, Receive(wh.widget, 2, wh.dock, "ASN-1", uom="CS", lpn="PAL-1"))
    post(uow, wh.operator, Receive(wh.lotted, 10, wh.dock, "ASN-2", lot="L1",
                                   expiry=date(2031, 1, 31), lpn="PAL-2"))
    post(uow, wh.operator, Receive(wh.widget, 3, wh.dock, "ASN-3", lpn="PAL-3"))
    post(uow, wh.operator, Receive(wh.heavy, 7, wh.dock, "ASN-3", lpn="PAL-3"))


@pytest.fixture
def stocked(wms: Wms, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Wms:
    # A prefix configured on the machine running the tests must not leak into them.
    monkeypatch.delenv("WMS_GS1_COMPANY_PREFIX", raising=False)
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(db_url)
    stock_pallets(engine)
    engine.dispose()
    return wms


def gs1_of(path: Path) -> Gs1Data:
    """Every GS1 field on a pallet label PNG, read as the RF app reads a scan (with the AIM
    identifier ]C1, which marks a symbol starting with (17) or (10) as GS1 too)."""
    return gs1_read([symbol.scanned for symbol in read_symbols(Image.open(path))])


def lpn_ssccs(sql: Sql, db: Engine) -> dict[str, str | None]:
    return dict(sql(db, "SELECT code, sscc FROM lpn ORDER BY code"))


# Location labels.


def test_location_pngs_decode_to_each_location_barcode(stocked: Wms, tmp_path: Path) -> None:
    out = tmp_path / "labels"
    result = stocked("labels", "location", "--format", "png", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"4 location labels: {out}"
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{c}.png" for c in LOCATIONS)
    for code in LOCATIONS:
        assert decode(out / f"{code}.png") == [("Code128", code)]


def test_location_filters_by_zone_and_code_pattern(stocked: Wms, tmp_path: Path) -> None:
    out = tmp_path / "aisle-a"
    result = stocked("labels", "location", "--zone", "res", "--code", "a-01-*",
                     "--out", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["A-01-01-1.png", "A-01-02-1.png"]


def test_location_pattern_matching_nothing_is_an_error(stocked: Wms, tmp_path: Path) -> None:
    result = stocked("labels", "location", "--code", "Z-*", "--out", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert "no active locations with code Z-*" in result.stderr
    assert not (tmp_path / "none").exists()


def test_one_location_as_an_svg_file_shows_code_and_check_digits(
    stocked: Wms, tmp_path: Path
) -> None:
    target = tmp_path / "dock.svg"
    result = stocked("labels", "location", "--code", "DOCK-1", "--format", "svg",
                     "--out", str(target))
    assert result.exit_code == 0, result.output
    root = ET.fromstring(target.read_bytes())
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "DOCK-1" in texts
    assert f"check digits {location_check_digits('DOCK-1')}" in texts


def test_several_labels_into_one_svg_file_is_bad_input(stocked: Wms, tmp_path: Path) -> None:
    result = stocked("labels", "location", "--format", "svg", "--out", str(tmp_path / "x.svg"))
    assert result.exit_code == 2
    assert "4 labels need a folder" in result.stderr


def test_location_pdf_sheet(stocked: Wms, tmp_path: Path) -> None:
    result = stocked("labels", "location", "--format", "pdf", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    pdf = (tmp_path / "labels-location.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    # Four bin labels fit the 2 x 5 grid of one page.
    assert len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf)) == 1


def test_no_destination_is_bad_input(stocked: Wms) -> None:
    result = stocked("labels", "location")
    assert result.exit_code == 2
    assert "--out" in result.stderr


# Item labels.


def test_item_pngs_decode_to_ean13_and_sku(stocked: Wms, tmp_path: Path) -> None:
    result = stocked("labels", "item", "WIDGET", "bolt", "MILK", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert decode(tmp_path / "WIDGET-EA.png") == [("EAN13", "9501101530003")]
    assert decode(tmp_path / "MILK-EA.png") == [("EAN13", "5901234123457")]
    assert decode(tmp_path / "BOLT-EA.png") == [("Code128", "BOLT")]


def test_item_case_unit_is_code128_of_its_gtin14(stocked: Wms, tmp_path: Path) -> None:
    result = stocked("labels", "item", "WIDGET", "--uom", "cs", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert decode(tmp_path / "WIDGET-CS.png") == [("Code128", "19501101530000")]


def test_unknown_sku_or_unit_writes_nothing(stocked: Wms, tmp_path: Path) -> None:
    unknown = stocked("labels", "item", "WIDGET", "NOPE", "--out", str(tmp_path / "a"))
    assert unknown.exit_code == 1
    assert "unknown SKU NOPE" in unknown.stderr
    no_unit = stocked("labels", "item", "BOLT", "--uom", "PAL", "--out", str(tmp_path / "b"))
    assert no_unit.exit_code == 2
    assert "item BOLT has no unit PAL" in no_unit.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


# Pallet labels.


def test_lpn_without_sscc_gets_the_next_one_and_keeps_it(
    stocked: Wms, tmp_path: Path, sql: Sql, db: Engine
) -> None:
    first = stocked("labels", "pallet", "--lpn", "PAL-1", "--company-prefix", PREFIX,
                    "--out", str(tmp_path / "one.png"))
    assert first.exit_code == 0, first.output
    sscc = make_sscc(PREFIX, 1)
    assert lpn_ssccs(sql, db)["PAL-1"] == sscc
    read = gs1_of(tmp_path / "one.png")
    # 24 each fill exactly 2 cases, so the label counts cases of the case GTIN.
    assert (read.sscc, read.content_gtin, read.quantity, read.lot) == (
        sscc, "19501101530000", 2, None)
    assert f"(00){sscc}(02)19501101530000(37)2" in first.stdout
    again = stocked("labels", "pallet", "--lpn", sscc, "--out", str(tmp_path / "two.png"))
    assert again.exit_code == 0, again.output
    assert gs1_of(tmp_path / "two.png").sscc == sscc
    assert lpn_ssccs(sql, db)["PAL-1"] == sscc


def test_lot_pallet_label_round_trips_lot_and_expiry(
    stocked: Wms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WMS_GS1_COMPANY_PREFIX", PREFIX)
    result = stocked("labels", "pallet", "--lpn", "PAL-2", "--out", str(tmp_path / "milk.png"))
    assert result.exit_code == 0, result.output
    read = gs1_of(tmp_path / "milk.png")
    assert (read.sscc, read.content_gtin, read.quantity, read.lot, read.expiry) == (
        make_sscc(PREFIX, 1), "05901234123457", 10, "L1", date(2031, 1, 31))


def test_mixed_pallet_label_carries_only_the_sscc(stocked: Wms, tmp_path: Path) -> None:
    result = stocked("labels", "pallet", "--lpn", "PAL-3", "--company-prefix", PREFIX,
                     "--format", "svg", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    sscc = make_sscc(PREFIX, 1)
    svg = (tmp_path / f"{sscc}.svg").read_text(encoding="utf-8")
    assert f"(00){sscc}" in svg
    assert "(02)" not in svg
    assert "mixed: 2 items or lots" in svg


def test_new_pallet_issues_a_fresh_sscc_each_time_and_registers_it(
    stocked: Wms, tmp_path: Path, sql: Sql, db: Engine
) -> None:
    args = ("labels", "pallet", "--sku", "MILK", "--count", "40", "--lot", "L1",
            "--company-prefix", PREFIX)
    first = stocked(*args, "--out", str(tmp_path / "a.png"))
    second = stocked(*args, "--best-before", "--out", str(tmp_path / "b.png"))
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    one, two = make_sscc(PREFIX, 1), make_sscc(PREFIX, 2)
    read = gs1_of(tmp_path / "a.png")
    # The lot's stored expiry fills (17) when --expiry is not given.
    assert (read.sscc, read.content_gtin, read.quantity, read.lot, read.expiry) == (
        one, "05901234123457", 40, "L1", date(2031, 1, 31))
    later = gs1_of(tmp_path / "b.png")
    assert (later.sscc, later.fields["15"]) == (two, "310131")
    ssccs = lpn_ssccs(sql, db)
    assert ssccs[one] == one and ssccs[two] == two


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sku", "WIDGET", "--count", "5"), "WMS_GS1_COMPANY_PREFIX"),
        (("--sku", "WIDGET", "--count", "5", "--company-prefix", "12AB"), "4 to 12 digits"),
        (("--sku", "BOLT", "--count", "5", "--company-prefix", PREFIX), "has no GTIN"),
        (("--sku", "MILK", "--count", "5", "--company-prefix", PREFIX), "give --lot"),
        (("--sku", "MILK", "--count", "5", "--lot", "NEW", "--company-prefix", PREFIX),
         "give --expiry"),
        (("--sku", "WIDGET", "--count", "5", "--expiry", "31.12.2030",
          "--company-prefix", PREFIX), "YYYY-MM-DD"),
        (("--sku", "WIDGET", "--company-prefix", PREFIX), "--count"),
        (("--lpn", "PAL-1", "--sku", "WIDGET"), "either --lpn"),
        (("--lpn", "PAL-1", "--count", "3"), "--count go with --sku"),
        (("--lpn", "PAL-1"), "WMS_GS1_COMPANY_PREFIX"),
    ],
)
def test_pallet_bad_input_exits_2_and_issues_nothing(
    stocked: Wms, tmp_path: Path, sql: Sql, db: Engine, args: tuple[str, ...], message: str
) -> None:
    result = stocked("labels", "pallet", *args, "--out", str(tmp_path / "p"))
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert all(sscc is None for sscc in lpn_ssccs(sql, db).values())
    assert not (tmp_path / "p").exists()


def test_unknown_lpn_is_an_error(stocked: Wms, tmp_path: Path) -> None:
    result = stocked("labels", "pallet", "--lpn", "NOPE", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "unknown LPN NOPE" in result.stderr


def issue_concurrently(engine: Engine) -> list[str]:
    """Four writers issuing pallet labels at once, as several admins printing might."""
    def issue(_: int) -> str:
        return label_data.new_pallet_label(engine, sku="WIDGET", count=12, prefix=PREFIX).sscc

    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(issue, range(12)))


def test_concurrent_pallet_labels_never_share_an_sscc_sqlite(sqlite_engine: Engine) -> None:
    stock_pallets(sqlite_engine)
    ssccs = issue_concurrently(sqlite_engine)
    assert sorted(ssccs) == [make_sscc(PREFIX, n) for n in range(1, 13)]


@pytest.mark.postgres
def test_pallet_labels_on_postgres(make_wms: MakeWms, pg_url: str, tmp_path: Path) -> None:
    wms = make_wms(pg_url)
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(pg_url)
    try:
        stock_pallets(engine)
        result = wms("labels", "pallet", "--lpn", "PAL-2", "--company-prefix", PREFIX,
                     "--out", str(tmp_path / "milk.png"))
        assert result.exit_code == 0, result.output
        assert gs1_of(tmp_path / "milk.png").sscc == make_sscc(PREFIX, 1)
        ssccs = issue_concurrently(engine)
        assert sorted(ssccs) == [make_sscc(PREFIX, n) for n in range(2, 14)]
    finally:
        engine.dispose()


# ZPL and the printer.



def test_zpl_is_written_and_sent_to_the_printer_byte_for_byte(
    stocked: Wms, tmp_path: Path
) -> None:
    printer = FakePrinter()
    target = tmp_path / "bins.zpl"
    result = stocked("labels", "location", "--format", "zpl", "--out", str(target),
                     "--printer", f"127.0.0.1:{printer.port}")
    assert result.exit_code == 0, result.output
    received = printer.close()
    assert received == target.read_bytes()
    text = received.decode("utf-8")
    assert text.count("^XA") == text.count("^XZ") == 4
    assert text.count("^BCN") == 4
    assert f"4 location label(s) sent to printer 127.0.0.1:{printer.port}" in result.stdout


def test_pallet_zpl_has_gs1_128_with_fnc1(stocked: Wms, tmp_path: Path) -> None:
    target = tmp_path / "pallet.zpl"
    result = stocked("labels", "pallet", "--lpn", "PAL-2", "--company-prefix", PREFIX,
                     "--format", "zpl", "--out", str(target))
    assert result.exit_code == 0, result.output
    zpl = target.read_text(encoding="utf-8")
    assert f"^FD>;>800{make_sscc(PREFIX, 1)}" in zpl
    assert f"^FD(00){make_sscc(PREFIX, 1)}" in zpl


def test_unreachable_printer_exits_1_with_a_clear_error(stocked: Wms) -> None:
    port = closed_port()
    result = stocked("labels", "item", "WIDGET", "--printer", f"127.0.0.1:{port}")
    assert result.exit_code == 1
    assert f"error: printer 127.0.0.1:{port} unreachable" in result.stderr


def test_printer_needs_zpl(stocked: Wms) -> None:
    result = stocked("labels", "item", "WIDGET", "--format", "png", "--printer", "x:9100")
    assert result.exit_code == 2
    assert "--printer sends ZPL" in result.stderr
