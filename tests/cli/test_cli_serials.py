"""`wms serial show`: where a serial is and the movements that carried it; bad input exits 2."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session

from tests.cli.conftest import Wms
from tests.factories import build_warehouse, saved_id
from wms_tui.db.engine import make_engine
from wms_tui.db.tables import Item, ItemUom
from wms_tui.db.uow import uow_factory
from wms_tui.domain.stock import Pick, Receive, post


@pytest.fixture
def serials(wms: Wms, db_url: str) -> Wms:
    """PHONE serials SN-1 and SN-2 received into A-01-01-1, then SN-2 picked to the pick face."""
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(db_url)
    wh = build_warehouse(engine)
    with Session(engine) as s:
        phone = Item(sku="PHONE", description="Phone", base_uom="EA", serial_tracked=True)
        s.add(phone)
        s.flush()
        phone_id = saved_id(phone.id)
        s.add(ItemUom(item_id=phone_id, uom="EA", factor=1))
        s.commit()
    uow = uow_factory(engine)
    post(uow, wh.operator, Receive(phone_id, 2, wh.a1, "ASN-1", serials=("SN-1", "SN-2")))
    post(uow, wh.operator, Pick(phone_id, 1, wh.a1, "SO-1", to_location_id=wh.pick,
                                serials=("SN-2",)))
    engine.dispose()
    return wms


def test_serial_show_json_gives_location_status_and_history(serials: Wms) -> None:
    result = serials("serial", "show", "SN-2", "--item", "PHONE", "--json")
    assert result.exit_code == 0, result.output
    [unit] = json.loads(result.stdout)
    assert (unit["serial"], unit["sku"], unit["status"], unit["location"]) == (
        "SN-2", "PHONE", "in_stock", "P-01-01-1")
    assert [(e["kind"], e["from"], e["to"], e["reference"]) for e in unit["history"]] == [
        ("receive", None, "A-01-01-1", "ASN-1"), ("pick", "A-01-01-1", "P-01-01-1", "SO-1")]


def test_serial_show_table_says_where_it_is(serials: Wms) -> None:
    result = serials("serial", "show", "SN-1")
    assert result.exit_code == 0, result.output
    assert "SN-1 of PHONE: in_stock at A-01-01-1" in result.stdout
    assert "ASN-1" in result.stdout


@pytest.mark.parametrize(("args", "code", "message"), [
    (("SN-404",), 1, "No serial SN-404"),
    (("SN-1", "--item", "NOPE"), 2, "no item NOPE"),
    (("SN 1",), 2, "Serial: letters, digits"),
    (("SN-1", "--item", "WIDGET"), 1, "No serial SN-1"),
])
def test_serial_show_refuses_clearly(serials: Wms, args: tuple[str, ...], code: int,
                                     message: str) -> None:
    result = serials("serial", "show", *args)
    assert result.exit_code == code
    assert f"error: {message}" in result.output
