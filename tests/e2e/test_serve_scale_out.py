"""Two `wms serve` processes over one PostgreSQL database: resume anywhere, stock stays exact."""

from __future__ import annotations

import asyncio

import pytest

from tests.e2e.clients import SshTerminal
from tests.e2e.conftest import EA_GTIN, ServeFactory, Site, move_five_then_drop
from tests.e2e.test_serve_resilience import wait_for_log

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


async def move(t: SshTerminal, source: str, qty: int, target: str) -> None:
    await t.enter(source, "Scan item")
    await t.enter(EA_GTIN, "Qty in EA")
    await t.enter(str(qty), "Scan to location")
    await t.enter(target, f"Moved {qty} EA to", "Scan from location")


def test_dropped_on_one_server_resumed_on_the_other_and_concurrent_moves_stay_exact(
    pg_site: Site, serve: ServeFactory,
) -> None:
    site = pg_site
    a = serve(site, "--ssh-auth", "none", name="a")
    b = serve(site, "--ssh-auth", "none", name="b")

    async def dropped_on_a() -> None:
        await move_five_then_drop(a.port)

    async def resumed_on_b_then_concurrent() -> None:
        t = await SshTerminal.connect(b.port, cols=20, rows=16, username="RF02")
        await t.wait_for("User ID")
        await t.enter("OP1", "PIN")
        await t.enter("1234", "Resume Move?")
        screen = await t.answer("1", "Scan to location")
        assert "Qty: 5 EA" in screen
        await t.enter("A-01-02-1", "Moved 5 EA to")
        other = await SshTerminal.connect(a.port, cols=20, rows=16, username="RF03")
        await other.login("SUP1")
        await other.key("3", "Scan from location")

        async def forth() -> None:
            for _ in range(4):
                await move(other, "A-01-01-1", 2, "A-01-02-1")

        async def back() -> None:
            for _ in range(4):
                await move(t, "A-01-02-1", 1, "A-01-01-1")

        await asyncio.gather(forth(), back())
        await t.close()
        await other.close()

    asyncio.run(dropped_on_a())
    wait_for_log(a, r"session 1 .* ended after .*\(hangup")
    assert site.on_hand(site.wh.a2) == 0
    asyncio.run(resumed_on_b_then_concurrent())
    assert (site.on_hand(site.wh.a1), site.on_hand(site.wh.a2)) == (30 - 5 - 8 + 4, 5 + 8 - 4)
    assert site.ledger_mismatches() == []
    terminals = {m.terminal for m in site.movements()}
    assert {"RF02", "RF03"} <= terminals
