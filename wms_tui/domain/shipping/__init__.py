"""From tote to truck: pack a tote's picked units into cartons (each an LPN named by a new
SSCC), load cartons onto a shipment at a dock door, ship confirm (stock leaves the building on
the ledger, orders close, the shipment events reach the ERP then), and customer returns.

By concern: model (values and results), rules (pure packing splits), ports (storage), the
transactions packing, shipments and returns, and views (lists and the shipment as shown).
Every confirmation is one transaction, exactly once per key (once.exactly_once).
"""

from wms_tui.domain.shipping.model import (
    CartonRef,
    CartonStatus,
    Disposition,
    PackRequest,
    ReturnLineRequest,
    ShipmentStatus,
    SsccSettings,
    WeightSource,
)
from wms_tui.domain.shipping.packing import pack_carton, record_short
from wms_tui.domain.shipping.ports import ShipmentFilter
from wms_tui.domain.shipping.returns import receive_return
from wms_tui.domain.shipping.shipments import confirm_shipment, create_shipment, load_cartons
from wms_tui.domain.shipping.views import shipment_rows, shipment_view

__all__ = [
    "CartonRef",
    "CartonStatus",
    "Disposition",
    "PackRequest",
    "ReturnLineRequest",
    "ShipmentFilter",
    "ShipmentStatus",
    "SsccSettings",
    "WeightSource",
    "confirm_shipment",
    "create_shipment",
    "load_cartons",
    "pack_carton",
    "receive_return",
    "record_short",
    "shipment_rows",
    "shipment_view",
]
