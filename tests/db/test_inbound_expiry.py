"""An inbound line's announced expiry against the real database: imported, kept, refused when
it is not a date, and taken by a receipt of the announced lot."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from tests.factories import Warehouse
from wms_tui.db.tables import Balance, Lot
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.flows.receive import ReceiveFlow
from wms_tui.domain.inbound import InboundServicesMixin, import_inbound_orders
from wms_tui.domain.listings import OrderKind, order_detail
from wms_tui.domain.masterdata import read_csv
from wms_tui.domain.rf_services import WarehouseServices

Uow = Callable[[], SqlUnitOfWork]


class Services(InboundServicesMixin, WarehouseServices):
    pass


def line(reference: str, line_no: int, sku: str, lot: str = "", expiry: str = "") -> dict[str, str]:
    return {"reference": reference, "line_no": str(line_no), "sku": sku, "quantity": "10",
            "lot": lot, "expiry": expiry}


def expiries(uow: Uow, reference: str) -> list[tuple[str | None, date | None]]:
    with uow() as u:
        order = u.inbound.order_by_reference(reference)
        assert order is not None
        return [(ln.lot, ln.expiry) for ln in u.inbound.lines(order.id)]


def test_an_import_stores_the_expiry_and_a_file_without_the_column_keeps_it(
        uow: Uow, wh: Warehouse) -> None:
    report = import_inbound_orders(uow, [line("ASN-1", 1, "MILK", "L1", "2099-01-31"),
                                         line("ASN-1", 2, "WIDGET")])
    assert report.ok and report.created == 2, report.errors
    assert expiries(uow, "ASN-1") == [("L1", date(2099, 1, 31)), (None, None)]
    again = import_inbound_orders(uow, [line("ASN-1", 1, "MILK", "L1", "2099-01-31")])
    assert (again.unchanged, again.updated) == (1, 0)
    kept = import_inbound_orders(uow, [{"reference": "ASN-1", "line_no": "1", "sku": "MILK",
                                        "quantity": "12"}])
    assert kept.updated == 1
    assert expiries(uow, "ASN-1")[0] == ("L1", date(2099, 1, 31))
    # An empty cell in a column that is there means no expiry, as for the lot.
    import_inbound_orders(uow, [line("ASN-1", 1, "MILK", "L1", "")])
    assert expiries(uow, "ASN-1")[0] == ("L1", None)
    with uow() as u:
        detail = order_detail(u, "ASN-1", OrderKind.INBOUND)
    assert [(ln.lot, ln.expiry) for ln in detail.lines] == [("L1", None), (None, None)]


def test_a_bad_expiry_names_its_row_and_column_and_changes_nothing(
        uow: Uow, wh: Warehouse) -> None:
    data = (b"reference,line_no,sku,quantity,lot,expiry\n"
            b"ASN-2,1,MILK,5,L1,2099-02-30\nASN-2,2,MILK,5,L2,31/01/2099\n")
    for dry_run in (True, False):
        report = import_inbound_orders(uow, read_csv(data, "asn.csv"), dry_run=dry_run)
        assert report.errors == [
            "row 2: expiry: '2099-02-30' is not a date written YYYY-MM-DD",
            "row 3: expiry: '31/01/2099' is not a date written YYYY-MM-DD",
        ]
    with uow() as u:
        assert u.inbound.order_by_reference("ASN-2") is None


def test_receiving_the_announced_lot_takes_its_expiry(uow: Uow, wh: Warehouse,
                                                      engine: Engine) -> None:
    assert import_inbound_orders(uow, [line("ASN-3", 1, "MILK", "L1", "2099-01-31")]).ok
    flow = ReceiveFlow(wh.operator, Services(uow))
    flow.submit("ASN-3")
    assert flow.submit("05901234123457").name == "qty"
    assert flow.submit("4").name == "lot"
    assert flow.submit("L1").message == "Rcvd 4 EA MILK"
    with Session(engine) as s:
        lots = s.execute(select(col(Lot.code), col(Lot.expiry), col(Balance.quantity))
                         .join(Balance, col(Balance.lot_id) == col(Lot.id))).all()
    assert [tuple(r) for r in lots] == [("L1", date(2099, 1, 31), 4)]
