"""SQL storage of pack, ship and returns (domain.shipping.ports.ShippingRepository); it never
commits. The SSCC counter is one UPDATE ... RETURNING, so parallel packers queue on its row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlmodel import Session

from wms_tui.db.repositories import _insert
from wms_tui.db.shipping_tables import (
    Carton,
    CartonLine,
    CustomerReturn,
    PackException,
    ReturnLine,
    Shipment,
    SsccCounter,
)
from wms_tui.db.tables import (
    Item,
    Location,
    Lot,
    Lpn,
    OutboundLine,
    OutboundOrder,
    User,
    table_of,
    utcnow,
)
from wms_tui.domain.checkdigits import is_valid_sscc
from wms_tui.domain.errors import NotFound
from wms_tui.domain.shipping.model import (
    CODE_DIGITS,
    CartonLineRef,
    CartonRef,
    CartonStatus,
    Disposition,
    PackExceptionRef,
    ShipmentRef,
    ShipmentRow,
    ShipmentStatus,
    WeightSource,
)
from wms_tui.domain.shipping.ports import CartonSpec, ShipmentFilter

CTR = table_of(SsccCounter)
SH = table_of(Shipment)
C = table_of(Carton)
CL = table_of(CartonLine)
PX = table_of(PackException)
RET = table_of(CustomerReturn)
RL = table_of(ReturnLine)
LPN = table_of(Lpn)
LOC = table_of(Location)
ITEM = table_of(Item)
LOT = table_of(Lot)
ORD = table_of(OutboundOrder)
OL = table_of(OutboundLine)
USER = table_of(User)


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _kg(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.001"))


class SqlShipping:
    def __init__(self, session: Session) -> None:
        self.session = session

    # SSCCs.

    def next_sscc_serial(self, extension: str, prefix: str) -> int:
        bump = (update(CTR).where(CTR.c.extension == extension, CTR.c.prefix == prefix)
                .values(last_serial=CTR.c.last_serial + 1).returning(CTR.c.last_serial))
        serial = self.session.execute(bump).scalar()
        if serial is None:
            # The first carton under this prefix: start after the SSCCs labels issued already.
            self.session.execute(
                _insert(self.session, CTR)
                .values(extension=extension, prefix=prefix, last_serial=self._issued(
                    extension, prefix))
                .on_conflict_do_nothing(index_elements=["extension", "prefix"]))
            serial = self.session.execute(bump).scalar()
        assert serial is not None
        return int(serial)

    def _issued(self, extension: str, prefix: str) -> int:
        head = extension + prefix
        codes = self.session.execute(
            select(LPN.c.sscc).where(LPN.c.sscc.like(f"{head}%"))).scalars()
        return max((int(c[len(head):-1]) for c in codes if c and is_valid_sscc(c)), default=0)

    def sscc_taken(self, sscc: str) -> bool:
        query = select(LPN.c.id).where((LPN.c.sscc == sscc) | (LPN.c.code == sscc))
        return self.session.execute(query.limit(1)).first() is not None

    # Cartons.

    def add_carton(self, spec: CartonSpec) -> int:
        row = self.session.execute(C.insert().values(
            sscc=spec.sscc, lpn_id=spec.lpn_id, order_id=spec.order_id, tote_id=spec.tote_id,
            carton_type=spec.carton_type, weight_kg=spec.weight_kg,
            weight_source=spec.weight_source.value if spec.weight_source else None,
            status=CartonStatus.PACKED.value, packed_by=spec.packed_by, created_at=utcnow(),
        ).returning(C.c.id)).scalar_one()
        return int(row)

    def add_carton_line(self, carton_id: int, order_line_id: int, item_id: int,
                        lot_id: int | None, quantity: int, serials: Sequence[str],
                        pack_movement_id: int) -> None:
        self.session.execute(CL.insert().values(
            carton_id=carton_id, order_line_id=order_line_id, item_id=item_id, lot_id=lot_id,
            quantity=quantity, serials=" ".join(serials) or None,
            pack_movement_id=pack_movement_id))

    def _carton_query(self) -> Any:
        tote, here = LOC.alias("tote"), LOC.alias("here")
        return (
            select(C, ORD.c.reference.label("order_ref"), ORD.c.customer,
                   tote.c.code.label("tote_code"), LPN.c.location_id,
                   here.c.code.label("here_code"), SH.c.code.label("shipment_code"))
            .join(ORD, ORD.c.id == C.c.order_id)
            .join(tote, tote.c.id == C.c.tote_id)
            .join(LPN, LPN.c.id == C.c.lpn_id)
            .outerjoin(here, here.c.id == LPN.c.location_id)
            .outerjoin(SH, SH.c.id == C.c.shipment_id)
            .order_by(C.c.id)
        )

    def _cartons(self, query: Any) -> list[CartonRef]:
        rows = self.session.execute(query).all()
        lines = self._lines([r.id for r in rows])
        return [
            CartonRef(
                id=r.id, sscc=r.sscc, lpn_id=r.lpn_id, order_id=r.order_id,
                order_ref=r.order_ref, customer=r.customer, tote=r.tote_code,
                carton_type=r.carton_type, status=CartonStatus(r.status),
                location_id=r.location_id, location=r.here_code, weight_kg=_kg(r.weight_kg),
                weight_source=WeightSource(r.weight_source) if r.weight_source else None,
                shipment_id=r.shipment_id, shipment=r.shipment_code,
                lines=tuple(lines.get(r.id, ())),
            )
            for r in rows
        ]

    def _lines(self, carton_ids: Sequence[int]) -> dict[int, list[CartonLineRef]]:
        if not carton_ids:
            return {}
        query = (
            select(CL, OL.c.line_no, ITEM.c.sku, ITEM.c.description, ITEM.c.base_uom,
                   LOT.c.code.label("lot_code"), LOT.c.expiry)
            .join(OL, OL.c.id == CL.c.order_line_id)
            .join(ITEM, ITEM.c.id == CL.c.item_id)
            .outerjoin(LOT, LOT.c.id == CL.c.lot_id)
            .where(CL.c.carton_id.in_(list(carton_ids)))
            .order_by(CL.c.carton_id, OL.c.line_no, CL.c.id)
        )
        found: dict[int, list[CartonLineRef]] = {}
        for r in self.session.execute(query):
            found.setdefault(r.carton_id, []).append(CartonLineRef(
                id=r.id, order_line_id=r.order_line_id, line_no=r.line_no, item_id=r.item_id,
                sku=r.sku, description=r.description, base_uom=r.base_uom,
                quantity=r.quantity, lot_id=r.lot_id, lot=r.lot_code, expiry=r.expiry,
                serials=tuple((r.serials or "").split()), ship_movement_id=r.ship_movement_id,
            ))
        return found

    def carton(self, carton_id: int) -> CartonRef:
        found = self._cartons(self._carton_query().where(C.c.id == carton_id))
        if not found:
            raise NotFound(f"no carton with id {carton_id}")
        return found[0]

    def carton_by_sscc(self, sscc: str) -> CartonRef | None:
        found = self._cartons(self._carton_query().where(C.c.sscc == sscc))
        return found[0] if found else None

    def cartons(self, *, shipment_id: int | None = None, order_ids: Sequence[int] = (),
                status: CartonStatus | None = None) -> list[CartonRef]:
        query = self._carton_query()
        if shipment_id is not None:
            query = query.where(C.c.shipment_id == shipment_id)
        if order_ids:
            query = query.where(C.c.order_id.in_(list(order_ids)))
        if status is not None:
            query = query.where(C.c.status == status.value)
        return self._cartons(query)

    def move_carton(self, carton_id: int, from_status: CartonStatus, to_status: CartonStatus,
                    shipment_id: int | None) -> bool:
        result = self.session.execute(
            update(C).where(C.c.id == carton_id, C.c.status == from_status.value)
            .values(status=to_status.value, shipment_id=shipment_id))
        return bool(getattr(result, "rowcount", 0) == 1)

    def set_ship_movement(self, carton_line_id: int, movement_id: int) -> None:
        self.session.execute(update(CL).where(CL.c.id == carton_line_id)
                             .values(ship_movement_id=movement_id))

    def packed_by_line(self, order_id: int) -> dict[int, int]:
        query = (select(CL.c.order_line_id, func.sum(CL.c.quantity))
                 .join(C, C.c.id == CL.c.carton_id)
                 .where(C.c.order_id == order_id).group_by(CL.c.order_line_id))
        return {line: int(total) for line, total in self.session.execute(query)}

    def shipped_by_line(self, order_id: int) -> dict[int, int]:
        self.session.flush()
        query = select(OL.c.id, OL.c.shipped).where(OL.c.order_id == order_id)
        return {line: int(shipped) for line, shipped in self.session.execute(query)}

    def add_shipped(self, order_line_id: int, quantity: int) -> bool:
        result = self.session.execute(
            update(OL).where(OL.c.id == order_line_id, OL.c.shipped + quantity <= OL.c.picked)
            .values(shipped=OL.c.shipped + quantity))
        return bool(getattr(result, "rowcount", 0) == 1)

    # Pack exceptions.

    def add_pack_exception(self, order_id: int, tote_id: int, item_id: int, lot_id: int | None,
                           quantity: int, reason: str, user_id: int) -> None:
        self.session.execute(PX.insert().values(
            order_id=order_id, tote_id=tote_id, item_id=item_id, lot_id=lot_id,
            quantity=quantity, kind="short", reason_code=reason, user_id=user_id,
            created_at=utcnow()))

    def pack_exceptions(self, order_ids: Sequence[int]) -> list[PackExceptionRef]:
        if not order_ids:
            return []
        query = (
            select(PX, ORD.c.reference, LOC.c.code.label("tote"), ITEM.c.sku, ITEM.c.base_uom,
                   USER.c.login, LOT.c.code.label("lot_code"))
            .join(ORD, ORD.c.id == PX.c.order_id)
            .join(LOC, LOC.c.id == PX.c.tote_id)
            .join(ITEM, ITEM.c.id == PX.c.item_id)
            .join(USER, USER.c.id == PX.c.user_id)
            .outerjoin(LOT, LOT.c.id == PX.c.lot_id)
            .where(PX.c.order_id.in_(list(order_ids))).order_by(PX.c.id)
        )
        return [PackExceptionRef(r.reference, r.tote, r.sku, r.quantity, r.base_uom,
                                 r.reason_code, r.login, r.lot_code)
                for r in self.session.execute(query)]

    def short_at_pack(self, order_id: int, tote_id: int) -> dict[tuple[int, int | None], int]:
        query = (select(PX.c.item_id, PX.c.lot_id, func.sum(PX.c.quantity))
                 .where(PX.c.order_id == order_id, PX.c.tote_id == tote_id)
                 .group_by(PX.c.item_id, PX.c.lot_id))
        return {(item, lot): int(total) for item, lot, total in self.session.execute(query)}

    # Shipments.

    def next_code(self, prefix: str) -> str:
        table = SH if prefix == "SH" else RET
        width = len(prefix) + CODE_DIGITS
        codes = self.session.execute(
            select(table.c.code).where(table.c.code.like(f"{prefix}%"))
            .order_by(func.length(table.c.code).desc(), table.c.code.desc()).limit(50)
        ).scalars()
        last = next((int(c[len(prefix):]) for c in codes
                     if c[len(prefix):].isdigit() and len(c) >= width), 0)
        return f"{prefix}{last + 1:0{CODE_DIGITS}d}"

    def add_shipment(self, code: str, dock_id: int, user_id: int) -> int:
        row = self.session.execute(SH.insert().values(
            code=code, dock_id=dock_id, status=ShipmentStatus.OPEN.value, created_by=user_id,
            created_at=utcnow()).returning(SH.c.id)).scalar_one()
        return int(row)

    def _shipment(self, where: Any) -> ShipmentRef | None:
        row = self.session.execute(
            select(SH, LOC.c.code.label("dock")).join(LOC, LOC.c.id == SH.c.dock_id)
            .where(where)).first()
        if row is None:
            return None
        created = _aware(row.created_at)
        assert created is not None
        return ShipmentRef(row.id, row.code, row.dock_id, row.dock, ShipmentStatus(row.status),
                           created, _aware(row.shipped_at))

    def shipment(self, shipment_id: int) -> ShipmentRef:
        found = self._shipment(SH.c.id == shipment_id)
        if found is None:
            raise NotFound(f"no shipment with id {shipment_id}")
        return found

    def shipment_by_code(self, code: str) -> ShipmentRef | None:
        return self._shipment(SH.c.code == code)

    def lock_shipment(self, shipment_id: int) -> None:
        # FOR UPDATE on PostgreSQL; SQLite writers hold the database lock already.
        self.session.execute(select(SH.c.id).where(SH.c.id == shipment_id).with_for_update())

    def set_shipped(self, shipment_id: int, user_id: int) -> bool:
        result = self.session.execute(
            update(SH).where(SH.c.id == shipment_id, SH.c.status == ShipmentStatus.OPEN.value)
            .values(status=ShipmentStatus.SHIPPED.value, shipped_by=user_id,
                    shipped_at=utcnow()))
        return bool(getattr(result, "rowcount", 0) == 1)

    def shipments(self, where: ShipmentFilter) -> list[ShipmentRow]:
        query = (select(SH, LOC.c.code.label("dock")).join(LOC, LOC.c.id == SH.c.dock_id)
                 .order_by(SH.c.id.desc()))
        if where.status is not None:
            query = query.where(SH.c.status == where.status)
        if where.dock is not None:
            query = query.where(func.upper(LOC.c.code) == where.dock.strip().upper())
        if where.order is not None:
            on = (select(C.c.shipment_id).join(ORD, ORD.c.id == C.c.order_id)
                  .where(func.upper(ORD.c.reference) == where.order.strip().upper()))
            query = query.where(SH.c.id.in_(on))
        if where.limit is not None:
            query = query.limit(where.limit)
        rows = self.session.execute(query).all()
        ids = [r.id for r in rows]
        sums: dict[int, tuple[int, Decimal | None]] = {}
        orders: dict[int, list[str]] = {}
        if ids:
            for sid, n, kg in self.session.execute(
                    select(C.c.shipment_id, func.count(C.c.id), func.sum(C.c.weight_kg))
                    .where(C.c.shipment_id.in_(ids)).group_by(C.c.shipment_id)):
                sums[sid] = (int(n), _kg(kg))
            for sid, ref in self.session.execute(
                    select(C.c.shipment_id, ORD.c.reference).distinct()
                    .join(ORD, ORD.c.id == C.c.order_id).where(C.c.shipment_id.in_(ids))
                    .order_by(ORD.c.reference)):
                orders.setdefault(sid, []).append(ref)
        result = []
        for r in rows:
            created = _aware(r.created_at)
            assert created is not None
            count, kg = sums.get(r.id, (0, None))
            result.append(ShipmentRow(r.code, r.dock, ShipmentStatus(r.status), count,
                                      " ".join(orders.get(r.id, [])), kg, created,
                                      _aware(r.shipped_at)))
        return result

    # Returns.

    def add_return(self, code: str, order_id: int | None, dock_id: int, user_id: int) -> int:
        row = self.session.execute(RET.insert().values(
            code=code, order_id=order_id, dock_id=dock_id, user_id=user_id,
            created_at=utcnow()).returning(RET.c.id)).scalar_one()
        return int(row)

    def add_return_line(self, return_id: int, order_line_id: int | None, item_id: int,
                        lot_id: int | None, quantity: int, disposition: Disposition,
                        movement_id: int) -> None:
        self.session.execute(RL.insert().values(
            return_id=return_id, order_line_id=order_line_id, item_id=item_id, lot_id=lot_id,
            quantity=quantity, disposition=disposition.value, movement_id=movement_id))

    def returned_by_line(self, order_id: int) -> dict[int, int]:
        query = (select(RL.c.order_line_id, func.sum(RL.c.quantity))
                 .join(RET, RET.c.id == RL.c.return_id)
                 .where(and_(RET.c.order_id == order_id, RL.c.order_line_id.is_not(None)))
                 .group_by(RL.c.order_line_id))
        return {line: int(total) for line, total in self.session.execute(query)}
