"""`wms scan explain` on GS1 weight AIs: the raw digits and the weight they stand for."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Wms

GTIN14 = "09501101530003"


@pytest.mark.parametrize(("data", "ai", "digits", "weight"), [
    (f"]C101{GTIN14}3103001234", "3103", "001234",
     {"value": "1.234", "unit": "kg", "basis": "net"}),
    (f"(01){GTIN14}(3202)002720", "3202", "002720",
     {"value": "27.20", "unit": "lb", "basis": "net"}),
    (f"]C101{GTIN14}3303001500<GS>10L1", "3303", "001500",
     {"value": "1.500", "unit": "kg", "basis": "gross"}),
])
def test_json_gives_the_weight_next_to_the_raw_digits(
    ready: Wms, data: str, ai: str, digits: str, weight: dict[str, str]
) -> None:
    result = ready("scan", "explain", data, "--json")
    assert result.exit_code == 0, result.output
    gs1_data = json.loads(result.stdout)["gs1_data"]
    assert gs1_data["fields"][ai] == digits
    assert gs1_data["weights"] == {ai: weight}


def test_the_table_shows_the_decoded_weight(ready: Wms) -> None:
    result = ready("scan", "explain", f"(01){GTIN14}(3103)001234(3303)001500")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert "      weights: (3103) 1.234 kg net; (3303) 1.500 kg gross" in rows
    # The weights line comes right under the raw digits (gs1_data wraps at 80 columns).
    first = next(n for n, row in enumerate(rows) if row.startswith("     gs1_data: "))
    weights = rows.index("      weights: (3103) 1.234 kg net; (3303) 1.500 kg gross")
    assert "'001234'" in "".join(rows[first:weights])
    assert rows[weights + 1].startswith("    gs1_error:")


def test_a_label_without_weights_shows_none(ready: Wms) -> None:
    result = ready("scan", "explain", f"(01){GTIN14}(10)L1")
    assert result.exit_code == 0, result.output
    assert "weights" not in result.stdout
    assert json.loads(ready("scan", "explain", f"(01){GTIN14}", "--json").stdout)[
        "gs1_data"]["weights"] == {}


def test_one_weight_in_two_precisions_is_a_gs1_error(ready: Wms) -> None:
    result = ready("scan", "explain", f"]C101{GTIN14}3103001234<GS>3102000123", "--json")
    assert result.exit_code == 0, result.output
    explained = json.loads(result.stdout)
    assert explained["gs1_data"] is None
    assert "(3103) and (3102) both give the net weight in kg" in explained["gs1_error"]
