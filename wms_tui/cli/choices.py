"""Option values and defaults that command signatures show, spelled here so that building
`wms --help` imports no domain service; tests/cli/test_lazy_imports.py holds each to the
domain's own, so the two cannot drift apart. Commands turn a choice into the domain's enum
by its value."""

from __future__ import annotations

from enum import StrEnum


class PickedUnits(StrEnum):
    """domain.outbound.cancels.PickedUnits."""

    RETURN_TO_STOCK = "return-to-stock"
    KEEP = "keep"


class EventKind(StrEnum):
    """domain.exports.EventKind."""

    RECEIPT = "receipt"
    SHIPMENT = "shipment"
    PICK = "pick"
    ADJUSTMENT = "adjustment"
    MOVE = "move"
    STATUS = "status"


class Period(StrEnum):
    """domain.reports.Period."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class LabelFormat(StrEnum):
    """labels.files.LabelFormat."""

    svg = "svg"
    png = "png"
    pdf = "pdf"
    zpl = "zpl"


# domain.exports.DEFAULT_BATCH
EXPORT_BATCH = 1000
# domain.opening_stock.DEFAULT_BATCH and MAX_BATCH
OPENING_BATCH = 1000
OPENING_MAX_BATCH = 10_000
# domain.reports.DEFAULT_DEAD_DAYS and DEFAULT_IDLE_MINUTES
DEAD_DAYS = 90
IDLE_MINUTES = 30
# domain.supervisor.DEFAULT_EXCEPTION_DAYS
EXCEPTION_DAYS = 7
