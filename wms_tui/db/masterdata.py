"""SQL side of master data: upserts by code and the stock and ledger listings; never commits."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import or_
from sqlalchemy import select as core_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from wms_tui.db.tables import (
    Item,
    ItemAlias,
    ItemUom,
    Location,
    Lot,
    Lpn,
    Movement,
    User,
    Warehouse,
    Zone,
)
from wms_tui.domain.errors import NotFound
from wms_tui.domain.model import LocationType, MovementKind, StockStatus
from wms_tui.domain.ports import ItemSpec, LedgerLine, LocationSpec, UnitSpec


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every time the ledger shows is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class SqlMasterData:
    def __init__(self, session: Session) -> None:
        self.session = session

    # Warehouses and zones: imports work on the first warehouse.

    def warehouse_codes(self) -> list[str]:
        query = select(Warehouse.code).order_by(col(Warehouse.id))
        return list(self.session.exec(query))

    def add_warehouse(self, code: str, name: str) -> None:
        self.session.add(Warehouse(code=code, name=name))
        self.session.flush()

    def _first_warehouse_id(self) -> int | None:
        query = select(col(Warehouse.id)).order_by(col(Warehouse.id)).limit(1)
        return self.session.exec(query).first()

    def _warehouse_id(self) -> int:
        found = self._first_warehouse_id()
        if found is None:
            raise NotFound("there is no warehouse yet: run `wms init`")
        return int(found)

    def zone_codes(self) -> set[str]:
        found = self._first_warehouse_id()
        if found is None:
            return set()
        query = select(Zone.code).where(Zone.warehouse_id == found)
        return set(self.session.exec(query))

    def add_zone(self, code: str) -> None:
        self.session.add(Zone(warehouse_id=self._warehouse_id(), code=code, name=code))
        self.session.flush()

    def _zone_id(self, code: str | None) -> int | None:
        if code is None:
            return None
        found = self.session.exec(
            select(col(Zone.id)).where(Zone.warehouse_id == self._warehouse_id(), Zone.code == code)
        ).first()
        if found is None:
            raise NotFound(f"no zone {code!r}")
        return int(found)

    # Locations.

    def location(self, code: str) -> LocationSpec | None:
        row = self.session.exec(
            select(Location, Zone.code).outerjoin(Zone, col(Zone.id) == Location.zone_id)
            .where(Location.code == code)
        ).first()
        if row is None:
            return None
        loc, zone = row
        return LocationSpec(
            code=loc.code, barcode=loc.barcode, check_digits=loc.check_digits,
            type=LocationType(loc.type), walk_seq=loc.walk_seq, zone=zone, aisle=loc.aisle,
            bay=loc.bay, level=loc.level, capacity=loc.capacity,
        )

    def location_code_by_barcode(self, barcode: str) -> str | None:
        found = self.session.exec(select(Location.code).where(Location.barcode == barcode)).first()
        return None if found is None else str(found)

    def max_walk_seq(self) -> int:
        walk_seq = col(Location.walk_seq)
        found = self.session.exec(select(walk_seq).order_by(walk_seq.desc()).limit(1)).first()
        return 0 if found is None else int(found)

    def last_aisle_walk(self) -> tuple[str, list[str]]:
        """The aisle of the location last in walk order and its bays in walk order, so a new
        grid can go on with the serpentine ("" and [] without locations or an aisle)."""
        last = self.session.exec(
            select(Location).order_by(col(Location.walk_seq).desc(), col(Location.id).desc())
            .limit(1)
        ).first()
        if last is None or not last.aisle:
            return "", []
        zone = col(Location.zone_id)
        query = (select(Location.bay)
                 .where(Location.aisle == last.aisle,
                        zone.is_(None) if last.zone_id is None else zone == last.zone_id)
                 .order_by(col(Location.walk_seq), col(Location.id)))
        return last.aisle, [str(bay) for bay in self.session.exec(query)]

    def save_location(self, spec: LocationSpec) -> None:
        loc = self.session.exec(select(Location).where(Location.code == spec.code)).first()
        if loc is None:
            loc = Location(code=spec.code, barcode=spec.barcode, check_digits=spec.check_digits)
            self.session.add(loc)
        loc.barcode = spec.barcode
        loc.check_digits = spec.check_digits
        loc.type = spec.type.value
        loc.walk_seq = spec.walk_seq
        loc.aisle, loc.bay, loc.level = spec.aisle, spec.bay, spec.level
        loc.capacity = spec.capacity
        loc.zone_id = self._zone_id(spec.zone)
        self.session.flush()

    # Items.

    def item(self, sku: str) -> ItemSpec | None:
        row = self.session.exec(
            select(Item, Zone.code).outerjoin(Zone, col(Zone.id) == Item.zone_id)
            .where(Item.sku == sku)
        ).first()
        if row is None:
            return None
        item, zone = row
        units = self.session.exec(
            select(ItemUom).where(ItemUom.item_id == item.id).order_by(col(ItemUom.uom))
        )
        aliases = self.session.exec(
            select(ItemAlias.alias).where(ItemAlias.item_id == item.id)
            .order_by(col(ItemAlias.alias))
        )
        return ItemSpec(
            sku=item.sku, description=item.description, base_uom=item.base_uom,
            lot_tracked=item.lot_tracked, expiry_tracked=item.expiry_tracked,
            serial_tracked=item.serial_tracked, requires_qc=item.requires_qc,
            abc_class=item.abc_class, min_qty=item.min_qty, max_qty=item.max_qty, zone=zone,
            units=tuple(UnitSpec(u.uom, u.factor, u.gtin, u.barcode) for u in units),
            aliases=tuple(aliases), unit_cost=item.unit_cost,
        )

    def save_item(self, spec: ItemSpec) -> None:
        item = self.session.exec(select(Item).where(Item.sku == spec.sku)).first()
        if item is None:
            item = Item(sku=spec.sku)
            self.session.add(item)
        item.description = spec.description
        item.base_uom = spec.base_uom
        item.lot_tracked = spec.lot_tracked
        item.expiry_tracked = spec.expiry_tracked
        item.serial_tracked = spec.serial_tracked
        item.requires_qc = spec.requires_qc
        item.abc_class = spec.abc_class
        item.min_qty, item.max_qty = spec.min_qty, spec.max_qty
        item.unit_cost = spec.unit_cost
        item.zone_id = self._zone_id(spec.zone)
        self.session.flush()
        item_id = item.id
        assert item_id is not None  # the flush gave a new item its id
        existing = {
            u.uom: u
            for u in self.session.exec(select(ItemUom).where(ItemUom.item_id == item_id))
        }
        for unit in spec.units:
            row = existing.get(unit.uom)
            if row is None:
                row = ItemUom(item_id=item_id, uom=unit.uom)
                self.session.add(row)
            row.factor, row.gtin, row.barcode = unit.factor, unit.gtin, unit.barcode
        known = set(
            self.session.exec(select(ItemAlias.alias).where(ItemAlias.item_id == item_id))
        )
        for alias in spec.aliases:
            if alias not in known:
                self.session.add(ItemAlias(item_id=item_id, alias=alias))
        self.session.flush()

    # Listings.

    def ledger_lines(
        self,
        *,
        item_id: int | None = None,
        location_id: int | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int | None = None,
        after_id: int | None = None,
    ) -> list[LedgerLine]:
        src, dst = aliased(Location), aliased(Location)
        src_lpn, dst_lpn = aliased(Lpn), aliased(Lpn)
        user, approver = aliased(User), aliased(User)
        query = (
            core_select(Movement, col(Item.sku), col(Item.base_uom), col(src.code),
                        col(dst.code), col(Lot.code), col(src_lpn.code), col(dst_lpn.code),
                        col(user.login), col(approver.login))
            .join(Item, col(Item.id) == Movement.item_id)
            .join(user, col(user.id) == Movement.user_id)
            .outerjoin(approver, col(approver.id) == Movement.approved_by)
            .outerjoin(src, col(src.id) == Movement.from_location_id)
            .outerjoin(dst, col(dst.id) == Movement.to_location_id)
            .outerjoin(Lot, col(Lot.id) == Movement.lot_id)
            .outerjoin(src_lpn, col(src_lpn.id) == Movement.from_lpn_id)
            .outerjoin(dst_lpn, col(dst_lpn.id) == Movement.to_lpn_id)
        )
        # A page after an id reads forward from it; otherwise the newest come first, so a
        # limit keeps them, and are turned round below.
        if after_id is not None:
            query = query.where(col(Movement.id) > after_id).order_by(col(Movement.id))
        else:
            query = query.order_by(col(Movement.id).desc())
        if item_id is not None:
            query = query.where(col(Movement.item_id) == item_id)
        if location_id is not None:
            query = query.where(
                or_(col(Movement.from_location_id) == location_id,
                    col(Movement.to_location_id) == location_id)
            )
        if since is not None:
            query = query.where(col(Movement.created_at) >= since)
        if until is not None:
            query = query.where(col(Movement.created_at) < until)
        if limit is not None:
            query = query.limit(limit)
        lines = [
            LedgerLine(
                id=m.id, created_at=_aware(m.created_at), kind=MovementKind(m.kind), sku=sku,
                quantity=m.quantity, uom=uom, from_location=from_loc, to_location=to_loc,
                lot=lot, from_lpn=from_lpn, to_lpn=to_lpn,
                from_status=StockStatus(m.from_status) if m.from_status else None,
                to_status=StockStatus(m.to_status) if m.to_status else None,
                user=login, terminal=m.terminal, reference=m.reference, reason=m.reason_code,
                approved_by=approved,
            )
            for m, sku, uom, from_loc, to_loc, lot, from_lpn, to_lpn, login, approved
            in self.session.execute(query)
        ]
        if after_id is None:
            lines.reverse()
        return lines
