"""The supervisor's desk in the RF app: a waiting count approved or rejected with A / R, never
by whoever counted it; whole codes in the approvals table; over-receipts among the exceptions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session
from textual.pilot import Pilot

from tests.tui.helpers import Site, keys, login, run, screen_text, settle
from wms_tui.db.tables import Item, ItemUom, Location
from wms_tui.db.uow import uow_factory
from wms_tui.domain.checkdigits import location_check_digits
from wms_tui.domain.counting import (
    CountPolicy,
    CountStatus,
    CountTrigger,
    create_count_task,
    submit_count,
)
from wms_tui.domain.errors import AuthFailed
from wms_tui.domain.inbound import ReceiveLine, import_inbound_orders, receive_line
from wms_tui.domain.model import MovementKind
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.stock import Move, Receive, new_confirmation_key, post
from wms_tui.domain.users import MAX_FAILED_ATTEMPTS, authenticate
from wms_tui.screens.menu import MenuScreen
from wms_tui.screens.modals import ConfirmModal
from wms_tui.screens.supervisor import Desk, SupervisorScreen, column_widths

DeskBackend = RfBackend  # the app's backend, supervisor and counting services included


def waiting_count(site: Site, counted: int = 4) -> int:
    """A count of A-01-01-1 (30 widgets on the book) that found `counted`, twice."""
    uow = uow_factory(site.engine)
    with uow() as u:
        task = create_count_task(u, site.wh.a1, CountTrigger.SUPERVISOR)
        u.commit()
    assert task is not None
    for _ in range(2):
        submit_count(uow, site.wh.operator, task, [(site.wh.widget, None, counted)],
                     new_confirmation_key(), policy=CountPolicy(recount_by_other_operator=False))
    return task


async def open_desk(pilot: Pilot[Any]) -> None:
    await login(pilot, "SUP1")
    assert isinstance(pilot.app.screen, MenuScreen)
    pilot.app.push_screen(SupervisorScreen(pilot.app.screen.actor))
    await settle(pilot)


async def table_row(pilot: Pilot[Any], first_cell: str) -> str:
    """The approvals table's row starting with first_cell; the table may paint a frame late."""
    for _ in range(20):
        rows = [line for line in screen_text(pilot.app).splitlines()
                if line.split()[:1] == [first_cell]]
        if rows:
            return rows[0]
        await pilot.pause(0.05)
    raise AssertionError(f"no row {first_cell}:\n{screen_text(pilot.app)}")


