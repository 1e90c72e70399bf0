"""A link dropped, a session or the whole server killed right after the scan that posts:
nothing lost, nothing posted twice, and every post that committed is named on the resumed
screen (issue 18 item 1), over real SSH."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.e2e.clients import SshTerminal
from tests.e2e.conftest import EA_GTIN, ServeFactory, Server, Site
from tests.e2e.fault_resume import Fault, FaultReport, run_rounds
from wms_tui.db.uow import uow_factory
from wms_tui.domain.stock import Receive, post

pytestmark = pytest.mark.slow

# Rounds of move, drop 0-60 ms after the To scan, resume; bench/fault_resume.py runs 200.
ROUNDS = 40
# PostgreSQL rounds: fewer, to keep the suite quick; the bench runs both in full.
PG_ROUNDS = 20
# Drops and session kills mixed; server kills are fewer, each restart taking a second or two.
KILL_ROUNDS = 20
PG_KILL_ROUNDS = 10
SERVER_KILL_ROUNDS = 3


def run(site: Site, serve: ServeFactory, tmp_path: Path, rounds: int,
        faults: Sequence[Fault] = ("drop",)) -> FaultReport:
    # One widget per round, beyond the 30 the site starts with.
    post(uow_factory(site.engine), site.wh.admin, Receive(site.wh.widget, rounds, site.wh.a1,
                                                          "ASN-FAULTS"))
    # A restarted server keeps its data directory (host key, session log), as on a real host.
    data = {"WMS_DATA_DIR": str(tmp_path / "data-faults")}

    def start() -> Server:
        return serve(site, "--ssh-auth", "none", "--idle-timeout", "0", env=data)

    report = asyncio.run(run_rounds(start, site.engine, rounds, faults))
    print(f"\n{report.table()}\n{report.seconds:.1f} s")
    return report


def check(report: FaultReport, site: Site, rounds: int) -> None:
    detail = report.as_dict()
    assert len(report.rounds) == rounds
    assert (report.lost, report.duplicated) == (0, 0), detail
    # One move per round: the interrupted one if it committed, else the one keyed after
    # resuming, each under its own confirmation key.
    assert report.moves == report.keys == rounds, detail
    assert all(r.offered for r in report.rounds), detail
    assert report.unnamed == [], detail
    assert report.false_claims == [], detail
    assert site.on_hand(site.wh.a2) == rounds
    assert site.ledger_mismatches() == []


def test_every_committed_post_is_named_on_resume_sqlite(
    site: Site, serve: ServeFactory, tmp_path: Path,
) -> None:
    report = run(site, serve, tmp_path, ROUNDS)
    check(report, site, ROUNDS)


def test_every_committed_post_is_named_on_resume_postgresql(
    pg_site: Site, serve: ServeFactory, tmp_path: Path,
) -> None:
    report = run(pg_site, serve, tmp_path, PG_ROUNDS)
    check(report, pg_site, PG_ROUNDS)


def test_drops_and_session_kills_lose_nothing_sqlite(
    site: Site, serve: ServeFactory, tmp_path: Path,
) -> None:
    report = run(site, serve, tmp_path, KILL_ROUNDS, ("drop", "kill-session"))
    check(report, site, KILL_ROUNDS)


def test_drops_and_session_kills_lose_nothing_postgresql(
    pg_site: Site, serve: ServeFactory, tmp_path: Path,
) -> None:
    report = run(pg_site, serve, tmp_path, PG_KILL_ROUNDS, ("drop", "kill-session"))
    check(report, pg_site, PG_KILL_ROUNDS)


def test_a_killed_and_restarted_server_loses_nothing_sqlite(
    site: Site, serve: ServeFactory, tmp_path: Path,
) -> None:
    report = run(site, serve, tmp_path, SERVER_KILL_ROUNDS, ("kill-server",))
    check(report, site, SERVER_KILL_ROUNDS)


def test_after_an_idle_logout_the_last_move_is_offered_and_named(
    site: Site, serve: ServeFactory,
) -> None:
    """Posted and shown, then the terminal idled out before the operator keyed anything."""
    server = serve(site, "--ssh-auth", "none", "--idle-timeout", "2")

    async def operator() -> None:
        t = await SshTerminal.connect(server.port, cols=20, rows=16)
        await t.login()
        await t.key("3", "Scan from location")
        await t.enter("A-01-01-1", "Scan item")
        await t.enter(EA_GTIN, "Qty in EA")
        await t.enter("4", "Scan to location")
        await t.enter("A-01-02-1", "Moved 4 EA to A-01-02-1")
        await t.wait_closed(timeout=30)
        assert "Idle timeout" in t.screen.words()
        t = await SshTerminal.connect(server.port, cols=20, rows=16)
        await t.wait_for("User ID")
        await t.enter("OP1", "PIN")
        await t.enter("1234", "Resume Move?")
        await t.answer("1", "Last: Moved 4 EA to A-01-02-1", "Scan from location")
        await t.close()

    asyncio.run(operator())
    assert (site.on_hand(site.wh.a1), site.on_hand(site.wh.a2)) == (26, 4)
