"""`wms labels carton`: GS1 logistic carton labels in every format, decoded back; bad SSCCs."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from tests.cli.conftest import Wms
from tests.factories import build_warehouse
from tests.label_tools import gs1_read, pdf_page_images, pdf_text_strings, read_symbols
from wms_tui.db.engine import make_engine
from wms_tui.domain.checkdigits import make_sscc

SSCC = make_sscc("0614141", 4242)
SVG = "{http://www.w3.org/2000/svg}"
ADDRESSES = ("--ship-from", "Acme DC; 88 Harbour Rd; Shanghai",
             "--ship-to", "上海零售有限公司; 浦东新区 1 号")


@pytest.fixture
def warehouse(wms: Wms, db_url: str) -> Wms:
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(db_url)
    build_warehouse(engine)
    engine.dispose()
    return wms


def test_carton_png_of_an_item_barcodes_cases_lot_expiry_weight_and_the_sscc_lowest(
    warehouse: Wms, tmp_path: Path
) -> None:
    target = tmp_path / "carton.png"
    result = warehouse("labels", "carton", "--sscc", SSCC, *ADDRESSES, "--sku", "widget",
                       "--qty", "24", "--lot", "L7", "--expiry", "2030-06-30",
                       "--weight", "7.25", "--out", str(target))
    assert result.exit_code == 0, result.output
    assert f"SSCC {SSCC}  (00){SSCC}(02)19501101530000(37)2" in result.stdout
    assert result.stdout.strip().endswith(f"1 carton label(s): {target}")
    found = read_symbols(Image.open(target))
    assert found[-1].text == f"00{SSCC}"
    read = gs1_read([symbol.scanned for symbol in found])
    # 24 each are 2 cases: the label counts cases of the case GTIN.
    assert (read.sscc, read.content_gtin, read.quantity, read.lot, read.expiry) == (
        SSCC, "19501101530000", 2, "L7", date(2030, 6, 30))
    assert read.fields["3302"] == "000725"


def test_carton_without_an_item_carries_the_sscc_and_chinese_addresses(
    warehouse: Wms, tmp_path: Path
) -> None:
    result = warehouse("labels", "carton", "--sscc", SSCC, *ADDRESSES, "--format", "svg",
                       "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    root = ET.fromstring((tmp_path / f"{SSCC}.svg").read_bytes())
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "From: Acme DC" in texts
    assert "To: 上海零售有限公司" in texts
    assert f"(00){SSCC}" in texts


def test_carton_pdf_is_vector_with_chinese_in_the_cid_font(warehouse: Wms, tmp_path: Path) -> None:
    target = tmp_path / "carton.pdf"
    result = warehouse("labels", "carton", "--sscc", SSCC, *ADDRESSES, "--sku", "WIDGET",
                       "--qty", "1", "--format", "pdf", "--out", str(target))
    assert result.exit_code == 0, result.output
    sheet = target.read_bytes()
    assert re.findall(rb"/Subtype\s*/Image", sheet) == []
    assert b"/BaseFont /STSong-Light" in sheet
    assert "To: 上海零售有限公司".encode("utf-16-be") in pdf_text_strings(sheet)
    (page,) = pdf_page_images(sheet)
    found = read_symbols(page)
    assert [symbol.text for symbol in found] == ["0209501101530003371", f"00{SSCC}"]


def test_carton_zpl_prints_chinese_in_the_configured_printer_font(
    warehouse: Wms, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WMS_ZPL_CJK_FONT", "E:SIMSUN.TTF")
    target = tmp_path / "carton.zpl"
    result = warehouse("labels", "carton", "--sscc", SSCC, *ADDRESSES, "--format", "zpl",
                       "--out", str(target))
    assert result.exit_code == 0, result.output
    zpl = target.read_text(encoding="utf-8")
    assert zpl.startswith("^XA^CI28^PW812^LL")
    assert "^CW1,E:SIMSUN.TTF" in zpl.splitlines()[0]
    assert "^A@N,40,40,E:SIMSUN.TTF^FH_^FDTo: 上海零售有限公司^FS" in zpl
    assert "^BY4" in zpl
    assert f"^BCN,256,N,N,N,N^FD>;>800{SSCC}^FS" in zpl


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--sscc", SSCC[:-1] + str((int(SSCC[-1]) + 1) % 10)),
         f"wrong check digit: the last digit should be {SSCC[-1]}"),
        (("--sscc", "12345"), "must be 18 digits"),
        (("--sscc", SSCC, "--qty", "3"), "give --sku too"),
        (("--sscc", SSCC, "--sku", "NOPE", "--qty", "3"), "unknown SKU NOPE"),
        (("--sscc", SSCC, "--weight", "heavy"), "--weight must be kg"),
        (("--sscc", SSCC, "--weight", "1.23456"), "at most 3 decimals"),
        (("--sscc", SSCC, "--expiry", "30.06.2030", "--sku", "WIDGET"), "YYYY-MM-DD"),
    ],
)
def test_carton_bad_input_is_refused_clearly_and_writes_nothing(
    warehouse: Wms, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = warehouse("labels", "carton", *ADDRESSES, *args, "--out", str(tmp_path / "c"))
    assert result.exit_code in (1, 2), result.output
    assert message in result.stderr
    assert not (tmp_path / "c").exists()


def test_carton_needs_addresses(warehouse: Wms, tmp_path: Path) -> None:
    result = warehouse("labels", "carton", "--sscc", SSCC, "--ship-from", " ; ",
                       "--ship-to", "X", "--out", str(tmp_path / "c.png"))
    assert result.exit_code == 2
    assert "--ship-from needs a name and address" in result.stderr
