"""Inbound orders (ASN / PO): finding them by reference or pallet SSCC, receiving against their
lines, and importing them from CSV.

A receipt against an order line is one transaction: the stock posting (ledger row and balance)
and the line's received quantity change together or not at all, under one confirmation key.

The package: `model` (values), `repository` (the storage Protocol), `rules` (pure functions),
`receiving` (finding orders and the receipt transaction), `order_file` (the import) and
`services` (the RF receive flow's services).
"""

from wms_tui.domain.inbound.model import (
    BLIND_REFERENCE,
    LOT_PATTERN,
    LPN_DIGITS,
    LPN_PREFIX,
    MAX_TOLERANCE_PCT,
    ORDER_OPTIONAL,
    PALLET_UNITS,
    RESERVED_REFERENCES,
    InboundLineRef,
    InboundLineSpec,
    InboundOrderRef,
    InboundOrderSpec,
    InboundStatus,
    OrderMatch,
    OverReceipt,
    Receipt,
    ReceiveLine,
    UnconfirmedOverReceipt,
)
from wms_tui.domain.inbound.order_file import import_inbound_orders
from wms_tui.domain.inbound.receiving import find_order, open_lines, receive_line
from wms_tui.domain.inbound.repository import InboundRepository, InboundUnitOfWork, UowFactory
from wms_tui.domain.inbound.rules import (
    announced_expiry,
    choose_line,
    is_pallet_unit,
    parse_expiry,
    quantity_in,
    valid_lot,
)
from wms_tui.domain.inbound.services import InboundServicesMixin

__all__ = [
    "BLIND_REFERENCE",
    "LOT_PATTERN",
    "LPN_DIGITS",
    "LPN_PREFIX",
    "MAX_TOLERANCE_PCT",
    "ORDER_OPTIONAL",
    "PALLET_UNITS",
    "RESERVED_REFERENCES",
    "InboundLineRef",
    "InboundLineSpec",
    "InboundOrderRef",
    "InboundOrderSpec",
    "InboundRepository",
    "InboundServicesMixin",
    "InboundStatus",
    "InboundUnitOfWork",
    "OrderMatch",
    "OverReceipt",
    "Receipt",
    "ReceiveLine",
    "UnconfirmedOverReceipt",
    "UowFactory",
    "announced_expiry",
    "choose_line",
    "find_order",
    "import_inbound_orders",
    "is_pallet_unit",
    "open_lines",
    "parse_expiry",
    "quantity_in",
    "receive_line",
    "valid_lot",
]
