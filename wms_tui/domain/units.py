"""Unit-of-measure conversion to the item's base unit; stock is kept in whole base units."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from wms_tui.domain.errors import InvalidQuantity, UnknownUnit

MAX_QUANTITY = 10**9


def parse_quantity(text: str) -> Decimal:
    """Read a typed quantity; refuse anything that is not a plain positive number."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 15:
        raise InvalidQuantity(f"quantity {cleaned[:15]!r} is not a number")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise InvalidQuantity(f"quantity {cleaned!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise InvalidQuantity(f"quantity must be more than 0, not {cleaned}")
    return value


def to_base_units(
    quantity: Decimal | int | str, uom: str | None, base_uom: str, units: dict[str, int]
) -> int:
    """Convert quantity in uom to whole base units, with a clear error otherwise."""
    qty = parse_quantity(quantity) if isinstance(quantity, str) else Decimal(quantity)
    if qty <= 0:
        raise InvalidQuantity(f"quantity must be more than 0, not {qty}")
    unit = (uom or base_uom).upper()
    factors = {k.upper(): v for k, v in units.items()}
    factors.setdefault(base_uom.upper(), 1)
    if unit not in factors:
        known = ", ".join(sorted(factors))
        raise UnknownUnit(f"unit {unit!r} is not set up for this item (known: {known})")
    base = qty * factors[unit]
    if base != base.to_integral_value():
        raise InvalidQuantity(
            f"{qty} {unit} is {base} {base_uom}: stock is kept in whole {base_uom}"
        )
    if base > MAX_QUANTITY:
        raise InvalidQuantity(f"quantity {base} {base_uom} is more than {MAX_QUANTITY}")
    return int(base)
