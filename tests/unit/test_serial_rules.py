"""Serial rules (what a serial may be, one per unit, none twice, GS1 (21)) and the receive
flow's Serial step, with in-memory fakes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pytest

from tests.flow_fakes import WIDGET
from tests.unit.flows.receive_fakes import SUPERVISOR, FakeReceiving
from wms_tui.domain.errors import BadInput, InvalidQuantity, ScanRejected
from wms_tui.domain.flows.receive import ReceiveFlow
from wms_tui.domain.serials import (
    SerialHistory,
    SerialRecord,
    check_entry,
    check_serial,
    duplicates,
    serial_from_scan,
)

PHONE = replace(WIDGET, id=7, sku="PHONE", description="Phone", serial_tracked=True)
PHONE_GTIN = "09501101530010"


@pytest.mark.parametrize(("raw", "serial"), [
    (" SN-1 ", "SN-1"), ("sn-1\x1d", "sn-1"), ("A" * 20, "A" * 20),
])
def test_a_serial_is_kept_as_scanned_without_outer_blanks(raw: str, serial: str) -> None:
    assert check_serial(raw) == serial


@pytest.mark.parametrize(("raw", "message"), [
    ("", "Scan or key the serial"), ("A" * 21, "Serial: max 20 chars"),
    ("SN 1", "Serial: letters, digits"), ("SN\x1b1", "Serial: letters, digits"),
    ("序列", "Serial: letters, digits"),
])
def test_a_malformed_serial_is_refused_by_name(raw: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        check_serial(raw)


def test_duplicates_and_one_serial_per_unit() -> None:
    assert duplicates(["A", "B", "A", "C", "B"]) == ["A", "B"]
    assert check_entry(["A", " B"], 2, "PHONE") == ("A", "B")
    with pytest.raises(BadInput, match="serial A is given twice"):
        check_entry(["A", "A"], 2, "PHONE")
    with pytest.raises(InvalidQuantity, match="3 units of PHONE need 3 serials, not 2"):
        check_entry(["A", "B"], 3, "PHONE")


def test_a_gs1_label_gives_its_serial_and_gtin_and_one_without_21_is_refused() -> None:
    scan = serial_from_scan(f"]C101{PHONE_GTIN}21SN-200")
    assert (scan.serial, scan.gtin, scan.from_gs1) == ("SN-200", PHONE_GTIN, True)
    assert serial_from_scan(f"(01){PHONE_GTIN}(21)X9").serial == "X9"
    with pytest.raises(ScanRejected, match=r"No serial \(21\) in scan"):
        serial_from_scan(f"]C101{PHONE_GTIN}10LOT1")
    plain = serial_from_scan("SN-1")
    assert (plain.serial, plain.gtin, plain.from_gs1) == ("SN-1", None, False)


@dataclass
class SerialReceiving(FakeReceiving):
    """The receiving fake with serials in stock and the serial look-ups a flow asks."""

    in_stock: set[str] = field(default_factory=set)

    @classmethod
    def with_phone(cls) -> SerialReceiving:
        base = FakeReceiving.receiving()
        base.catalog.items["PHONE"] = PHONE
        base.catalog.gtins[PHONE_GTIN] = PHONE
        return cls(base.catalog, base.lines, base.posts, base.orders, base.inbound)

    def serials_in_stock(self, item_id: int, serials: Sequence[str]) -> list[str]:
        return [s for s in serials if s in self.in_stock]

    def serials_at(self, location_id: int, item_id: int) -> list[SerialRecord]:
        return []

    def serial_history(self, serial: str, item_id: int | None = None) -> list[SerialHistory]:
        return []


def blind_phone(services: SerialReceiving, qty: str) -> ReceiveFlow:
    flow = ReceiveFlow(SUPERVISOR, services)
    flow.submit("BLIND")
    flow.submit("PHONE")
    flow.submit(qty)
    return flow


def test_the_serial_step_asks_one_per_unit_then_posts_them_with_the_receipt() -> None:
    services = SerialReceiving.with_phone()
    services.in_stock.add("OLD-1")
    flow = blind_phone(services, "3")
    assert (flow.current().name, flow.current().prompt) == ("serial", "Serial 1 of 3")
    assert flow.submit("A1").prompt == "Serial 2 of 3"
    step = flow.submit("A1")
    assert (step.prompt, step.message) == ("Serial 2 of 3", "A1 scanned twice: scan next")
    assert flow.submit("OLD-1").message == "OLD-1 in stock: scan next"
    assert flow.submit(PHONE_GTIN).message == "That is the item: scan serial"
    assert flow.submit(f"]C101{PHONE_GTIN}21B2").prompt == "Serial 3 of 3"
    assert services.received() == []
    done = flow.submit("C3")
    assert done.name == "item" and done.message == "Rcvd 3 EA PHONE"
    [command] = services.received()
    assert command.serials == ("A1", "B2", "C3")


def test_a_gs1_item_scan_with_21_fills_the_serial_so_quantity_one_posts_at_once() -> None:
    services = SerialReceiving.with_phone()
    flow = ReceiveFlow(SUPERVISOR, services)
    flow.submit("BLIND")
    assert flow.submit(f"]C101{PHONE_GTIN}21Z9").name == "qty"
    assert flow.submit("1").message == "Rcvd 1 EA PHONE"
    assert [c.serials for c in services.received()] == [("Z9",)]


def test_back_from_the_serial_step_forgets_the_serials_scanned() -> None:
    services = SerialReceiving.with_phone()
    flow = blind_phone(services, "2")
    flow.submit("A1")
    step = flow.back()
    assert step is not None and step.name == "qty"
    assert flow.submit("2").prompt == "Serial 1 of 2"


def test_items_without_serials_post_straight_after_the_quantity() -> None:
    services = SerialReceiving.with_phone()
    flow = ReceiveFlow(SUPERVISOR, services)
    flow.submit("BLIND")
    flow.submit("WIDGET")
    assert flow.submit("2").message == "Rcvd 2 EA WIDGET"
    assert [c.serials for c in services.received()] == [()]
