"""Inbound orders against the real database: receipts with line progress, QC hold, imports."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from tests.factories import Warehouse, saved_id
from wms_tui.db.tables import IdempotencyRecord, Item, ItemUom, Location, Movement
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.checkdigits import location_check_digits
from wms_tui.domain.errors import BadInput, PermissionDenied
from wms_tui.domain.flows.receive import ReceiveFlow
from wms_tui.domain.inbound import (
    InboundServicesMixin,
    InboundStatus,
    OverReceipt,
    ReceiveLine,
    find_order,
    import_inbound_orders,
    open_lines,
    receive_line,
)
from wms_tui.domain.masterdata import read_csv
from wms_tui.domain.model import BalanceKey, StockStatus
from wms_tui.domain.rf_services import WarehouseServices
from wms_tui.domain.stock import ledger_mismatches

Uow = Callable[[], SqlUnitOfWork]
EXPIRY = date(2099, 12, 31)
SSCC_ORDER = "095011015300000010"
SSCC_LINE = "095011015300000027"
COLUMNS = ("reference", "supplier", "expected_date", "line_no", "sku", "quantity", "uom",
           "tolerance_pct", "lot", "sscc")


def rows(*lines: tuple[str, ...]) -> list[dict[str, str]]:
    return [dict(zip(COLUMNS, line, strict=True)) for line in lines]


PO_1 = rows(
    ("po-1", "ACME", "2026-02-01", "1", "WIDGET", "2", "CS", "", "", ""),
    ("PO-1", "ACME", "2026-02-01", "2", "05901234123457", "10", "", "10", "", SSCC_LINE),
    ("PO-1", "ACME", "2026-02-01", "3", "SUP-W-1", "5", "EA", "", "", ""),
)


def import_po(uow: Uow) -> int:
    report = import_inbound_orders(uow, PO_1)
    assert report.ok, report.errors
    with uow() as u:
        order = u.inbound.order_by_reference("PO-1")
        assert order is not None
        return order.id


def line_ids(uow: Uow, order_id: int) -> dict[int, int]:
    with uow() as u:
        return {ln.line_no: ln.id for ln in u.inbound.lines(order_id)}


def movements(engine: Engine) -> list[Movement]:
    with Session(engine) as s:
        return list(s.execute(select(Movement).order_by(col(Movement.id))).scalars())


def add_qc_item(engine: Engine, *, qc_location: bool) -> int:
    with Session(engine) as s:
        item = Item(sku="SCREW", description="Screw", requires_qc=True)
        s.add(item)
        s.flush()
        s.add(ItemUom(item_id=saved_id(item.id), uom="EA", factor=1))
        if qc_location:
            s.add(Location(code="QC-1", barcode="QC-1", check_digits=location_check_digits("QC-1"),
                           type="qc", walk_seq=5))
        s.commit()
        assert item.id is not None
        return item.id


def test_receipt_posts_stock_and_line_progress_together(uow: Uow, wh: Warehouse,
                                                        engine: Engine) -> None:
    order_id = import_po(uow)
    lines = line_ids(uow, order_id)
    receipt = receive_line(uow, wh.operator, ReceiveLine(
        wh.widget, 2, "CS", order_id=order_id, line_id=lines[1]), "K1")
    assert (receipt.quantity, receipt.location, receipt.status) == (24, "DOCK-1",
                                                                    StockStatus.AVAILABLE)
    assert (receipt.line_received, receipt.order_status) == (24, InboundStatus.RECEIVING)
    [movement] = movements(engine)
    assert (movement.reference, movement.confirmation, movement.quantity) == ("PO-1", "K1", 24)
    with uow() as u:
        assert u.stock.balance(BalanceKey(wh.widget, wh.dock)).quantity == 24  # type: ignore[union-attr]
        assert [ln.line_no for ln in open_lines(u, order_id)] == [2, 3]
        assert u.inbound.order(order_id).status is InboundStatus.RECEIVING
        assert ledger_mismatches(u) == []


def test_a_failed_line_update_rolls_back_the_stock_posting(uow: Uow, wh: Warehouse,
                                                           engine: Engine) -> None:
    order_id = import_po(uow)

    class Raced(SqlUnitOfWork):
        """Another terminal used the line's last room between the check and the update."""

        def __enter__(self) -> Raced:
            super().__enter__()
            self.inbound.add_received = lambda *args: False  # type: ignore[method-assign]
            return self

    with pytest.raises(OverReceipt):
        receive_line(lambda: Raced(engine), wh.operator,
                     ReceiveLine(wh.widget, 5, order_id=order_id), "K-RACE")
    assert movements(engine) == []
    with uow() as u:
        assert u.stock.balances() == []
        assert u.idempotency.get("K-RACE") is None
        assert all(ln.received == 0 for ln in u.inbound.lines(order_id))


