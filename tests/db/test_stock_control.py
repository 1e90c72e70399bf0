"""Supervised adjustments and status changes on the real database (SQLite and PostgreSQL):
reasons of the right kind, the supervisor recorded, refusals that change nothing, and a wave
line short of held stock allocated once QC releases it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.db.outbound_site import TODAY, Site
from tests.factories import Warehouse
from wms_tui.db.migrate import downgrade, upgrade
from wms_tui.domain.errors import (
    BadInput,
    InsufficientStock,
    InvalidQuantity,
    NotFound,
    PermissionDenied,
)
from wms_tui.domain.model import BalanceKey, MovementKind, StockStatus
from wms_tui.domain.outbound import TaskKind, release_wave
from wms_tui.domain.stock import Reserve, reserve
from wms_tui.domain.stock_control import (
    QC_REJECT_REASONS,
    AdjustRequest,
    StatusRequest,
    StockPlace,
    adjust_stock,
    change_stock_status,
)

HELD = StockStatus.QC_HOLD
AVAILABLE = StockStatus.AVAILABLE


@pytest.fixture
def site(engine: Engine, wh: Warehouse) -> Site:
    return Site.build(engine, wh)


def on_hand(site: Site, status: StockStatus = AVAILABLE, location: int | None = None) -> int:
    with site.uow() as uow:
        row = uow.stock.balance(BalanceKey(site.wh.widget, location or site.wh.a1, None, None,
                                           status))
        return 0 if row is None else row.quantity


def adjust(site: Site, delta: int, reason: str, key: str = "k-adjust",
           status: StockStatus = AVAILABLE) -> None:
    adjust_stock(site.uow, site.wh.supervisor,
                 AdjustRequest(StockPlace("WIDGET", "A-01-01-1"), delta, reason, status), key)


def change(site: Site, qty: int, to: StockStatus, reason: str | None = None,
           key: str = "k-status", from_status: StockStatus = HELD) -> None:
    change_stock_status(site.uow, site.wh.supervisor, StatusRequest(
        StockPlace("WIDGET", "A-01-01-1"), qty, from_status, to, reason), key)


def test_seeded_status_reasons_are_of_kind_status(site: Site) -> None:
    with site.uow() as uow:
        kinds = {code: uow.catalog.reason_kind(code)
                 for code in ("QC-PASS", *QC_REJECT_REASONS, "BLOCK", "UNBLOCK", "LOST")}
    assert kinds == {"QC-PASS": "status", "QC-REJ": "status", "QC-DMG": "status",
                     "QC-LABEL": "status", "BLOCK": "status", "UNBLOCK": "status",
                     "LOST": "adjust"}


def test_adjustments_post_signed_with_reason_and_approver(site: Site) -> None:
    site.receive(site.wh.widget, 10, site.wh.a1)
    adjust(site, -3, "lost", key="k1")
    adjust(site, +5, "FOUND", key="k2")
    # The same key again posts nothing more.
    adjust(site, +5, "FOUND", key="k2")
    assert on_hand(site) == 12
    rows = [m for m in site.movements() if m.kind == MovementKind.ADJUST.value]
    assert [(m.quantity, m.from_location_id, m.to_location_id, m.reason_code) for m in rows] == [
        (3, site.wh.a1, None, "LOST"), (5, None, site.wh.a1, "FOUND")]
    assert {(m.user_id, m.approved_by) for m in rows} == {(site.wh.supervisor.user_id,
                                                           site.wh.supervisor.user_id)}
    assert site.exact() == []


@pytest.mark.parametrize(("delta", "reason", "error", "message"), [
    (-3, "QC-PASS", BadInput, "reason QC-PASS is of kind status, not adjust"),
    (-3, "NOPE", BadInput, "unknown reason code 'NOPE'"),
    (-11, "LOST", InsufficientStock, "WIDGET at A-01-01-1 has 10 EA available, not 11"),
    (-8, "LOST", InsufficientStock,
     "4 EA reserved: only 6 available free, not 8"),
    (0, "LOST", InvalidQuantity, "an adjustment of 0 changes nothing"),
])
def test_bad_adjustments_are_refused_and_change_nothing(
        site: Site, delta: int, reason: str, error: type[Exception], message: str) -> None:
    site.receive(site.wh.widget, 10, site.wh.a1)
    reserve(site.uow, site.wh.supervisor, Reserve(site.wh.widget, 4, site.wh.a1, "SO-1"))
    with pytest.raises(error, match=message):
        adjust(site, delta, reason)
    assert on_hand(site) == 10
    assert [m.kind for m in site.movements()] == ["receive"]


def test_an_operator_may_not_adjust_or_change_status(site: Site) -> None:
    site.receive(site.wh.widget, 10, site.wh.a1, status=HELD)
    place = StockPlace("WIDGET", "A-01-01-1")
    with pytest.raises(PermissionDenied, match="OP1 \\(operator\\) may not adjust"):
        adjust_stock(site.uow, site.wh.operator, AdjustRequest(place, -1, "LOST"), "k1")
    with pytest.raises(PermissionDenied, match="may not change status"):
        change_stock_status(site.uow, site.wh.operator,
                            StatusRequest(place, 1, HELD, AVAILABLE), "k2")
    assert on_hand(site, HELD) == 10


def test_status_changes_release_reject_block_and_unblock(site: Site) -> None:
    site.receive(site.wh.widget, 10, site.wh.a1, status=HELD)
    change(site, 6, AVAILABLE, key="k1")
    change(site, 2, StockStatus.DAMAGED, "qc-rej", key="k2")
    change(site, 3, StockStatus.BLOCKED, key="k3", from_status=AVAILABLE)
    change(site, 1, AVAILABLE, key="k4", from_status=StockStatus.BLOCKED)
    assert {s: on_hand(site, s) for s in StockStatus} == {
        AVAILABLE: 4, HELD: 2, StockStatus.DAMAGED: 2, StockStatus.BLOCKED: 2}
    rows = [m for m in site.movements() if m.kind == MovementKind.STATUS.value]
    assert [(m.from_status, m.to_status, m.reason_code) for m in rows] == [
        ("qc_hold", "available", "QC-PASS"), ("qc_hold", "damaged", "QC-REJ"),
        ("available", "blocked", "BLOCK"), ("blocked", "available", "UNBLOCK")]
    assert {m.user_id for m in rows} == {site.wh.supervisor.user_id}
    assert site.exact() == []


@pytest.mark.parametrize(("qty", "to", "reason", "message"), [
    (11, AVAILABLE, None, "WIDGET at A-01-01-1 has 10 EA QC hold, not 11"),
    (1, HELD, None, "from and to are both QC hold: nothing would change"),
    (1, StockStatus.DAMAGED, None, "a reason is needed to make QC hold stock damaged"),
    (1, StockStatus.DAMAGED, "LOST", "reason LOST is of kind adjust, not status"),
    (0, AVAILABLE, None, "change the status of 1 or more, not 0"),
])
def test_bad_status_changes_are_refused_and_change_nothing(
        site: Site, qty: int, to: StockStatus, reason: str | None, message: str) -> None:
    site.receive(site.wh.widget, 10, site.wh.a1, status=HELD)
    with pytest.raises((BadInput, InsufficientStock, InvalidQuantity), match=message):
        change(site, qty, to, reason)
    assert on_hand(site, HELD) == 10
    assert [m.kind for m in site.movements()] == ["receive"]


def test_a_line_short_of_held_stock_is_allocated_after_the_qc_release(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 8, wh.a1, status=HELD)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "5", "EA"))
    first = release_wave(site.uow, wh.supervisor, refs=["SO-1"], today=TODAY)
    [missing] = first.unallocated
    assert (missing.missing, missing.reason) == (5, "stock is on hold, damaged or blocked only")
    # Still held: taking the order again would only add an empty wave.
    with pytest.raises(BadInput, match="nothing more of it can be allocated now"):
        release_wave(site.uow, wh.supervisor, refs=["SO-1"], today=TODAY)
    change(site, 8, AVAILABLE)
    # Released stock is seen at once: a release of the order again allocates its line.
    again = release_wave(site.uow, wh.supervisor, refs=["SO-1"], today=TODAY)
    assert (first.code, again.code) == ("W0001", "W0002") and again.unallocated == ()
    assert [(t.location, t.quantity) for t in again.tasks] == [("A-01-01-1", 5)]
    assert [ln.allocated for ln in site.lines("SO-1")] == [5]
    assert site.order("SO-1").wave_id == first.wave_id
    assert site.balance(wh.widget, wh.a1) == (8, 5)
    with site.uow() as uow:
        tasks = uow.outbound.tasks(kind=TaskKind.PICK, wave_id=again.wave_id)
    assert [t.order_ref for t in tasks] == ["SO-1"]
    # Fully allocated now: a third release is refused as before.
    with pytest.raises(BadInput, match="order SO-1 is released, not open"):
        release_wave(site.uow, wh.supervisor, refs=["SO-1"], today=TODAY)
    assert site.exact() == []


def test_migration_0014_goes_down_and_up_keeping_codes_the_ledger_names(site: Site) -> None:
    site.receive(site.wh.widget, 3, site.wh.a1, status=HELD)
    change(site, 1, StockStatus.DAMAGED, "QC-REJ")
    downgrade(site.engine, "0013")
    with site.uow() as uow:
        assert (uow.catalog.reason_kind("QC-REJ"), uow.catalog.reason_kind("QC-DMG")) == (
            "status", None)
    upgrade(site.engine)
    with site.uow() as uow:
        assert [uow.catalog.reason_kind(code) for code in QC_REJECT_REASONS] == ["status"] * 3
    assert site.exact() == []


def test_a_plain_wave_release_takes_a_line_left_short_by_held_stock_once_released(
        site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 8, wh.a1, status=HELD)
    site.orders(("SO-1", "", "", "", "1", "WIDGET", "5", "EA"))
    first = release_wave(site.uow, wh.supervisor, today=TODAY)
    assert first.orders == ("SO-1",) and first.unallocated[0].missing == 5
    # Still held and no other order open: there is nothing to release, and no empty wave.
    with pytest.raises(NotFound, match="no open orders to release"):
        release_wave(site.uow, wh.supervisor, today=TODAY)
    change(site, 8, AVAILABLE)
    site.orders(("SO-2", "", "", "", "1", "WIDGET", "1", "EA"))
    again = release_wave(site.uow, wh.supervisor, today=TODAY)
    assert (again.code, again.orders, again.unallocated) == ("W0002", ("SO-1", "SO-2"), ())
    assert sorted((t.order, t.quantity) for t in again.tasks) == [("SO-1", 5), ("SO-2", 1)]
    assert site.order("SO-1").wave_id == first.wave_id
    assert site.balance(wh.widget, wh.a1) == (8, 6)
    assert site.exact() == []
