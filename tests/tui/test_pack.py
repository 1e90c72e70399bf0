"""The Pack flow driven through the RF app at 16x20 and 24x80: a wave picked into TOTE-1 by the
pick services, then two cartons packed over the RF screens (one by item with a keyed weight,
one with ALL weighed by a GS1 310n scan); the ledger, the cartons and the SSCCs shown whole.
A scan at the carton-type and confirm questions answers neither."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from textual.pilot import Pilot

from tests.tui.helpers import SIZES, Site, burst, enter, keys, login, run, screen_text
from tests.unit.flows.pack_site import pack_backend, pick_into_tote
from wms_tui.screens.step import FlowScreen

WIDE = (80, 24)
HANDHELD = (20, 16)


def step_name(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen)
    return str(app.screen.step.name)


def cartons(site: Site) -> list[tuple[Any, ...]]:
    with site.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT c.sscc, c.carton_type, c.weight_kg, c.weight_source, i.sku, l.quantity "
            "FROM carton c JOIN carton_line l ON l.carton_id = c.id "
            "JOIN item i ON i.id = l.item_id ORDER BY c.id, i.sku"))]


def shown_whole(app: Any, code: str) -> bool:
    """The code's digits in order on the screen, wrapped maybe but never cut."""
    screen = screen_text(app)
    return code in "".join(screen.split()) and "…" not in screen


@pytest.mark.parametrize("size", [HANDHELD, WIDE], ids=["16x20", "24x80"])
def test_two_cartons_packed_over_the_rf_screens(site: Site, size: tuple[int, int]) -> None:
    outbound = pick_into_tote(site.engine, site.wh, receive_widgets=False)
    app = site.app(services=pack_backend(outbound))
    ssccs: list[str] = []

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        assert "p Pack" in screen_text(app)
        await keys(pilot, "p")
        assert step_name(app) == "tote"
        await enter(pilot, "TOTE-1")
        assert step_name(app) == "item"
        rows = screen_text(app).splitlines()
        assert "Tote: TOTE-1" in rows and "WIDGET: 12 EA" in "\n".join(rows)
        if size == WIDE:
            # The pack station's screen lists every line left with its description.
            for shown in ("Order: SO-1", "WIDGET: 12 EA", "Blue widget", "BOLT: 4 EA",
                          "Bolt M8"):
                assert shown in screen_text(app), (shown, screen_text(app))
        await enter(pilot, "WIDGET")
        assert step_name(app) == "qty"
        await enter(pilot, "")
        assert "Added 12 EA WIDGET" in screen_text(app)
        await enter(pilot, "")
        assert step_name(app) == "type"
        # A scan at the carton-type question does not answer it.
        await burst(pilot, "BOX-L\r")
        assert step_name(app) == "type"
        await enter(pilot, "2")
        assert step_name(app) == "weight"
        await enter(pilot, "7.25")
        assert step_name(app) == "confirm"
        await burst(pilot, "1\r")
        assert step_name(app) == "confirm" and cartons(site) == []
        await enter(pilot, "1")
        assert step_name(app) == "done"
        ssccs.append(cartons(site)[0][0])
        assert shown_whole(app, ssccs[0]), screen_text(app)
        assert "Packed 12 units" in screen_text(app)
        await enter(pilot, "")
        assert step_name(app) == "item" and "WIDGET" not in screen_text(app)
        await enter(pilot, "ALL")
        await enter(pilot, "")
        # The weight from a GS1 net weight barcode, scanned: 3.480 kg.
        await burst(pilot, "(3103)003480\r")
        assert step_name(app) == "confirm" and "3.480 kg" in screen_text(app)
        await enter(pilot, "1")
        ssccs.append(cartons(site)[-1][0])
        assert shown_whole(app, ssccs[1]), screen_text(app)
        await enter(pilot, "")
        assert step_name(app) == "tote" and "Tote TOTE-1 packed" in screen_text(app)

    run(app, size, script)
    assert [(c[1], Decimal(str(c[2])), c[3], c[4], c[5]) for c in cartons(site)] == [
        ("BOX-M", Decimal("7.25"), "keyed", "WIDGET", 12),
        ("BOX-S", Decimal("3.48"), "scan", "BOLT", 4)]
    assert [c[0] for c in cartons(site)] == ssccs and len(set(ssccs)) == 2
    assert outbound.balance(site.wh.widget, outbound.tote1) == (0, 0)
    assert outbound.balance(site.wh.heavy, outbound.tote1) == (0, 0)
    assert site.ledger_exact() and outbound.exact() == []


@pytest.mark.parametrize("size", [s for s in SIZES if s != WIDE], ids=["16x20", "8x40"])
def test_the_handheld_menu_has_pack_for_operators(site: Site, size: tuple[int, int]) -> None:
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot)
        assert "p Pack" in screen_text(app)

    run(app, size, script)