def test_a_resubmitted_key_returns_the_first_receipt_and_posts_nothing(
    uow: Uow, wh: Warehouse, engine: Engine
) -> None:
    order_id = import_po(uow)
    command = ReceiveLine(wh.widget, 5, order_id=order_id)
    first = receive_line(uow, wh.operator, command, "K1")
    again = receive_line(uow, wh.operator, command, "K1")
    assert again.replayed and not first.replayed
    assert (again.movement_ids, again.line_received) == (first.movement_ids, 5)
    assert len(movements(engine)) == 1
    with uow() as u:
        assert u.inbound.lines(order_id)[0].received == 5


def test_over_receipt_needs_a_supervisor_and_tolerance_counts(uow: Uow, wh: Warehouse,
                                                              engine: Engine) -> None:
    order_id = import_po(uow)
    lines = line_ids(uow, order_id)
    with pytest.raises(OverReceipt, match="takes 24 EA more of WIDGET, not 25"):
        receive_line(uow, wh.operator, ReceiveLine(wh.widget, 25, order_id=order_id), "K1")
    assert movements(engine) == []
    milk = ReceiveLine(wh.lotted, 11, order_id=order_id, line_id=lines[2], lot="L1",
                       expiry=EXPIRY)  # 10 expected, 10% tolerance
    assert receive_line(uow, wh.operator, milk, "K2").line_received == 11
    with pytest.raises(OverReceipt):
        receive_line(uow, wh.operator, milk, "K3")
    receipt = receive_line(uow, wh.supervisor, ReceiveLine(wh.widget, 30, order_id=order_id,
                                                           reason_code="OVER-SHIP"), "K4")
    assert receipt.line_received == 30
    assert [m.confirmation for m in movements(engine)] == ["K2", "K4"]


def test_order_closes_when_every_line_is_in_and_then_refuses_receipts(
    uow: Uow, wh: Warehouse
) -> None:
    order_id = import_po(uow)
    lines = line_ids(uow, order_id)
    receive_line(uow, wh.operator, ReceiveLine(wh.widget, 24, order_id=order_id,
                                               line_id=lines[1]), "K1")
    receive_line(uow, wh.operator, ReceiveLine(wh.widget, 5, order_id=order_id,
                                               line_id=lines[3]), "K2")
    last = receive_line(uow, wh.operator, ReceiveLine(
        wh.lotted, 10, order_id=order_id, lot="L1", expiry=EXPIRY), "K3")
    assert last.order_status is InboundStatus.CLOSED
    with pytest.raises(BadInput, match="PO-1 is closed"):
        receive_line(uow, wh.supervisor, ReceiveLine(wh.widget, 1, order_id=order_id), "K4")


def test_item_needing_inspection_goes_on_qc_hold_in_the_qc_area(uow: Uow, wh: Warehouse,
                                                                engine: Engine) -> None:
    screw = add_qc_item(engine, qc_location=True)
    receipt = receive_line(uow, wh.supervisor, ReceiveLine(screw, 7, location_id=wh.a1), "K1")
    assert (receipt.location, receipt.status) == ("QC-1", StockStatus.QC_HOLD)
    [movement] = movements(engine)
    assert (movement.to_status, movement.reference) == ("qc_hold", "BLIND")


