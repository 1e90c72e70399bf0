"""`wms api`: client keys shown once and stored hashed, list and revoke, the loopback rule,
and a `wms --help` that loads no web framework."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.cli.conftest import make_runner
from tests.conftest import fresh_sqlite_engine
from wms_tui.api.app import create_app
from wms_tui.api.clients import ClientBook
from wms_tui.bootstrap import wire

ROOT = Path(__file__).resolve().parents[2]
WEB = ("fastapi", "uvicorn", "starlette", "httpx")


def test_a_client_key_is_shown_once_works_and_is_revoked(tmp_path: Path) -> None:
    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    url = f"sqlite:///{tmp_path / 'wms.db'}"
    wms = make_runner(url, tmp_path / "data")
    added = wms("api", "client", "add", "erp", "--scope", "read", "--scope", "orders")
    assert added.exit_code == 0, added.output
    key = added.stdout.strip().splitlines()[-1]
    assert key.startswith("wms_") and len(key) > 40
    book_file = tmp_path / "data" / "api_clients.json"
    assert key not in book_file.read_text()
    assert stat.S_IMODE(book_file.stat().st_mode) == 0o600
    with engine.connect() as conn:
        user = conn.execute(text(
            "SELECT role, active FROM wms_user WHERE login = 'API-ERP'")).one()
    assert (user.role, bool(user.active)) == ("supervisor", False)

    listed = json.loads(wms("api", "client", "list", "--json").stdout)
    assert [(c["name"], c["scopes"], c["user"], c["revoked_at"]) for c in listed] == [
        ("erp", "read,orders", "API-ERP", None)]
    assert key not in json.dumps(listed)

    site = wire(engine)
    with TestClient(create_app(site, ClientBook(book_file))) as http:
        auth = {"Authorization": f"Bearer {key}"}
        order = {"reference": "SO-9", "lines": [{"line_no": 1, "sku": "X", "quantity": 1}]}
        # The client's user acts: the order is refused for its SKU, not for the key.
        refused = http.post("/v1/orders/outbound", json=order,
                            headers={**auth, "Idempotency-Key": "k"})
        assert refused.status_code == 422
        assert http.get("/v1/stock", headers=auth).status_code == 200
        again = wms("api", "client", "add", "erp", "--scope", "read")
        assert again.exit_code == 2
        assert wms("api", "client", "revoke", "erp").exit_code == 0
        assert http.get("/v1/stock", headers=auth).status_code == 401
    site.close()


def test_a_public_address_needs_the_flag_naming_the_risk(tmp_path: Path) -> None:
    wms = make_runner(f"sqlite:///{tmp_path / 'wms.db'}", tmp_path / "data")
    result = wms("api", "--host", "0.0.0.0", "--port", "18080")
    assert result.exit_code == 2
    assert "--listen-public" in result.stderr
    assert "unencrypted" in result.stderr


def test_help_loads_no_web_framework(tmp_path: Path) -> None:
    script = ("import json, sys\nfrom typer.testing import CliRunner\nfrom cli import app\n"
              "runner = CliRunner()\n"
              "codes = [runner.invoke(app, a).exit_code for a in "
              "(['--help'], ['api', '--help'], ['api', 'client', 'add', '--help'])]\n"
              "print(json.dumps({'codes': codes, 'modules': sorted(sys.modules)}))")
    env = {**os.environ, "WMS_DATA_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    assert report["codes"] == [0, 0, 0]
    assert [m for m in report["modules"] if m.split(".")[0] in WEB] == []
    assert "wms_tui.cli.api" in report["modules"]