def test_approve_posts_the_variance_with_the_supervisor(site: Site) -> None:
    task = waiting_count(site)
    post(uow_factory(site.engine), site.wh.supervisor,
         Move(site.wh.widget, 2, site.wh.a1, site.wh.a2, "PUTAWAY-WIDGET", reason_code="FULL"))
    app = site.app(services=DeskBackend(uow_factory(site.engine)))

    async def script(pilot: Pilot[Any]) -> None:
        await open_desk(pilot)
        text = screen_text(app)
        assert "Counts waiting for approval: 1" in text
        row = await table_row(pilot, str(task))
        assert row.split() == [str(task), "A-01-01-1", "WIDGET", "30", "4", "4", "-26", "-2"]
        assert "Since count: move 2 WIDGET A-01-01-1>A-01-02-1 SUP1 PUTAWAY-WIDGET" in text
        assert "Override PUTAWAY-WIDGET 2 WIDGET A-01-02-1 FULL SUP1" in text
        assert f"Count to approve COUNT-{task} A-01-01-1" in text
        await keys(pilot, "v")
        assert "Waves: 0" in screen_text(app)
        await keys(pilot, "a")
        assert isinstance(app.screen, ConfirmModal)
        assert f"Approve count {task} at A-01-01-1?" in screen_text(app)
        await keys(pilot, "1", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert f"* Count {task} approved: 1 adjustments posted" in text
        assert "Counts waiting for approval: 0" in text
        await keys(pilot, "escape")
        assert isinstance(app.screen, MenuScreen)

    run(app, (80, 24), script)
    [adjust] = [m for m in site.movements() if m.kind == MovementKind.ADJUST]
    # Counted 4 of the 30 on the book then; 2 moved out since: 28 - 26 = 2 left.
    assert (adjust.quantity, adjust.approved_by, adjust.reason_code) == (
        26, site.wh.supervisor.user_id, "COUNT")
    assert site.on_hand(site.wh.widget, site.wh.a1) == 2 and site.ledger_exact()


def test_reject_opens_a_fresh_count_and_no_answers_nothing(site: Site) -> None:
    task = waiting_count(site)
    app = site.app(services=DeskBackend(uow_factory(site.engine)))

    async def script(pilot: Pilot[Any]) -> None:
        await open_desk(pilot)
        await keys(pilot, "r")
        await keys(pilot, "2", "enter")
        assert isinstance(app.screen, SupervisorScreen)
        await keys(pilot, "r", "1", "enter")
        await settle(pilot)
        assert f"* Count {task} rejected: new count {task + 1}" in screen_text(app)
        await keys(pilot, "a")
        assert "! No count to decide" in screen_text(app)

    run(app, (100, 30), script)
    with uow_factory(site.engine)() as u:
        assert u.counting.task(task).status == CountStatus.REJECTED
        assert u.counting.task(task + 1).status == CountStatus.OPEN
    assert [m for m in site.movements() if m.kind == MovementKind.ADJUST] == []


def test_a_handheld_is_told_it_needs_a_bigger_screen(site: Site) -> None:
    waiting_count(site)
    app = site.app(services=DeskBackend(uow_factory(site.engine)))

    async def script(pilot: Pilot[Any]) -> None:
        await open_desk(pilot)
        text = screen_text(app)
        assert "Needs a 24x80" in text and "WIDGET" not in text

    run(app, (20, 16), script)


def test_a_count_the_supervisor_keyed_is_marked_and_cannot_be_decided_by_them(
        site: Site) -> None:
    uow = uow_factory(site.engine)
    with uow() as u:
        task = create_count_task(u, site.wh.a1, CountTrigger.SUPERVISOR)
        u.commit()
    assert task is not None
    # SUP1 counted first, OP1 recounted: SUP1 keyed an attempt, so SUP1 may not decide it.
    for counter in (site.wh.supervisor, site.wh.operator):
        submit_count(uow, counter, task, [(site.wh.widget, None, 4)], new_confirmation_key())
    app = site.app(services=DeskBackend(uow))
    own = f"You counted task {task}: another supervisor must approve or reject it"

    async def script(pilot: Pilot[Any]) -> None:
        await open_desk(pilot)
        await table_row(pilot, str(task))
        assert own in screen_text(app)
        for key in ("a", "r"):
            await keys(pilot, key)
            assert isinstance(app.screen, SupervisorScreen), key
            assert f"! {own}" in screen_text(app)

    run(app, (80, 24), script)
    with uow() as u:
        assert u.counting.task(task).status == CountStatus.PENDING_APPROVAL
    assert [m for m in site.movements() if m.kind == MovementKind.ADJUST] == []


def long_codes_count(site: Site, location: str, sku: str, lot: str) -> int:
    """A waiting count at a new location of a new lot-tracked item, 10 on the book, 3 found."""
    with Session(site.engine) as s:
        loc = Location(code=location, barcode=location,
                       check_digits=location_check_digits(location), type="reserve",
                       walk_seq=90)
        item = Item(sku=sku, description="Long codes", lot_tracked=True)
        s.add_all([loc, item])
        s.flush()
        assert item.id is not None
        s.add(ItemUom(item_id=item.id, uom="EA", factor=1))
        s.commit()
        loc_id, item_id = loc.id, item.id
    assert loc_id is not None and item_id is not None
    uow = uow_factory(site.engine)
    post(uow, site.wh.admin, Receive(item_id, 10, loc_id, "ASN-9", lot=lot))
    with uow() as u:
        lot_id = u.stock.lot_id(item_id, lot, None, create=False)
        task = create_count_task(u, loc_id, CountTrigger.SUPERVISOR)
        u.commit()
    assert task is not None
    for _ in range(2):
        submit_count(uow, site.wh.operator, task, [(item_id, lot_id, 3)], new_confirmation_key(),
                     policy=CountPolicy(recount_by_other_operator=False))
    return task


def test_whole_location_item_and_lot_codes_show_after_a_refill_at_24x80(site: Site) -> None:
    first = waiting_count(site)
    backend = DeskBackend(uow_factory(site.engine))
    app = site.app(services=backend)
    codes = ["R-12-034-05-B", "SKU-2026-BLUE-WIDGET", "LOT-20261114-A"]

    async def script(pilot: Pilot[Any]) -> None:
        await open_desk(pilot)
        await table_row(pilot, str(first))
        second = long_codes_count(site, *codes)
        desk = app.screen
        assert isinstance(desk, SupervisorScreen)
        # The refill painted before the table next idles, as a busy terminal session may.
        desk.loaded(SupervisorScreen.Loaded(Desk(backend.pending_approvals(), [], [])))
        assert screen_row(app, str(second)).split()[:4] == [str(second), *codes]
        await keys(pilot, "u")
        row = screen_row(app, str(second))
        assert row.split() == [str(second), *codes, "10", "3", "3", "-7", "+0"]
        assert screen_row(app, str(first)).split()[:3] == [str(first), "A-01-01-1", "WIDGET"]

    run(app, (80, 24), script)


def test_codes_too_long_for_80_columns_wrap_instead_of_being_cut(site: Site) -> None:
    waiting_count(site)
    app = site.app(services=DeskBackend(uow_factory(site.engine)))
    codes = ["RACK-EAST-MEZZANINE-07-B", "SKU-PALLET-WRAP-FILM-23MU-500MM", "LOT2026-11-BATCH-A7"]

    async def script(pilot: Pilot[Any]) -> None:
        await open_desk(pilot)
        task = long_codes_count(site, *codes)
        await keys(pilot, "u")
        lines = screen_text(app).splitlines()
        start = next(n for n, line in enumerate(lines) if line.split()[:1] == [str(task)])
        assert "-7" in lines[start].split() and "…" not in lines[start]
        for code in codes:
            # The code's column: where its first part is on the row's first line, that wide.
            x = lines[start].index(code[:6])
            width = len(lines[start][x:].split()[0])
            column = "".join(line[x:x + width].strip() for line in lines[start:start + 3])
            assert column == code, lines[start:start + 3]

    run(app, (80, 24), script)


def test_column_widths_fit_the_codes_and_squeeze_only_them() -> None:
    headers = ["Task", "Loc", "Item", "Lot", "Book"]
    fits = [headers, ["7", "A-01-01-1", "WIDGET", "L1", "30"]]
    assert column_widths(fits, 80, {1, 2, 3}) == [4, 9, 6, 3, 4]
    # 30 + 40 + 20 code cells in 80 columns: numbers keep theirs, the codes share the rest
    # (80 - 5 gaps - 8), the shortest first, so the lot keeps all 20.
    wide = [headers, ["7", "L" * 30, "S" * 40, "B" * 20, "30"]]
    assert column_widths(wide, 80, {1, 2, 3}) == [4, 23, 24, 20, 4]
    # Never narrower than the heading, whatever is left.
    assert column_widths(wide, 10, {1, 2, 3}) == [4, 3, 4, 3, 4]


def screen_row(app: Any, first_cell: str) -> str:
    rows = [line for line in screen_text(app).splitlines() if line.split()[:1] == [first_cell]]
    assert rows, f"no row {first_cell}:\n{screen_text(app)}"
    return rows[0]


def test_an_over_receipt_is_listed_among_the_open_exceptions(site: Site) -> None:
    uow = uow_factory(site.engine)
    report = import_inbound_orders(uow, [
        {"reference": "PO-36", "line_no": "1", "sku": "WIDGET", "quantity": "36"}])
    assert report.ok, report.errors
    with uow() as u:
        order = u.inbound.order_by_reference("PO-36")
    assert order is not None
    receive_line(uow, site.wh.supervisor, ReceiveLine(site.wh.widget, 5000, order_id=order.id,
                                                      reason_code="OVER-SHIP"))
    app = site.app(services=DeskBackend(uow))

    async def script(pilot: Pilot[Any]) -> None:
        await open_desk(pilot)
        text = screen_text(app)
        assert "Open exceptions: 1" in text
        assert ("Over-receipt PO-36 WIDGET DOCK-1 expected 36, received 5000 OVER-SHIP SUP1"
                in text)

    run(app, (80, 24), script)


def test_a_locked_out_user_is_listed_among_the_open_exceptions(site: Site) -> None:
    uow = uow_factory(site.engine)
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(AuthFailed):
            authenticate(uow(), "OP1", "0000")
    app = site.app(services=DeskBackend(uow))

    async def script(pilot: Pilot[Any]) -> None:
        await open_desk(pilot)
        text = screen_text(app)
        assert "Open exceptions: 1" in text
        assert "Locked: wrong PINs OP1 until " in text

    run(app, (80, 24), script)