def test_without_a_qc_area_inspection_stock_is_held_on_the_dock(uow: Uow, wh: Warehouse,
                                                                engine: Engine) -> None:
    screw = add_qc_item(engine, qc_location=False)
    receipt = receive_line(uow, wh.supervisor, ReceiveLine(screw, 7), "K1")
    assert (receipt.location, receipt.status) == ("DOCK-1", StockStatus.QC_HOLD)
    with uow() as u:
        key = BalanceKey(screw, wh.dock, status=StockStatus.QC_HOLD)
        assert u.stock.balance(key).quantity == 7  # type: ignore[union-attr]


def test_blind_receipt_needs_permission(uow: Uow, wh: Warehouse, engine: Engine) -> None:
    with pytest.raises(PermissionDenied):
        receive_line(uow, wh.operator, ReceiveLine(wh.widget, 1), "K1")
    assert movements(engine) == []


def test_receipts_go_onto_scanned_or_numbered_pallets(uow: Uow, wh: Warehouse) -> None:
    sup = wh.supervisor
    assert receive_line(uow, sup, ReceiveLine(wh.widget, 1, new_lpn=True), "K1").lpn == "LPN0000001"
    assert receive_line(uow, sup, ReceiveLine(wh.widget, 1, new_lpn=True), "K2").lpn == "LPN0000002"
    assert receive_line(uow, sup, ReceiveLine(wh.widget, 1, lpn="LPN0000001"), "K3").lpn == (
        "LPN0000001")
    assert receive_line(uow, sup, ReceiveLine(wh.widget, 2, sscc=SSCC_ORDER), "K4").lpn == (
        SSCC_ORDER)
    with uow() as u:
        pallet = u.catalog.lpn_by_code("LPN0000001")
        assert pallet is not None
        assert sum(r.quantity for r in u.stock.balances_on_lpn(pallet.id)) == 2
        sscc = u.catalog.lpn_by_code(SSCC_ORDER)
        assert sscc is not None and sscc.sscc == SSCC_ORDER
    # A pallet already elsewhere is not received onto from this dock.
    with pytest.raises(BadInput, match="is at DOCK-1, not at DOCK-2"):
        second_dock(uow)
        receive_line(uow, sup, ReceiveLine(wh.widget, 1, lpn="LPN0000001",
                                           location_id=dock_id(uow, "DOCK-2")), "K5")


def second_dock(uow: Uow) -> None:
    with uow() as u:
        u.session.add(Location(code="DOCK-2", barcode="DOCK-2",
                               check_digits=location_check_digits("DOCK-2"), type="dock",
                               walk_seq=1))
        u.commit()


def dock_id(uow: Uow, code: str) -> int:
    with uow() as u:
        found = u.catalog.location_by_code(code)
        assert found is not None
        return found.id


def test_lots_past_expiry_and_bad_lot_codes_are_refused(uow: Uow, wh: Warehouse) -> None:
    sup = wh.supervisor
    with pytest.raises(BadInput, match="in the past"):
        receive_line(uow, sup, ReceiveLine(wh.lotted, 1, lot="L1", expiry=date(2020, 1, 1)),
                     "K1")
    with pytest.raises(BadInput, match="no spaces"):
        receive_line(uow, sup, ReceiveLine(wh.lotted, 1, lot="L 1", expiry=EXPIRY), "K2")


def test_orders_are_found_by_reference_order_sscc_or_line_sscc(uow: Uow, wh: Warehouse) -> None:
    import_po(uow)
    report = import_inbound_orders(uow, [
        {"reference": "ASN-9", "line_no": "1", "sku": "BOLT", "quantity": "1", "uom": "BOX",
         "order_sscc": SSCC_ORDER},
    ])
    assert report.ok, report.errors
    with uow() as u:
        assert find_order(u, "po-1").order.reference == "PO-1"  # type: ignore[union-attr]
        by_order = find_order(u, f"]C100{SSCC_ORDER}")
        assert by_order is not None and (by_order.order.reference, by_order.sscc) == (
            "ASN-9", SSCC_ORDER)
        by_line = find_order(u, SSCC_LINE)
        assert by_line is not None and by_line.order.reference == "PO-1"
        assert find_order(u, "PO-404") is None
        assert u.inbound.lines(by_order.order.id)[0].quantity == 100


