"""What goes on labels, read from the database through the unit of work.

Reads are read-only transactions. The only writes are SSCCs: an LPN without one gets the
next serial under the company prefix, and a pallet label printed for goods not yet on an LPN
registers an empty LPN named by its SSCC, so a serial is never issued twice.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Literal

from sqlalchemy import Engine, func, or_
from sqlmodel import Session, col, select

from wms_tui.db.tables import Balance, Item, ItemUom, Location, Lot, Lpn, Zone
from wms_tui.db.uow import SqlUnitOfWork
from wms_tui.domain.checkdigits import location_check_digits, make_sscc
from wms_tui.domain.errors import BadInput, NotFound, UnknownUnit
from wms_tui.domain.labels import (
    ItemLabel,
    LabelContent,
    LocationLabel,
    LogisticLabel,
    company_prefix,
    next_sscc,
)
from wms_tui.domain.stock import with_retry
from wms_tui.domain.text import shown

COMPANY_PREFIX_ENV = "WMS_GS1_COMPANY_PREFIX"
_LIKE_ESCAPE = "\\"


def configured_company_prefix(option: str | None) -> str:
    """The GS1 company prefix: the command-line option, else $WMS_GS1_COMPANY_PREFIX."""
    value = option if option is not None else os.environ.get(COMPANY_PREFIX_ENV)
    if not value:
        raise BadInput(
            f"a GS1 company prefix is needed to number SSCCs: give --company-prefix "
            f"or set {COMPANY_PREFIX_ENV}"
        )
    return company_prefix(value)


def _like(pattern: str) -> str:
    """A shell-style pattern (* and ?) as a LIKE pattern, with % and _ taken literally."""
    escaped = (pattern.replace(_LIKE_ESCAPE, _LIKE_ESCAPE * 2)
               .replace("%", _LIKE_ESCAPE + "%").replace("_", _LIKE_ESCAPE + "_"))
    return escaped.replace("*", "%").replace("?", "_")


def location_labels(
    engine: Engine, *, zone: str | None = None, code: str | None = None
) -> list[LocationLabel]:
    """Active locations in walk order, optionally of one zone and matching a code pattern."""
    query = (
        select(Location.code, Location.barcode, Location.check_digits)
        .outerjoin(Zone, col(Zone.id) == Location.zone_id)
        .where(Location.active)
        .order_by(col(Location.walk_seq), col(Location.code))
    )
    if zone is not None:
        query = query.where(Zone.code == zone.strip().upper())
    if code is not None:
        pattern = _like(code.strip().upper())
        query = query.where(col(Location.code).like(pattern, escape=_LIKE_ESCAPE))
    with SqlUnitOfWork(engine, readonly=True) as uow:
        rows = uow.session.exec(query).all()
    if not rows:
        wanted = " and ".join(
            shown(part) for part in (zone and f"zone {zone}", code and f"code {code}") if part
        )
        raise NotFound(f"no active locations{' with ' + wanted if wanted else ''}")
    return [
        LocationLabel(loc_code, barcode, check_digits or location_check_digits(loc_code))
        for loc_code, barcode, check_digits in rows
    ]


def _unit(session: Session, item: Item, uom: str | None) -> ItemUom:
    """The item's unit (the base unit when uom is None); a base unit without a row has no GTIN."""
    wanted = (uom or item.base_uom).strip().upper()
    unit = session.exec(
        select(ItemUom).where(ItemUom.item_id == item.id, ItemUom.uom == wanted)
    ).first()
    if unit is not None:
        return unit
    if wanted == item.base_uom:
        return ItemUom(item_id=item.id or 0, uom=wanted, factor=1)
    raise UnknownUnit(f"item {shown(item.sku)} has no unit {shown(wanted)}")


def _spellings(sku: str) -> tuple[str, ...]:
    """The SKUs a typed one may name: itself exactly (SKUs keep their case, as imported),
    then in capitals, so 'widget' still finds WIDGET."""
    code = sku.strip()
    return tuple(dict.fromkeys((code, code.upper())))


def _matching(items: dict[str, Item], sku: str) -> Item | None:
    return next((items[s] for s in _spellings(sku) if s in items), None)


def _item(session: Session, sku: str) -> Item:
    found = {
        item.sku: item
        for item in session.exec(select(Item).where(col(Item.sku).in_(_spellings(sku))))
    }
    item = _matching(found, sku)
    if item is None:
        raise NotFound(f"unknown SKU {shown(sku)}")
    return item


