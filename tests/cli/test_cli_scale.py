"""`wms scale read` against a simulated TCP scale."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from tests.cli.conftest import Wms
from tests.scale_sim import SimulatedScale, ad_line, settling

ROOT = Path(__file__).resolve().parents[2]
PATIENT = "30"


def test_prints_the_stable_weight(wms: Wms) -> None:
    with SimulatedScale(settling("1.234", style="sics")) as scale:
        result = wms("scale", "read", "--address", scale.address, "--timeout", PATIENT)
    assert result.exit_code == 0, result.output
    assert result.stdout == "1.234 kg\n"


def test_json_keeps_the_decimals_and_gives_kg(wms: Wms) -> None:
    with SimulatedScale(settling("2.50", "lb")) as scale:
        result = wms("scale", "read", "--address", scale.address, "--timeout", PATIENT,
                     "--samples", "3", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "value": "2.50", "unit": "lb", "basis": "gross", "kg": "1.1339809250"}
    assert result.stdout.splitlines()[0] == "{"


def test_the_address_may_come_from_wms_scale(tmp_path: Path) -> None:
    with SimulatedScale(settling("0.500")) as scale:
        result = CliRunner().invoke(
            app, ["scale", "read", "--timeout", PATIENT],
            env={"WMS_SCALE": scale.address, "WMS_DATA_DIR": str(tmp_path)})
    assert result.exit_code == 0, result.output
    assert result.stdout == "0.500 kg gross\n"


def test_a_bad_address_is_bad_input(wms: Wms) -> None:
    result = wms("scale", "read", "--address", "scale-3:4001")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: Scale address scale-3:4001: use tcp://host:port or serial:/dev/…\n")


def test_an_unsettled_scale_is_an_error_naming_the_timeout(wms: Wms) -> None:
    with SimulatedScale([ad_line("1.2", stable=False)]) as scale:
        result = wms("scale", "read", "--address", scale.address, "--timeout", "0.3")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and " in 0.3s: " in result.stderr


def test_an_overloaded_scale_is_an_error(wms: Wms) -> None:
    with SimulatedScale(["OL,GS,+9999999 kg"]) as scale:
        result = wms("scale", "read", "--address", scale.address, "--timeout", PATIENT)
    assert result.exit_code == 1
    assert result.stderr == "error: Scale overloaded: take the load off\n"


def test_a_timeout_out_of_range_is_refused(wms: Wms) -> None:
    result = wms("scale", "read", "--address", "tcp://127.0.0.1:1", "--timeout", "0")
    assert result.exit_code == 2


def test_reading_a_scale_loads_no_database_or_gs1_parser(tmp_path: Path) -> None:
    script = ("import sys, json\nfrom cli import app\n"
              "try:\n    app(sys.argv[1:], prog_name='wms')\n"
              "except SystemExit as done:\n    code = done.code\n"
              "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}), file=sys.stderr)")
    with SimulatedScale(settling("1.234")) as scale:
        env = {**os.environ, "WMS_DATA_DIR": str(tmp_path)}
        done = subprocess.run(
            [sys.executable, "-c", script, "scale", "read", "--address", scale.address,
             "--timeout", PATIENT],
            cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120)
    report = json.loads(done.stderr.splitlines()[-1])
    assert (report["code"], done.stdout) == (0, "1.234 kg gross\n")
    loaded = {m.split(".")[0] for m in report["modules"]}
    assert loaded & {"sqlalchemy", "sqlmodel", "biip", "textual", "asyncssh"} == set()
    assert "wms_tui.scale" in report["modules"]