def test_import_reports_every_bad_row_and_writes_nothing(uow: Uow, wh: Warehouse) -> None:
    bad = rows(
        ("", "ACME", "", "1", "WIDGET", "1", "", "", "", ""),
        ("PO-7", "ACME", "", "1", "NOPE", "1", "", "", "", ""),
        ("PO-7", "ACME", "", "2", "WIDGET", "abc", "", "", "", ""),
        ("PO-7", "ACME", "", "3", "WIDGET", "1", "PL", "", "", ""),
        ("PO-7", "OTHER", "2026-13-01", "4", "WIDGET", "1", "", "", "", ""),
        ("PO-7", "ACME", "", "5", "WIDGET", "1", "", "-1", "", "095011015300000011"),
        ("PO-7", "ACME", "", "5", "WIDGET", "1", "", "", "BAD LOT", ""),
        ("BLIND", "", "", "1", "WIDGET", "1", "", "", "", ""),
        ("PO-8", "ACME", "", "1", "MILK", "1", "", "", "", SSCC_LINE),
        ("PO-7", "ACME", "", "6", "MILK", "1", "", "", "", SSCC_LINE),
        ("PO-7", "OTHER", "", "6", "BOLT", "1", "BOX", "", "", ""),
    )
    for dry_run in (True, False):
        report = import_inbound_orders(uow, bad, dry_run=dry_run)
        prefixes = [e.split(": ")[0] + ": " + e.split(": ")[1] for e in report.errors]
        assert prefixes == [
            "row 2: reference", "row 3: sku", "row 4: quantity", "row 5: uom",
            "row 6: expected_date", "row 6: supplier", "row 7: tolerance_pct", "row 7: sscc",
            "row 8: lot", "row 8: line_no", "row 9: reference", "row 11: sscc",
            "row 12: line_no", "row 12: supplier",
        ], report.errors
        assert "nothing was changed" in report.summary()
    with uow() as u:
        assert u.inbound.order_by_reference("PO-7") is None
        assert u.inbound.order_by_reference("PO-8") is None


def test_import_is_idempotent_and_updates_by_reference_and_line(uow: Uow, wh: Warehouse) -> None:
    first = import_inbound_orders(uow, PO_1)
    assert (first.created, first.unchanged, first.updated) == (3, 0, 0)
    assert first.notes == ["orders: 1 created, 0 unchanged, 0 updated"]
    again = import_inbound_orders(uow, PO_1)
    assert (again.created, again.unchanged, again.updated) == (0, 3, 0)
    assert again.notes == ["orders: 0 created, 1 unchanged, 0 updated"]
    # A file without the optional columns keeps what they said; a changed quantity updates.
    preview = import_inbound_orders(uow, [
        {"reference": "PO-1", "line_no": "2", "sku": "MILK", "quantity": "20"},
        {"reference": "PO-1", "line_no": "4", "sku": "BOLT", "quantity": "1"},
    ], dry_run=True)
    assert (preview.created, preview.updated, preview.dry_run) == (1, 1, True)
    with uow() as u:
        order = u.inbound.order_by_reference("PO-1")
        assert order is not None and len(u.inbound.lines(order.id)) == 3
    import_inbound_orders(uow, [
        {"reference": "PO-1", "line_no": "2", "sku": "MILK", "quantity": "20"},
    ])
    with uow() as u:
        assert order is not None
        milk = u.inbound.lines(order.id)[1]
        assert (milk.quantity, milk.tolerance_pct, milk.sscc) == (20, 10, SSCC_LINE)
        assert (order.supplier, order.expected_date) == ("ACME", date(2026, 2, 1))