def item_labels(engine: Engine, skus: Sequence[str], *, uom: str | None = None) -> list[ItemLabel]:
    """One label per SKU for its base unit (or uom): EAN-13/Code 128 of the GTIN, else the SKU."""
    spellings = {spelling for sku in skus for spelling in _spellings(sku)}
    with SqlUnitOfWork(engine, readonly=True) as uow:
        items = {
            item.sku: item
            for item in uow.session.exec(select(Item).where(col(Item.sku).in_(spellings)))
        }
        unknown = [sku.strip() for sku in skus if _matching(items, sku) is None]
        if unknown:
            raise NotFound(f"unknown SKU {shown(', '.join(unknown))}")
        labels = []
        for sku in skus:
            item = _matching(items, sku)
            assert item is not None
            unit = _unit(uow.session, item, uom)
            labels.append(ItemLabel(item.sku, item.description, unit.uom, unit.factor, unit.gtin))
    return labels


def _issued_ssccs(session: Session, prefix: str) -> list[str]:
    sscc = col(Lpn.sscc)
    # LIKE never matches NULL; the test only tells the type so.
    return [s for s in session.exec(select(sscc).where(sscc.like(f"_{prefix}%"))) if s is not None]


def _counted_sscc(uow: SqlUnitOfWork, prefix: str) -> str:
    """The next SSCC from the counter packing uses too (an atomic update), so two labels printed
    at once, or a label and a carton, never get the same serial."""
    for _ in range(1000):
        try:
            sscc = make_sscc(prefix, uow.shipping.next_sscc_serial("0", prefix), "0")
        except ValueError:
            # Past the last serial the prefix allows: the domain's message names the fix.
            return next_sscc(prefix, _issued_ssccs(uow.session, prefix))
        if not uow.shipping.sscc_taken(sscc):
            return sscc
    raise BadInput(f"no free SSCC serial under company prefix {prefix} in a thousand tries")


def _assign_sscc(engine: Engine, lpn_id: int, prefix: str) -> str:
    """Give the LPN the next SSCC, unless another session gave it one meanwhile."""
    with SqlUnitOfWork(engine) as uow:
        lpn = uow.session.get(Lpn, lpn_id)
        assert lpn is not None
        if lpn.sscc is not None:
            return lpn.sscc
        lpn.sscc = _counted_sscc(uow, prefix)
        uow.session.add(lpn)
        uow.commit()
        return lpn.sscc


def _content_unit(units: Sequence[ItemUom], quantity: int) -> ItemUom | None:
    """The largest unit with a GTIN that the quantity fills exactly: (37) counts whole units."""
    fitting = [u for u in units if u.gtin is not None and quantity % u.factor == 0]
    return max(fitting, key=lambda u: u.factor, default=None)


def _pallet_contents(
    session: Session, lpn_id: int, sscc: str | None, expiry_ai: Literal["17", "15"]
) -> LogisticLabel | None:
    """The label of what is on the LPN (None while it has no SSCC to put on it)."""
    if sscc is None:
        return None
    contents = session.execute(
        select(Balance.item_id, col(Balance.lot_id), func.sum(Balance.quantity))
        .where(Balance.lpn_id == lpn_id, Balance.quantity > 0)
        .group_by(col(Balance.item_id), col(Balance.lot_id))
    ).all()
    if len(contents) != 1:
        note = f"mixed: {len(contents)} items or lots" if contents else "empty"
        return LogisticLabel(sscc, description=note, expiry_ai=expiry_ai)
    item_id, lot_id, total = contents[0]
    quantity = int(total)
    item = session.get(Item, item_id)
    assert item is not None
    lot = session.get(Lot, lot_id) if lot_id is not None else None
    units = session.exec(select(ItemUom).where(ItemUom.item_id == item_id)).all()
    unit = _content_unit(units, quantity)
    if unit is None:
        # Without a content GTIN GS1 allows no count, lot or expiry fields: the text says it.
        return LogisticLabel(sscc, sku=item.sku, expiry_ai=expiry_ai,
                           description=f"{item.description} {quantity} {item.base_uom}".strip())
    return LogisticLabel(
        sscc,
        content_gtin=unit.gtin,
        count=quantity // unit.factor,
        lot=lot.code if lot is not None else None,
        expiry=lot.expiry if lot is not None else None,
        expiry_ai=expiry_ai,
        sku=item.sku,
        description=item.description,
    )


