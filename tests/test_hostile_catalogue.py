"""The hostile-input catalogue (issue 18): every entry sent through every door that takes
outside text, in one place. Each door either refuses it with a reason or passes it on inert:
nothing raw reaches a terminal, a log or a spreadsheet, nothing crashes, memory stays bounded.

The doors' own tests go deeper (tests/cli/test_cli_hostile_output.py, tests/tui/
test_input_limits.py, tests/unit/test_scan_fuzz.py, tests/serve/, tests/e2e/); this file is the
list a reviewer reads to see what has been tried.
"""

from __future__ import annotations

import io
import json
import logging
import tracemalloc
from pathlib import Path

import pytest

from tests.cli.conftest import make_runner, sqlite_url
from wms_tui.domain.errors import WmsError
from wms_tui.domain.scan import GS, normalize_scan, scan_explanation
from wms_tui.domain.text import csv_cell, shown
from wms_tui.input_limits import MAX_BURST_BYTES, InputGate
from wms_tui.safe_logging import SafeFormatter
from wms_tui.serve.sessions import terminal_id

CATALOGUE: dict[str, str] = {
    "formula =": '=HYPERLINK("http://x","y")',
    "formula +": "+SKU1",
    "formula @": "@SUM(1)",
    "formula -": "-1+2",
    "formula tab": "\t=1+1",
    "formula full-width": "\uff1d1+1",
    "clipboard write": "\x1b]52;c;ZXZpbA==\x07",
    "title change": "\x1b]0;pwned\x07",
    "C1 CSI": "\x9b2J",
    "bidi override": "SKU\u202e1-UKS",
    "NUL and DEL": "A\x00B\x7f",
    "line break (log forging)": "OP1\n2026-12-06 ERROR forged",
    "lone surrogate": "A\udcff",
    "10k characters": "X" * 10_000,
}
# Scans that raised inside the GS1 / Digital Link parsers before issue 18.
PARSER_CRASHES = ["]" + GS, "https://[", "http://[x/01/09501101530003"]

CONTROL = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))} | {"\u202e", "\x1b"}


def inert(text: str) -> bool:
    """No control character, bidi override or lone surrogate left raw."""
    return not any(c in CONTROL or 0xD800 <= ord(c) <= 0xDFFF for c in text)


@pytest.mark.parametrize("name", CATALOGUE)
def test_shown_text_is_inert_everywhere(name: str) -> None:
    assert inert(shown(CATALOGUE[name]))


@pytest.mark.parametrize("name", CATALOGUE)
def test_csv_cells_never_start_a_formula(name: str) -> None:
    cell = csv_cell(CATALOGUE[name])
    assert isinstance(cell, str)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d"))


@pytest.mark.parametrize("name", CATALOGUE)
def test_a_terminal_id_is_a_safe_name_or_the_default(name: str) -> None:
    chosen = terminal_id(CATALOGUE[name], "TELNET-1", peer="10.0.0.9")
    assert chosen == "TELNET-1" or chosen.replace("-", "").replace("_", "").isalnum()


@pytest.mark.parametrize("name", CATALOGUE)
def test_a_log_line_stays_one_printable_line(name: str) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(SafeFormatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(f"tests.hostile.{len(name)}")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("terminal %s said %s", CATALOGUE[name], CATALOGUE[name])
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and inert(lines[0])


@pytest.mark.parametrize("scan", [*CATALOGUE.values(), *PARSER_CRASHES],
                         ids=[*CATALOGUE, "]+GS", "https://[", "http://[x/01/…"])
def test_a_scan_is_refused_with_a_reason_or_read_and_never_crashes(scan: str) -> None:
    try:
        normalize_scan(scan)
    except WmsError as refusal:
        assert str(refusal)
    explained = json.dumps(scan_explanation(scan), ensure_ascii=True)
    assert "Traceback" not in explained


def test_a_one_megabyte_paste_is_cut_before_it_is_parsed() -> None:
    gate = InputGate("RF-HOSTILE")
    tracemalloc.start()
    admitted = sum(gate.admit(b"X" * 65_536) for _ in range(16))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert admitted <= MAX_BURST_BYTES
    assert peak < 4 * 2**20


@pytest.mark.parametrize("name", ["formula =", "clipboard write", "title change", "C1 CSI",
                                  "bidi override"])
def test_an_import_file_with_hostile_headers_and_cells_echoes_nothing_raw(
    tmp_path: Path, name: str,
) -> None:
    hostile = CATALOGUE[name]
    wms = make_runner(sqlite_url(tmp_path), tmp_path / "data")
    assert wms("init").exit_code == 0
    csv_file = tmp_path / "items.csv"
    csv_file.write_text(f"sku,description,base_uom,{hostile}\n{hostile},{hostile},EA,1\n",
                        encoding="utf-8")
    json_file = tmp_path / "items.json"
    json_file.write_text(json.dumps([{"sku": "A1", "base_uom": "EA", hostile: "x"}]),
                         encoding="utf-8")
    for path in (csv_file, json_file):
        result = wms("item", "import", str(path))
        assert result.exit_code in (0, 2), result.output
        assert inert(result.output.replace("\n", "")), repr(result.output)
    exported = wms("export", "stock")
    assert inert(exported.output.replace("\n", ""))