def test_import_cannot_change_received_lines_or_closed_orders(uow: Uow, wh: Warehouse) -> None:
    order_id = import_po(uow)
    receive_line(uow, wh.operator, ReceiveLine(wh.widget, 20, order_id=order_id), "K1")
    report = import_inbound_orders(uow, [
        {"reference": "PO-1", "line_no": "1", "sku": "WIDGET", "quantity": "19"},
    ])
    assert report.errors == ["row 2: quantity: 19 EA is below the 20 EA already received"]
    # A line without receipts may change its item; one with receipts may shrink to them.
    report = import_inbound_orders(uow, [
        {"reference": "PO-1", "line_no": "1", "sku": "WIDGET", "quantity": "20"},
        {"reference": "PO-1", "line_no": "3", "sku": "BOLT", "quantity": "1"},
    ])
    assert (report.errors, report.updated) == ([], 2)
    with uow() as u:
        u.inbound.set_status(order_id, InboundStatus.CLOSED)
        u.commit()
    report = import_inbound_orders(uow, [
        {"reference": "PO-1", "line_no": "4", "sku": "WIDGET", "quantity": "1"},
    ])
    assert report.errors == ["row 2: reference: order PO-1 is closed: it cannot change"]
    unchanged = import_inbound_orders(uow, [
        {"reference": "PO-1", "line_no": "3", "sku": "BOLT", "quantity": "1"},
    ])
    assert unchanged.ok and unchanged.unchanged == 1


def test_import_refuses_changing_the_item_of_a_line_with_receipts(uow: Uow, wh: Warehouse) -> None:
    order_id = import_po(uow)
    receive_line(uow, wh.operator, ReceiveLine(wh.widget, 1, order_id=order_id), "K1")
    report = import_inbound_orders(uow, [
        {"reference": "PO-1", "line_no": "1", "sku": "BOLT", "quantity": "24"},
    ])
    assert report.errors == [
        "row 2: sku: line 1 of PO-1 already has receipts of WIDGET; its item cannot change"]


class Services(InboundServicesMixin, WarehouseServices):
    pass


def test_receive_flow_on_the_real_warehouse(uow: Uow, wh: Warehouse, engine: Engine) -> None:
    order_id = import_po(uow)
    flow = ReceiveFlow(wh.operator, Services(uow))
    flow.submit("PO-1")
    flow.submit("19501101530000")
    assert flow.submit("1").message == "Rcvd 1 CS WIDGET"
    step = flow.submit("]C1010590123412345717491231" + "10LOT42\x1d3010")
    assert step.message == "Rcvd 10 EA MILK"
    flow.submit("LPN")
    flow.submit("WIDGET")
    assert flow.submit("5").message == "Rcvd 5 EA WIDGET on LPN0000001"
    assert flow.submit("WIDGET").name == "qty"
    assert flow.submit("8").message == "Over receipt: key 7 EA at most"
    with uow() as u:
        received = {ln.line_no: ln.received for ln in u.inbound.lines(order_id)}
        assert received == {1: 17, 2: 10, 3: 0}
        assert ledger_mismatches(u) == []
    with Session(engine) as s:
        assert s.execute(select(func.count()).select_from(IdempotencyRecord)).scalar() == 3


def test_import_reads_a_csv_file_with_spreadsheet_row_numbers(uow: Uow, wh: Warehouse) -> None:
    data = b"\xef\xbb\xbfReference,line_no,SKU,quantity\nPO-9,1,WIDGET,5\n\nPO-9,2,NOPE,1\n"
    report = import_inbound_orders(uow, read_csv(data, "po.csv"))
    assert report.errors == ["row 4: sku: no item with SKU, alias or GTIN 'NOPE'"]
    with pytest.raises(BadInput, match="missing required column"):
        import_inbound_orders(uow, read_csv(b"reference,sku,quantity\nPO-9,WIDGET,1\n"))
    with pytest.raises(BadInput, match="unknown column"):
        import_inbound_orders(uow, [{"reference": "PO-9", "line_no": "1", "sku": "WIDGET",
                                     "quantity": "1", "colour": "red"}])
