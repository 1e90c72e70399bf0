"""Over-receipt reasons: why a supervisor received more than an inbound line allows.

A line allows its quantity plus its tolerance. Beyond that only a supervisor may receive, and
only deliberately: the RF flow states by how much it is over, asks to confirm, then asks for
one of these reasons. The receipt's movement carries the reason code and the supervisor as
approver, and the supervisor's open exceptions list it.
"""

from __future__ import annotations

from dataclasses import dataclass

# reason_code.kind of these codes; the supervisor's exception list selects on it.
OVER_RECEIPT_KIND = "over_receipt"


@dataclass(frozen=True)
class OverReceiptReason:
    code: str
    description: str


# The one list: the RF flow numbers it in this order, the posting accepts only these codes.
OVER_RECEIPT_REASONS: tuple[OverReceiptReason, ...] = (
    OverReceiptReason("OVER-SHIP", "Supplier shipped more than ordered, kept"),
    OverReceiptReason("FREE-GOODS", "Extra goods sent free of charge"),
    OverReceiptReason("PO-WRONG", "Order quantity was wrong, buyer agreed"),
)


def over_receipt_reason(code: str) -> OverReceiptReason | None:
    """The reason with this code, or None when it is not an over-receipt reason."""
    return next((r for r in OVER_RECEIPT_REASONS if r.code == code), None)