def lpn_pallet_label(
    engine: Engine, lpn_code: str, *, prefix: str | None = None, best_before: bool = False
) -> LogisticLabel:
    """The pallet label of an LPN; it gets an SSCC first if it has none (prefix needed then).

    A pallet of one item and lot also shows the content GTIN, count, lot and expiry; a mixed
    or empty pallet shows only its SSCC, as GS1 logistic labels do.
    """
    code = lpn_code.strip()
    expiry_ai: Literal["17", "15"] = "15" if best_before else "17"
    with SqlUnitOfWork(engine, readonly=True) as uow:
        lpn = uow.session.exec(
            select(Lpn).where(or_(col(Lpn.code) == code, col(Lpn.sscc) == code))
        ).first()
        if lpn is None:
            raise NotFound(f"unknown LPN {shown(lpn_code)}")
        assert lpn.id is not None
        lpn_id = lpn.id
        label = _pallet_contents(uow.session, lpn_id, lpn.sscc, expiry_ai)
    if label is not None:
        return label
    sscc = with_retry(lambda: _assign_sscc(engine, lpn_id, configured_company_prefix(prefix)))
    with SqlUnitOfWork(engine, readonly=True) as uow:
        label = _pallet_contents(uow.session, lpn_id, sscc, expiry_ai)
    assert label is not None
    return label


def new_pallet_label(
    engine: Engine,
    *,
    sku: str,
    count: int,
    prefix: str | None,
    lot: str | None = None,
    expiry: date | None = None,
    uom: str | None = None,
    best_before: bool = False,
) -> LogisticLabel:
    """A label for a pallet being built: the next SSCC, registered as an empty LPN of that name."""
    prefix = configured_company_prefix(prefix)

    def attempt() -> LogisticLabel:
        with SqlUnitOfWork(engine) as uow:
            item = _item(uow.session, sku)
            unit = _unit(uow.session, item, uom)
            if unit.gtin is None:
                raise BadInput(f"item {shown(item.sku)} unit {shown(unit.uom)} has no GTIN "
                               "for the (02) field")
            lot_code = lot.strip() if lot is not None else None
            if item.lot_tracked and not lot_code:
                raise BadInput(f"item {shown(item.sku)} is lot tracked: give --lot")
            expires = expiry
            if lot_code and expires is None:
                expires = uow.session.exec(
                    select(col(Lot.expiry)).where(Lot.item_id == item.id, Lot.code == lot_code)
                ).first()
            if item.expiry_tracked and expires is None:
                raise BadInput(f"item {shown(item.sku)} has an expiry date: give --expiry")
            sscc = next_sscc(prefix, _issued_ssccs(uow.session, prefix))
            label = LogisticLabel(
                sscc, content_gtin=unit.gtin, count=count, lot=lot_code or None, expiry=expires,
                expiry_ai="15" if best_before else "17", sku=item.sku,
                description=item.description,
            )
            uow.session.add(Lpn(code=sscc, sscc=sscc, location_id=None))
            uow.commit()
            return label

    return with_retry(attempt)


def carton_label(
    engine: Engine | None,
    *,
    sscc: str,
    ship_from: Sequence[str],
    ship_to: Sequence[str],
    sku: str | None = None,
    quantity: int | None = None,
    uom: str | None = None,
    lot: str | None = None,
    expiry: date | None = None,
    weight_kg: Decimal | None = None,
) -> LogisticLabel:
    """A GS1 logistic label for a carton with a known SSCC; the item, when given, from the
    database: its description, and its content GTIN and count when the quantity fills whole
    units with a GTIN (GS1 allows (37) only so)."""
    if sku is None:
        if quantity is not None or lot is not None or expiry is not None:
            raise BadInput("--qty, --lot and --expiry describe an item: give --sku too")
        return LogisticLabel(sscc, unit="carton", ship_from=tuple(ship_from),
                             ship_to=tuple(ship_to), gross_weight_kg=weight_kg)
    if quantity is not None and quantity <= 0:
        raise BadInput(f"--qty must be more than 0, got {quantity}")
    assert engine is not None, "an item is looked up in the database"
    lot_code = lot.strip() if lot is not None else None
    with SqlUnitOfWork(engine, readonly=True) as uow:
        item = _item(uow.session, sku)
        unit = _unit(uow.session, item, uom)
        units = uow.session.exec(select(ItemUom).where(ItemUom.item_id == item.id)).all()
        base = quantity * unit.factor if quantity is not None else None
        count_unit = _content_unit(units, base) if base is not None else None
        if base is not None and count_unit is not None and count_unit.gtin is not None:
            return LogisticLabel(
                sscc, content_gtin=count_unit.gtin, count=base // count_unit.factor,
                lot=lot_code or None, expiry=expiry, sku=item.sku, description=item.description,
                unit="carton", ship_from=tuple(ship_from), ship_to=tuple(ship_to),
                gross_weight_kg=weight_kg,
            )
        # Without a content GTIN GS1 allows no count, lot or expiry fields: the text says them.
        content = LabelContent(item.sku, item.description, quantity,
                               unit.uom if quantity else "", lot_code or None, expiry)
    return LogisticLabel(sscc, unit="carton", ship_from=tuple(ship_from),
                         ship_to=tuple(ship_to), contents=(content,), gross_weight_kg=weight_kg)
