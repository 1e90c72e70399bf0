"""`wms order|wave|task cancel` through the CLI: what each says, exit codes, and `wms audit`."""

from __future__ import annotations

import json

from sqlalchemy import Engine

from tests.cli.conftest import Sql, Wms
from tests.cli.test_cli_lists import as_json
from tests.cli.test_cli_lists import site as site  # the fixture these tests share


def test_order_cancel_releases_and_says_so_once(site: Wms, db: Engine, sql: Sql) -> None:
    result = site("order", "cancel", "SO-1", "--as", "SUP1", "--reason", "customer called")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "order SO-1: cancelled", "  1 task(s) cancelled, 24 unit(s) released from reservation"]
    again = site("order", "cancel", "SO-1", "--as", "SUP1")
    assert "nothing changed now" in again.stdout
    assert sql(db, "SELECT SUM(reserved) FROM balance") == [(0,)]
    assert sql(db, "SELECT status FROM outbound_order WHERE reference = 'SO-1'") == [
        ("cancelled",)]
    [(login, detail)] = sql(db, "SELECT login, detail FROM audit_event WHERE event = 'cancel'")
    assert (login, detail) == (
        "SUP1", "order SO-1: 1 task(s) cancelled, 24 released; reason: customer called")


def test_order_cancel_refusals_exit_2_and_change_nothing(site: Wms, db: Engine,
                                                        sql: Sql) -> None:
    operator = site("order", "cancel", "SO-1", "--as", "OP1")
    assert operator.exit_code == 1 and "may not approve" in operator.stderr
    to_alone = site("order", "cancel", "SO-1", "--as", "SUP1", "--to", "A-01-01-1")
    assert to_alone.exit_code == 2
    assert "--to goes with --picked return-to-stock" in to_alone.stderr
    inbound_picked = site("order", "cancel", "PO-1", "--as", "SUP1", "--picked", "keep")
    assert inbound_picked.exit_code == 2
    assert site("order", "cancel", "NOPE", "--as", "SUP1").exit_code == 1
    assert sql(db, "SELECT SUM(reserved) FROM balance") == [(24,)]


def test_inbound_order_cancel_says_cancelled(site: Wms, db: Engine, sql: Sql) -> None:
    result = site("order", "cancel", "PO-1", "--as", "SUP1", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cancelled"] == "inbound order PO-1"
    assert sql(db, "SELECT status FROM inbound_order WHERE reference = 'PO-1'") == [
        ("cancelled",)]
    assert sql(db, "SELECT detail FROM audit_event WHERE event = 'cancel'") == [
        ("inbound order PO-1: cancelled",)]
    shown = site("order", "show", "PO-1", "--json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["status"] == "cancelled"
    assert "inbound order PO-1: cancelled" in site("order", "show", "PO-1").stdout
    [listed] = as_json(site("order", "list", "--kind", "inbound", "--status", "cancelled",
                            "--json").stdout)
    assert (listed["reference"], listed["status"]) == ("PO-1", "cancelled")
    assert as_json(site("order", "list", "--kind", "inbound", "--status", "closed",
                        "--json").stdout) == []
    refused = site("order", "cancel", "PO-1", "--as", "SUP1", "--key", "k2")
    assert refused.exit_code == 2
    assert "order PO-1 is cancelled: nothing to cancel" in refused.stderr


def test_wave_cancel_sends_its_order_back_to_open(site: Wms, db: Engine, sql: Sql) -> None:
    result = site("wave", "cancel", "W0001", "--as", "SUP1")
    assert result.exit_code == 0, result.output
    assert "back to open: SO-1" in result.stdout
    assert sql(db, "SELECT status, wave_id FROM outbound_order WHERE reference = 'SO-1'") == [
        ("open", None)]
    [wave] = as_json(site("wave", "list", "--status", "cancelled", "--json").stdout)
    assert (wave["status"], wave["open_tasks"], wave["cancelled_tasks"]) == (
        "cancelled", 0, wave["tasks"])
    assert sql(db, "SELECT status FROM wave WHERE code = 'W0001'") == [("cancelled",)]
    assert as_json(site("wave", "list", "--status", "done", "--json").stdout) == []
    released = site("wave", "release", "--as", "SUP1", "--order", "SO-1")
    assert released.exit_code == 0, released.output
    assert "wave W0002" in released.stdout


def test_task_cancel_releases_the_task(site: Wms, db: Engine, sql: Sql) -> None:
    [task] = as_json(site("task", "list", "--kind", "pick", "--json").stdout)
    result = site("task", "cancel", str(task["id"]), "--as", "SUP1")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"task {task['id']}: cancelled")
    assert sql(db, "SELECT SUM(reserved) FROM balance") == [(0,)]
    refused = site("task", "cancel", str(task["id"]), "--as", "SUP1", "--key", "k2")
    assert refused.exit_code == 2
    assert f"task {task['id']} is cancelled already" in refused.stderr
