"""`wms api webhook`: add (the secret shown once), list, run, dead letters, replay, remove; and
`wms api` delivering from its own thread while it serves."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.webhook_receiver import receiver
from tests.cli.conftest import make_runner
from tests.conftest import fresh_sqlite_engine
from tests.factories import build_warehouse
from wms_tui.api import subscriptions
from wms_tui.api.app import create_app
from wms_tui.api.clients import ClientBook
from wms_tui.api.webhook_worker import WebhookWorker
from wms_tui.bootstrap import wire
from wms_tui.db.uow import uow_factory
from wms_tui.domain.stock import Receive, post


def test_webhook_commands_from_add_to_replay(tmp_path: Path) -> None:
    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    wh = build_warehouse(engine)
    wms = make_runner(f"sqlite:///{tmp_path / 'wms.db'}", tmp_path / "data")
    assert wms("api", "client", "add", "erp", "--scope", "read").exit_code == 0
    with receiver() as hook:
        refused = wms("api", "webhook", "add", "nobody", hook.url)
        assert refused.exit_code != 0 and "no active API client nobody" in refused.output
        bad_kind = wms("api", "webhook", "add", "erp", hook.url, "--kind", "teleport")
        assert bad_kind.exit_code != 0 and "teleport" in bad_kind.output
        added = wms("api", "webhook", "add", "erp", hook.url, "--kind", "receipt")
        assert added.exit_code == 0, added.output
        secret = added.stdout.strip().splitlines()[-1]
        assert secret.startswith("whsec_")
        listed = json.loads(wms("api", "webhook", "list", "--json").stdout)
        assert [(r["client"], r["kinds"], r["active"]) for r in listed] == [
            ("erp", "receipt", True)]
        assert secret not in wms("api", "webhook", "list").stdout
        post(uow_factory(engine), wh.admin, Receive(wh.widget, 4, wh.dock, "ASN-1"))
        hook.down = True
        ran = wms("api", "webhook", "run", "--once", "--tries", "1")
        assert "delivered 0, failed 1 (dead 1)" in ran.stdout, ran.output
        dead = json.loads(wms("api", "webhook", "dead", "--json").stdout)
        assert [(d["event"], d["tries"], d["last_error"]) for d in dead] == [
            ("receipt", 1, "HTTP 500")]
        assert wms("api", "webhook", "replay").exit_code == 2
        replayed = wms("api", "webhook", "replay", str(dead[0]["id"]))
        assert "1 dead deliveries queued again" in replayed.stdout
        hook.down = False
        ran = wms("api", "webhook", "run", "--once")
        assert "delivered 1, failed 0" in ran.stdout, ran.output
        assert hook.requests[-1].signed_by(secret)
        assert wms("api", "webhook", "dead").stdout.strip() == "no dead deliveries"
        removed = wms("api", "webhook", "remove", str(listed[0]["id"]))
        assert removed.exit_code == 0 and "removed" in removed.stdout
        assert wms("api", "webhook", "remove", str(listed[0]["id"])).exit_code != 0


def test_the_api_delivers_webhooks_while_it_serves(tmp_path: Path) -> None:
    engine = fresh_sqlite_engine(str(tmp_path / "wms.db"))
    wh = build_warehouse(engine)
    site = wire(engine)
    try:
        with receiver() as hook:
            subscriptions.subscribe(site.uow_factory, "erp", hook.url, ())
            worker = WebhookWorker(site.uow_factory)
            app = create_app(site, ClientBook(tmp_path / "clients.json"),
                             webhook_worker=worker)
            with TestClient(app):
                post(site.uow_factory, wh.admin, Receive(wh.widget, 2, wh.dock, "ASN-1"))
                assert hook.arrived.wait(30), "the worker thread sent nothing"
            assert [r.event["quantity"] for r in hook.requests] == [2]
    finally:
        site.close()
