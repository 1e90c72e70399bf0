"""Unit-of-measure conversion to the item's base unit; stock is kept in whole base units."""

from __future__ import annotations

import re
from decimal import Decimal, DecimalException

from wms_tui.domain.errors import N_, InvalidQuantity, UnknownUnit

MAX_QUANTITY = 10**9
# Plain ASCII digits and one optional point: no exponent, sign, underscore or other scripts'
# digits, so "1e5" keyed by mistake is asked again rather than posted as 100000.
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")


def not_a_quantity(shown: str) -> InvalidQuantity:
    """The refusal of an entry that is not a quantity: what to key, and what was keyed."""
    if not shown:
        return InvalidQuantity(N_("Key a quantity"))
    return InvalidQuantity(N_("Key a quantity, not {text}"), text=shown)


def read_quantity(text: str) -> Decimal:
    """A quantity keyed at a terminal: as parse_quantity, refused in words for an operator."""
    try:
        return parse_quantity(text)
    except InvalidQuantity:
        raise not_a_quantity(text.strip()[:20]) from None


def parse_quantity(text: str) -> Decimal:
    """Read a typed quantity; refuse anything that is not a plain positive number."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 15:
        raise InvalidQuantity(N_("quantity {text!r} is not a number"), text=cleaned[:15])
    if not _PLAIN_DECIMAL.fullmatch(cleaned):
        raise InvalidQuantity(N_("quantity {text!r} is not a number"), text=cleaned)
    value = Decimal(cleaned)
    if value <= 0:
        raise InvalidQuantity(N_("quantity must be more than 0, not {qty}"), qty=cleaned)
    return value


def to_base_units(
    quantity: Decimal | int | str, uom: str | None, base_uom: str, units: dict[str, int]
) -> int:
    """Convert quantity in uom to whole base units, with a clear error otherwise."""
    qty = parse_quantity(quantity) if isinstance(quantity, str) else Decimal(quantity)
    if not qty.is_finite() or qty <= 0:
        raise InvalidQuantity(N_("quantity must be more than 0, not {qty}"), qty=qty)
    unit = (uom or base_uom).upper()
    factors = {k.upper(): v for k, v in units.items()}
    factors.setdefault(base_uom.upper(), 1)
    if unit not in factors:
        known = ", ".join(sorted(factors))
        raise UnknownUnit(
            N_("unit {unit!r} is not set up for this item (known: {known})"),
            unit=unit, known=known,
        )
    try:
        base = qty * factors[unit]
    except DecimalException:
        # Past the decimal context's range: far above any limit, never a real quantity.
        raise InvalidQuantity(N_("quantity {qty} {uom} is more than {limit}"),
                              qty=qty, uom=unit, limit=MAX_QUANTITY) from None
    # A product below the context's precision underflows to 0: no whole unit either.
    if base <= 0 or base != base.to_integral_value():
        raise InvalidQuantity(
            N_("{qty} {uom} is {base} {base_uom}: stock is kept in whole {base_uom}"),
            qty=qty, uom=unit, base=base, base_uom=base_uom,
        )
    if base > MAX_QUANTITY:
        raise InvalidQuantity(N_("quantity {qty} {uom} is more than {limit}"),
                              qty=base, uom=base_uom, limit=MAX_QUANTITY)
    return int(base)
