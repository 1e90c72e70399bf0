"""Pack, load and ship confirm on the real database: cartons are LPNs named by new SSCCs, ship
confirm issues their stock out of the building and closes or leaves open the orders, and
extras and double confirmations are refused or replayed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Engine, text

from tests.db.outbound_site import TODAY, Site
from tests.factories import Warehouse
from wms_tui.domain.checkdigits import is_valid_sscc
from wms_tui.domain.errors import BadInput, InvalidQuantity, PermissionDenied, ScanRejected
from wms_tui.domain.outbound import OutboundStatus, TaskKind, confirm_pick, release_wave
from wms_tui.domain.shipping import (
    Disposition,
    PackRequest,
    ReturnLineRequest,
    SsccSettings,
    WeightSource,
    confirm_shipment,
    create_shipment,
    load_cartons,
    pack_carton,
    receive_return,
    record_short,
)

SSCC = SsccSettings("0614141", "3")


@pytest.fixture
def site(engine: Engine, wh: Warehouse) -> Site:
    return Site.build(engine, wh)


def picked(site: Site, *lines: tuple[str, ...]) -> None:
    """Orders released and every pick task picked whole into TOTE-1."""
    site.orders(*lines)
    release_wave(site.uow, site.wh.supervisor, today=TODAY)
    with site.uow() as u:
        tasks = u.outbound.tasks(kind=TaskKind.PICK)
    for task in tasks:
        confirm_pick(site.uow, site.wh.operator, task.id, task.remaining,
                     to_location_id=site.tote1, today=TODAY)


def pack(site: Site, *requests: PackRequest, key: str | None = None,
         everything: bool = False) -> str:
    return pack_carton(site.uow, site.wh.operator, tote="TOTE-1", requests=requests,
                       everything=everything, kind="box-m", settings=SSCC,
                       weight_kg=Decimal("2.5"), weight_source=WeightSource.KEYED,
                       key=key).sscc


def sql(engine: Engine, query: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query))]


def test_two_cartons_ship_and_the_order_closes(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 20, wh.a1)
    site.receive(wh.heavy, 10, wh.a2)
    picked(site, ("SO-1", "", "", "", "1", "WIDGET", "5", "EA"),
           ("SO-1", "", "", "", "2", "BOLT", "4", "EA"))
    first = pack(site, PackRequest("WIDGET", 5), key="pack-1")
    assert pack(site, PackRequest("WIDGET", 5), key="pack-1") == first
    second = pack(site, everything=True)
    assert is_valid_sscc(first) and is_valid_sscc(second)
    assert (first[:8], second[:8]) == ("30614141", "30614141")
    assert int(second[8:17]) == int(first[8:17]) + 1
    assert site.balance(wh.widget, site.tote1) == (0, 0)
    shipment = create_shipment(site.uow, wh.operator, dock="DOCK-1").shipment
    assert shipment == "SH00001"
    load_cartons(site.uow, wh.operator, shipment=shipment, ssccs=[first, "00" + second])
    result = confirm_shipment(site.uow, wh.operator, shipment=shipment, key="ship-1")
    assert (result.shipped_orders, result.left, result.unloaded) == (["SO-1"], [], [])
    assert confirm_shipment(site.uow, wh.operator, shipment=shipment, key="ship-1").replayed
    assert site.order("SO-1").status == OutboundStatus.SHIPPED
    ships = sql(site.engine, "SELECT kind, quantity, from_location_id, to_location_id "
                             "FROM movement WHERE kind = 'ship' ORDER BY id")
    assert ships == [("ship", 5, wh.dock, None), ("ship", 4, wh.dock, None)]
    on_hand = sql(site.engine, "SELECT coalesce(sum(quantity), 0) FROM balance "
                               f"WHERE location_id IN ({wh.dock}, {site.tote1})")
    assert on_hand == [(0,)]
    assert site.exact() == []


def test_extras_are_refused_naming_how_many(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 20, wh.a1)
    site.receive(wh.heavy, 10, wh.a2)
    picked(site, ("SO-1", "", "", "", "1", "WIDGET", "5", "EA"))
    with pytest.raises(InvalidQuantity, match="holds 5 EA of WIDGET to pack, not 7: 2 extra"):
        pack(site, PackRequest("WIDGET", 7))
    with pytest.raises(ScanRejected, match="BOLT is not on order SO-1"):
        pack(site, PackRequest("BOLT", 1))
    assert sql(site.engine, "SELECT count(*) FROM carton") == [(0,)]


def test_a_short_at_pack_leaves_the_order_open_with_what_is_left(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 20, wh.a1)
    picked(site, ("SO-1", "", "", "", "1", "WIDGET", "5", "EA"))
    record_short(site.uow, wh.operator, tote="TOTE-1", item="WIDGET", quantity=2,
                 reason="DAMAGED")
    pack(site, everything=True)
    shipment = create_shipment(site.uow, wh.operator, dock="DOCK-1").shipment
    with site.uow() as u:
        [carton] = u.shipping.cartons()
    assert carton.lines[0].quantity == 3
    load_cartons(site.uow, wh.operator, shipment=shipment, ssccs=[carton.sscc])
    result = confirm_shipment(site.uow, wh.operator, shipment=shipment)
    assert result.left == ["SO-1 line 1 WIDGET 2 EA left"]
    assert site.order("SO-1").status == OutboundStatus.PICKED
    assert site.exact() == []


def test_packed_cartons_left_off_the_truck_are_refused_at_confirm(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 20, wh.a1)
    picked(site, ("SO-1", "", "", "", "1", "WIDGET", "5", "EA"))
    first = pack(site, PackRequest("WIDGET", 2))
    second = pack(site, everything=True)
    shipment = create_shipment(site.uow, wh.operator, dock="DOCK-1").shipment
    load_cartons(site.uow, wh.operator, shipment=shipment, ssccs=[first])
    with pytest.raises(BadInput, match=f"packed but not loaded: {second}"):
        confirm_shipment(site.uow, wh.operator, shipment=shipment)
    result = confirm_shipment(site.uow, wh.operator, shipment=shipment, leave_unloaded=True)
    assert (result.unloaded, result.left) == ([second], ["SO-1 line 1 WIDGET 3 EA left"])
    assert site.order("SO-1").status == OutboundStatus.PICKED
    assert site.exact() == []


def shipped_order(site: Site) -> None:
    wh = site.wh
    site.receive(wh.widget, 20, wh.a1)
    picked(site, ("SO-1", "", "", "", "1", "WIDGET", "5", "EA"))
    sscc = pack(site, everything=True)
    shipment = create_shipment(site.uow, wh.operator, dock="DOCK-1").shipment
    load_cartons(site.uow, wh.operator, shipment=shipment, ssccs=[sscc])
    confirm_shipment(site.uow, wh.operator, shipment=shipment)


def test_a_return_lands_at_the_dock_by_disposition_and_scrap_is_written_off(
        site: Site) -> None:
    wh = site.wh
    shipped_order(site)
    result = receive_return(site.uow, wh.supervisor, order="SO-1", dock="DOCK-1", lines=[
        ReturnLineRequest("WIDGET", 2, Disposition.RESTOCK),
        ReturnLineRequest("WIDGET", 1, Disposition.QC_HOLD),
        ReturnLineRequest("WIDGET", 1, Disposition.SCRAP)])
    assert result.code == "RT00001"
    found = sql(site.engine, "SELECT kind, quantity, to_status, from_status, reason_code "
                             "FROM movement WHERE reference = 'RT00001' ORDER BY id")
    assert found == [("receive", 2, "available", None, "RETURN"),
                     ("receive", 1, "qc_hold", None, "RETURN"),
                     ("receive", 1, "damaged", None, "RETURN"),
                     ("adjust", 1, None, "damaged", "SCRAP")]
    assert sql(site.engine, "SELECT status, quantity FROM balance WHERE quantity > 0 AND "
                            f"location_id = {wh.dock} ORDER BY status") == [
        ("available", 2), ("qc_hold", 1)]
    # One more would be more than shipped; an operator may not go blind.
    with pytest.raises(InvalidQuantity, match="shipped 1 EA of WIDGET that may come back, not 2"):
        receive_return(site.uow, wh.supervisor, order="SO-1", dock="DOCK-1",
                       lines=[ReturnLineRequest("WIDGET", 2, Disposition.RESTOCK)])
    with pytest.raises(PermissionDenied):
        receive_return(site.uow, wh.operator, dock="DOCK-1", blind=True,
                       lines=[ReturnLineRequest("WIDGET", 1, Disposition.RESTOCK)])
    assert site.exact() == []
