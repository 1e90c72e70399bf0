"""What `wms ship list` and `wms ship show` read, and the packing list and labels come from."""

from __future__ import annotations

from collections.abc import Callable

from wms_tui.domain.errors import N_, NotFound
from wms_tui.domain.ports import UnitOfWork
from wms_tui.domain.shipping.model import CartonStatus, OrderLeft, ShipmentRow, ShipmentView
from wms_tui.domain.shipping.ports import ShipmentFilter, shipping_uow


def shipment_rows(read_factory: Callable[[], UnitOfWork],
                  where: ShipmentFilter | None = None) -> list[ShipmentRow]:
    with shipping_uow(read_factory)() as uow:
        return uow.shipping.shipments(where or ShipmentFilter())


def shipment_view(read_factory: Callable[[], UnitOfWork], code: str) -> ShipmentView:
    """The shipment with its cartons; the packed cartons of its orders left off it; every
    line of its orders with what is packed, shipped and left; the pack exceptions."""
    with shipping_uow(read_factory)() as uow:
        found = uow.shipping.shipment_by_code(code.strip().upper())
        if found is None:
            raise NotFound(N_("no shipment {code}"), code=code.strip()[:20])
        cartons = uow.shipping.cartons(shipment_id=found.id)
        order_ids = sorted({c.order_id for c in cartons})
        unloaded = uow.shipping.cartons(order_ids=order_ids, status=CartonStatus.PACKED)
        lines = []
        for order_id in order_ids:
            ref = uow.outbound.order(order_id).reference
            packed = uow.shipping.packed_by_line(order_id)
            shipped = uow.shipping.shipped_by_line(order_id)
            lines += [OrderLeft(ref, ln.line_no, ln.sku, ln.base_uom, ln.quantity, ln.picked,
                                packed.get(ln.id, 0), shipped.get(ln.id, 0), ln.short)
                      for ln in uow.outbound.lines(order_id)]
        exceptions = uow.shipping.pack_exceptions(order_ids)
        return ShipmentView(found, tuple(cartons), tuple(unloaded), tuple(lines),
                            tuple(exceptions))
