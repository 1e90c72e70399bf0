"""The Receive flow driven through the RF app at 16x20, 8x40 and 24x80, checked in the ledger."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, col, select
from textual.pilot import Pilot

from tests.tui.helpers import EA_GTIN, SIZES, Site, enter, keys, login, run, screen_words
from wms_tui.db.tables import Lot, Movement
from wms_tui.db.uow import SqlUnitOfWork, uow_factory
from wms_tui.domain.inbound import import_inbound_orders
from wms_tui.domain.model import BalanceKey
from wms_tui.screens.modals import ConfirmModal
from wms_tui.screens.step import FlowScreen

COLUMNS = ("reference", "line_no", "sku", "quantity", "uom")
MILK_GTIN = "05901234123457"
GS = "\x1d"
# One GS1-128 case label: MILK, expiry 2030-12-31, lot LOT42 (variable length, so GS), 12 units.
MILK_LABEL = f"]C101{MILK_GTIN}17301231" + f"10LOT42{GS}3012"


def seed_order(site: Site) -> None:
    """PO-7: ten widgets and 24 milk expected, so one receipt leaves the order open."""
    rows = [dict(zip(COLUMNS, line, strict=True)) for line in (
        ("PO-7", "1", "WIDGET", "10", "EA"), ("PO-7", "2", "MILK", "24", "EA"))]
    report = import_inbound_orders(uow_factory(site.engine), rows)
    assert report.ok, report.errors


def step_name(app: Any) -> str:
    assert isinstance(app.screen, FlowScreen)
    return app.screen.step.name


def receipts(site: Site) -> list[Movement]:
    """Receive movements of this test, not the 30 widgets the site starts with."""
    with Session(site.engine) as s:
        rows = s.execute(select(Movement).where(Movement.kind == "receive")
                         .order_by(col(Movement.id))).scalars()
        return [m for m in rows if m.reference != "ASN-1"]


def at_dock(site: Site, item_id: int, lot_id: int | None = None) -> int:
    with SqlUnitOfWork(site.engine) as uow:
        row = uow.stock.balance(BalanceKey(item_id, site.wh.dock, lot_id=lot_id))
        return 0 if row is None else row.quantity


async def open_receive(pilot: Pilot[Any]) -> None:
    await login(pilot)
    await keys(pilot, "1")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[1]}x{s[0]}")
def test_receive_one_line_against_an_order(site: Site, size: tuple[int, int]) -> None:
    seed_order(site)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_receive(pilot)
        assert step_name(app) == "order"
        await enter(pilot, "PO-7")
        assert step_name(app) == "item" and "PO-7" in screen_words(app)
        await enter(pilot, EA_GTIN)
        assert step_name(app) == "qty"
        words = screen_words(app)
        assert "WIDGET" in words and "Qty in EA" in words
        await enter(pilot, "4")
        assert step_name(app) == "item"
        assert "* Rcvd 4 EA WIDGET" in screen_words(app)
        assert app.bell_count == 0

    run(app, size, script)
    [receipt] = receipts(site)
    assert (receipt.item_id, receipt.quantity, receipt.to_location_id, receipt.terminal) == (
        site.wh.widget, 4, site.wh.dock, "RF01")
    assert receipt.user_id == site.wh.operator.user_id
    assert at_dock(site, site.wh.widget) == 4
    assert site.ledger_exact()


GOOD = ["PO-7", EA_GTIN, "4"]
WRONG_SCANS = [
    ("order", 0, "NOPE-1", "! No order NOPE-1: scan the ASN"),
    ("item", 1, "BOLT", "! BOLT not on order: set it aside"),
    ("qty", 2, "11", "! Over receipt: key 10 EA at most"),
]


@pytest.mark.parametrize(("step", "done", "wrong", "shown"), WRONG_SCANS,
                         ids=[w[0] for w in WRONG_SCANS])
def test_wrong_scan_is_refused_with_the_bell_and_posts_nothing(
    site: Site, step: str, done: int, wrong: str, shown: str
) -> None:
    seed_order(site)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_receive(pilot)
        for scan in GOOD[:done]:
            await enter(pilot, scan)
        assert step_name(app) == step and app.bell_count == 0
        await enter(pilot, wrong)
        assert step_name(app) == step
        assert shown in screen_words(app)
        assert app.bell_count == 1
        assert receipts(site) == []
        # The right entry on the same step is accepted.
        await enter(pilot, GOOD[done])
        assert step_name(app) != step

    run(app, (20, 16), script)
    assert len(receipts(site)) == (1 if step == "qty" else 0)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[1]}x{s[0]}")
def test_one_gs1_label_fills_lot_expiry_and_quantity(site: Site, size: tuple[int, int]) -> None:
    seed_order(site)
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_receive(pilot)
        await enter(pilot, "PO-7")
        await enter(pilot, MILK_LABEL)
        # Nothing left to ask: the scan alone posted.
        assert step_name(app) == "item"
        assert "* Rcvd 12 EA MILK" in screen_words(app)
        assert app.bell_count == 0

    run(app, size, script)
    with Session(site.engine) as s:
        lot = s.execute(select(Lot).where(Lot.item_id == site.wh.lotted)).scalars().one()
    assert (lot.code, lot.expiry) == ("LOT42", date(2030, 12, 31))
    [receipt] = receipts(site)
    assert (receipt.item_id, receipt.quantity, receipt.lot_id) == (site.wh.lotted, 12, lot.id)
    assert at_dock(site, site.wh.lotted, lot.id) == 12
    assert site.ledger_exact()


def test_the_announced_lot_keyed_skips_the_expiry_step(site: Site) -> None:
    """An ASN line with lot and expiry: keying that lot posts with the announced expiry."""
    report = import_inbound_orders(uow_factory(site.engine), [
        {"reference": "ASN-9", "line_no": "1", "sku": "MILK", "quantity": "24",
         "lot": "L2612A", "expiry": "2030-01-31"}])
    assert report.ok, report.errors
    app = site.app()

    async def script(pilot: Pilot[Any]) -> None:
        await open_receive(pilot)
        await enter(pilot, "ASN-9")
        await enter(pilot, MILK_GTIN)
        await enter(pilot, "6")
        assert step_name(app) == "lot"
        await enter(pilot, "L2612A")
        assert step_name(app) == "item"
        assert "* Rcvd 6 EA MILK" in screen_words(app)
        assert app.bell_count == 0

    run(app, (80, 24), script)
    with Session(site.engine) as s:
        lot = s.execute(select(Lot).where(Lot.item_id == site.wh.lotted)).scalars().one()
    assert (lot.code, lot.expiry) == ("L2612A", date(2030, 1, 31))
    assert at_dock(site, site.wh.lotted, lot.id) == 6
    assert site.ledger_exact()


def test_resume_after_the_app_died_mid_receive_posts_exactly_once(site: Site) -> None:
    seed_order(site)
    first = site.app()

    async def until_quantity(pilot: Pilot[Any]) -> None:
        await open_receive(pilot)
        await enter(pilot, "PO-7")
        await enter(pilot, EA_GTIN)
        assert step_name(first) == "qty"

    # The first app ends without leaving the flow, as a killed one would.
    run(first, (20, 16), until_quantity)
    saved = site.services.saved_flow(site.wh.operator.user_id)
    assert saved is not None and saved[0] == "receive" and saved[1]["step"] == "qty"
    assert receipts(site) == []
    second = site.app()

    async def finish(pilot: Pilot[Any]) -> None:
        await login(pilot)
        assert isinstance(second.screen, ConfirmModal)
        assert "Resume Receive?" in screen_words(second)
        await keys(pilot, "1", "enter")
        assert step_name(second) == "qty" and "WIDGET" in screen_words(second)
        await enter(pilot, "6")
        assert "* Rcvd 6 EA WIDGET" in screen_words(second)

    run(second, (20, 16), finish)
    [receipt] = receipts(site)
    assert (receipt.item_id, receipt.quantity, receipt.to_location_id) == (
        site.wh.widget, 6, site.wh.dock)
    assert site.ledger_exact()
