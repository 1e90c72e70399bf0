"""EDIFACT (EANCOM) documents: DESADV and ORDERS read into the order imports' rows, and a
DESADV built for a shipment; pure, on pydifact and the domain only (docs/edi.md)."""

from wms_tui.edi.eancom import (
    Despatch,
    EdiError,
    EdiLine,
    EdiMessage,
    Package,
    build_desadv,
    parse_interchange,
    rows_for_import,
)

__all__ = [
    "Despatch",
    "EdiError",
    "EdiLine",
    "EdiMessage",
    "Package",
    "build_desadv",
    "parse_interchange",
    "rows_for_import",
]
