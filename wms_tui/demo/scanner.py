"""The virtual scanner: the barcodes the current step would accept, plus one that it refuses.

Trainees without a scanner press F6 and pick a number; the code is submitted as if scanned.
The lists come straight from the practice database, so they are always what the step expects.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from wms_tui.db import tables
from wms_tui.domain.errors import N_
from wms_tui.domain.flows.approve import ApproveFlow, ApproveStep
from wms_tui.domain.flows.base import AnyFlow
from wms_tui.domain.flows.count import CountFlow, CountStep
from wms_tui.domain.flows.inquiry import InquiryFlow
from wms_tui.domain.flows.move import MoveFlow, MoveStep
from wms_tui.domain.flows.pack import EVERYTHING, PackFlow, PackStep
from wms_tui.domain.flows.pick import PickFlow, PickStep
from wms_tui.domain.flows.pick_state import PickTaskState
from wms_tui.domain.flows.putaway import LocationState, PutawayFlow, PutawayStep
from wms_tui.domain.flows.receive import ReceiveFlow, ReceiveStep
from wms_tui.domain.flows.replenish import ReplenishFlow, ReplenishStep
from wms_tui.domain.inbound.model import FINAL_INBOUND_STATUSES
from wms_tui.domain.over_receipt import OVER_RECEIPT_REASONS
from wms_tui.i18n import Label

WRONG_CODE = "WRONG-0000"
# Short enough for a 16x20 screen: the list shows at most this many right answers.
MAX_RIGHT = 6

# (label, code): the label is a Label (translated when shown) or plain text.
Suggestion = tuple[str, str]


class DemoCatalog:
    """Read-only look-ups over the practice database for the virtual scanner."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _session(self) -> Session:
        # Plain BEGIN: look-ups must never queue behind (or block) a posting terminal.
        return Session(self.engine.execution_options(wms_readonly=True))

    def open_inbound(self) -> list[Suggestion]:
        with self._session() as s:
            final = sorted(status.value for status in FINAL_INBOUND_STATUSES)
            rows = s.exec(select(tables.InboundOrder)
                          .where(col(tables.InboundOrder.status).not_in(final))
                          .order_by(col(tables.InboundOrder.reference))).all()
            found: list[Suggestion] = [(Label(N_("ASN {code}"), code=o.reference), o.reference)
                                       for o in rows]
            found += [(Label(N_("SSCC {code}"), code=o.reference), o.sscc) for o in rows if o.sscc]
            return found

    def inbound_items(self, order_id: int) -> list[Suggestion]:
        with self._session() as s:
            lines = s.exec(select(tables.InboundLine)
                           .where(tables.InboundLine.order_id == order_id)
                           .order_by(col(tables.InboundLine.line_no))).all()
            return [self.item_code(line.item_id) for line in lines
                    if line.received < line.quantity]

    def item_code(self, item_id: int) -> Suggestion:
        """The item's each GTIN (its SKU when it has none), labelled with the SKU."""
        with self._session() as s:
            item = s.get(tables.Item, item_id)
            sku = item.sku if item is not None else str(item_id)
            gtins = s.exec(select(tables.ItemUom.gtin).where(tables.ItemUom.item_id == item_id)
                           .where(col(tables.ItemUom.gtin).is_not(None))
                           .order_by(col(tables.ItemUom.factor))).all()
            found = [gtin for gtin in gtins if gtin]
            if found:
                return (Label(N_("GTIN {code}"), code=sku), found[0])
            return (Label(N_("SKU {code}"), code=sku), sku)

    def location(self, location_id: int) -> list[Suggestion]:
        with self._session() as s:
            loc = s.get(tables.Location, location_id)
            if loc is None:
                return []
            return [(Label(N_("Loc {code}"), code=loc.code), loc.barcode),
                    (Label(N_("Digits {code}"), code=loc.code), loc.check_digits)]

    def stock_at(self, location_id: int) -> list[Suggestion]:
        with self._session() as s:
            rows = s.exec(select(tables.Balance).where(tables.Balance.location_id == location_id)
                          .where(tables.Balance.quantity > 0)
                          .order_by(col(tables.Balance.item_id))).all()
        seen: list[int] = []
        for row in rows:
            if row.item_id not in seen:
                seen.append(row.item_id)
        return [self.item_code(item_id) for item_id in seen[:MAX_RIGHT]]

    def lots(self, item_id: int, location_id: int | None = None) -> list[Suggestion]:
        """The item's lots; at a location, only the lots in stock there."""
        with self._session() as s:
            query = select(tables.Lot).where(tables.Lot.item_id == item_id)
            if location_id is not None:
                held = (select(tables.Balance.lot_id)
                        .where(tables.Balance.location_id == location_id)
                        .where(tables.Balance.item_id == item_id)
                        .where(tables.Balance.quantity > 0))
                query = query.where(col(tables.Lot.id).in_(held))
            rows = s.exec(query.order_by(col(tables.Lot.code))).all()
            return [(Label(N_("Lot {code}"), code=lot.code), lot.code) for lot in rows]

    def totes(self, taken: Collection[int] = (), order_id: int | None = None) -> list[Suggestion]:
        """Staging locations (totes) in walk order, leaving out those another order holds."""
        with self._session() as s:
            rows = s.exec(select(tables.Location).where(tables.Location.type == "staging")
                          .where(col(tables.Location.active).is_(True))
                          .order_by(col(tables.Location.walk_seq), col(tables.Location.code))).all()
            # Bound to another order with its stock still in: the pick would be refused.
            stocked = select(tables.Balance.location_id).where(tables.Balance.quantity > 0)
            held = set(s.exec(select(tables.ToteOrder.tote_id)
                              .where(tables.ToteOrder.order_id != order_id)
                              .where(col(tables.ToteOrder.tote_id).in_(stocked))).all())
            return [(Label(N_("Tote {code}"), code=loc.code), loc.barcode) for loc in rows
                    if loc.id not in taken and loc.id not in held]

    def locations_with_stock(self, kind: str, limit: int = 2) -> list[Suggestion]:
        with self._session() as s:
            rows = s.exec(select(tables.Location).join(
                tables.Balance, col(tables.Balance.location_id) == tables.Location.id)
                .where(tables.Location.type == kind).where(tables.Balance.quantity > 0)
                .order_by(col(tables.Location.walk_seq))).all()
        unique: list[Suggestion] = list(dict.fromkeys(
            (Label(N_("Loc {code}"), code=loc.code), loc.barcode) for loc in rows))
        return unique[:limit]

    def empty_location(self, kind: str) -> list[Suggestion]:
        with self._session() as s:
            held = select(tables.Balance.location_id).where(tables.Balance.quantity > 0)
            loc = s.exec(select(tables.Location).where(tables.Location.type == kind)
                         .where(col(tables.Location.id).not_in(held))
                         .order_by(col(tables.Location.walk_seq))).first()
            return [] if loc is None else [(Label(N_("Loc {code}"), code=loc.code), loc.barcode)]

    def dock_loads(self) -> list[Suggestion]:
        """LPNs and loose items on the docks: what putaway can start from."""
        with self._session() as s:
            docks = [loc.id for loc in s.exec(
                select(tables.Location).where(tables.Location.type == "dock")).all()]
            rows = s.exec(select(tables.Balance).where(col(tables.Balance.location_id).in_(docks))
                          .where(tables.Balance.quantity > 0)).all()
            lpns = [s.get(tables.Lpn, row.lpn_id) for row in rows if row.lpn_id is not None]
        found: list[Suggestion] = [(Label(N_("LPN {code}"), code=lpn.code), lpn.code)
                                   for lpn in lpns if lpn is not None]
        found += [self.item_code(row.item_id) for row in rows if row.lpn_id is None]
        return list(dict.fromkeys(found))

    def count_locations(self) -> list[Suggestion]:
        with self._session() as s:
            rows = s.exec(select(tables.Location).join(
                tables.CountTask, col(tables.CountTask.location_id) == tables.Location.id)
                .where(col(tables.CountTask.status).in_(("open", "recount")))
                .order_by(col(tables.Location.walk_seq))).all()
            return [(Label(N_("Loc {code}"), code=loc.code), loc.barcode) for loc in rows]

    def book_quantity(self, location_id: int, item_id: int, lot_id: int | None = None) -> int:
        """What is on the shelf in the practice warehouse: the book, of one lot when given."""
        with self._session() as s:
            query = (select(tables.Balance).where(tables.Balance.location_id == location_id)
                     .where(tables.Balance.item_id == item_id))
            if lot_id is not None:
                query = query.where(tables.Balance.lot_id == lot_id)
            return sum(row.quantity for row in s.exec(query).all())

    def location_id(self, barcode: str) -> int:
        with self._session() as s:
            loc = s.exec(select(tables.Location).where(tables.Location.barcode == barcode)).one()
            assert loc.id is not None
            return loc.id

    def any_items(self) -> list[Suggestion]:
        with self._session() as s:
            ids = s.exec(select(tables.Item.id).order_by(col(tables.Item.sku)).limit(2)).all()
        return [self.item_code(item_id) for item_id in ids if item_id is not None]

    def totes_to_pack(self) -> list[Suggestion]:
        """Totes holding an order's picked stock, loose (not yet in a carton)."""
        with self._session() as s:
            stocked = (select(tables.Balance.location_id).where(tables.Balance.quantity > 0)
                       .where(col(tables.Balance.lpn_id).is_(None)))
            rows = s.exec(select(tables.Location).join(
                tables.ToteOrder, col(tables.ToteOrder.tote_id) == tables.Location.id)
                .where(col(tables.Location.id).in_(stocked))
                .order_by(col(tables.Location.walk_seq), col(tables.Location.code))).all()
            return [(Label(N_("Tote {code}"), code=loc.code), loc.barcode) for loc in rows]

    def waves(self) -> list[Suggestion]:
        with self._session() as s:
            rows = s.exec(select(tables.Wave).order_by(col(tables.Wave.id).desc())).all()
            return [(Label(N_("Wave {code}"), code=w.code), w.code) for w in rows[:2]]


def _at(catalog: DemoCatalog, location: LocationState | None) -> list[Suggestion]:
    """A location the flow directs to: its label and its check digits."""
    return [] if location is None else catalog.location(location["id"])


def _receive(flow: ReceiveFlow, catalog: DemoCatalog) -> list[Suggestion]:
    step, s = flow.step_name, flow.state
    if step == ReceiveStep.ORDER:
        return catalog.open_inbound()
    if step == ReceiveStep.ITEM:
        if s.get("blind"):
            return catalog.any_items()
        order_id = s.get("order_id")
        return [] if order_id is None else catalog.inbound_items(order_id)
    if step == ReceiveStep.QTY:
        factor = s.get("factor", 1)
        left = [line.remaining for line in flow.item_lines()]
        qty = max(left[0] // factor, 1) if left else 1
        return [(Label(N_("Qty {qty} {uom}"), qty=qty, uom=s.get("uom", "")), str(qty)),
                (Label(N_("Qty {qty}"), qty=1), "1")]
    if step == ReceiveStep.LOT:
        lots = [line.lot for line in flow.item_lines() if line.lot]
        return ([(Label(N_("Lot {code}"), code=lot), lot) for lot in lots]
                or [(Label(N_("Lot {code}"), code="LDEMO1"), "LDEMO1")])
    if step == ReceiveStep.EXPIRY:
        return [(Label(N_("Expiry in a year")), f"{date.today() + timedelta(days=365):%y%m%d}")]
    if step == ReceiveStep.OVER:
        return [(Label(N_("Yes: receive over")), "1"),
                (Label(N_("No: rekey the qty")), "2")]
    if step == ReceiveStep.REASON:
        return [(Label(N_("Reason {code}"), code=r.code), str(n))
                for n, r in enumerate(OVER_RECEIPT_REASONS, start=1)]
    return []


def _putaway(flow: PutawayFlow, catalog: DemoCatalog) -> list[Suggestion]:
    step = flow.step_name
    if step == PutawayStep.SOURCE:
        return catalog.dock_loads()
    if step == PutawayStep.FROM:
        return catalog.locations_with_stock("dock")
    if step == PutawayStep.LOT:
        lot = flow.state.get("lot")
        return [(Label(N_("Lot {code}"), code=lot), lot)] if lot else []
    if step == PutawayStep.QTY:
        return [(Label(N_("Enter = all")), "")]
    if step == PutawayStep.CONFIRM:
        # No room anywhere (to is None): a supervisor may put it in any empty location.
        return _at(catalog, flow.state.get("to")) or catalog.empty_location("reserve")
    if step == PutawayStep.REASON:
        return [(Label(N_("Reason 1")), "1")]
    return []


def _pick(flow: PickFlow, catalog: DemoCatalog) -> list[Suggestion]:
    step, s = flow.step_name, flow.state
    if step == PickStep.START:
        return [(Label(N_("Enter = next task")), ""), *catalog.waves()]
    if step == PickStep.QTY:
        return [(Label(N_("Enter = all")), "")]
    if step == PickStep.SQTY:
        return [(Label(N_("Qty 0")), "0")]
    if step == PickStep.CONFIRM:
        return [(Label(N_("Yes: post the short")), "1"),
                (Label(N_("No: keep the line")), "2")]
    if step == PickStep.REASON:
        short = s.get("short")
        reasons = short["reasons"] if short is not None else []
        return [(Label(N_("Reason {code}"), code=code), str(n))
                for n, code in enumerate(reasons, start=1)]
    if step == PickStep.ZERO:
        return [(Label(N_("Yes: it is empty")), "1"),
                (Label(N_("No: send a counter")), "2")]
    # The steps left are about the task's line.
    task = s.get("task")
    if task is None:
        return []
    if step == PickStep.LOC:
        return _at(catalog, task["loc"])
    if step == PickStep.ITEM:
        return [catalog.item_code(task["item_id"])]
    if step == PickStep.LOT:
        lot = task["lot"]
        return [(Label(N_("Lot {code}"), code=lot), lot)] if lot else []
    if step == PickStep.DROP:
        return _pick_totes(flow, task, catalog)
    return []


def _pick_totes(flow: PickFlow, task: PickTaskState, catalog: DemoCatalog) -> list[Suggestion]:
    """The order's tote (Enter keeps it), else a tote no other order holds."""
    mine = flow.tote()
    if mine is not None:
        tote = Label(N_("Tote {code}"), code=mine["code"])
        barcodes = [barcode for _label, barcode in catalog.location(mine["id"])[:1]]
        return [(Label(N_("Enter = {code}"), code=mine["code"]), ""),
                *[(tote, barcode) for barcode in barcodes]]
    taken = {tote["id"] for tote in (flow.state.get("totes") or {}).values()}
    return catalog.totes(taken, task.get("order_id"))


def _count(flow: CountFlow, catalog: DemoCatalog) -> list[Suggestion]:
    step, s = flow.step_name, flow.state
    where = s.get("where")
    if step == CountStep.TASK:
        return [(Label(N_("Enter = next task")), ""), *catalog.count_locations()]
    if step == CountStep.LOC:
        return _at(catalog, where)
    if step == CountStep.ITEM:
        found = catalog.stock_at(where["id"]) if where is not None else []
        return [*found, (Label(N_("Enter = done")), "")]
    if step == CountStep.DONE:
        return [(Label(N_("1 Yes")), "1"), (Label(N_("2 No")), "2")]
    # Lot and quantity are about the item just scanned, at the location being counted.
    item_id = s.get("item_id")
    if where is None or item_id is None:
        return []
    if step == CountStep.LOT:
        return catalog.lots(item_id, where["id"])
    if step == CountStep.QTY:
        book = catalog.book_quantity(where["id"], item_id, s.get("lot_id"))
        counted = book // s.get("factor", 1)
        return [(Label(N_("Qty {qty}"), qty=counted), str(counted))]
    return []


def _approve(flow: ApproveFlow) -> list[Suggestion]:
    """Approvals are keyed, not scanned: the keys each step takes."""
    step = flow.step_name
    if step == ApproveStep.START:
        return [(Label(N_("Enter = next count")), "")]
    if step == ApproveStep.REVIEW:
        return [(Label(N_("Enter = next item")), "")]
    return [(Label(N_("1 Approve")), "1"), (Label(N_("2 Reject")), "2"),
            (Label(N_("3 Skip")), "3")]


def _move(flow: MoveFlow, catalog: DemoCatalog) -> list[Suggestion]:
    step = flow.step_name
    if step == MoveStep.FROM:
        return catalog.locations_with_stock("reserve")
    if step == MoveStep.ITEM:
        from_id = flow.state.get("from_id")
        return [] if from_id is None else catalog.stock_at(from_id)
    if step == MoveStep.QTY:
        return [(Label(N_("Qty {qty}"), qty=1), "1")]
    if step == MoveStep.TO:
        return catalog.empty_location("reserve")
    return []


def _pack(flow: PackFlow, catalog: DemoCatalog) -> list[Suggestion]:
    step, s = flow.step_name, flow.state
    yes_no: list[Suggestion] = [(Label(N_("1 Yes")), "1"), (Label(N_("2 No")), "2")]
    if step == PackStep.TOTE:
        return catalog.totes_to_pack()
    if step == PackStep.ITEM:
        items: list[Suggestion] = [(Label(N_("SKU {code}"), code=line["sku"]), line["sku"])
                                   for line in s.get("lines", []) if line["qty"] > 0]
        return [(Label(N_("ALL: pack all left")), EVERYTHING), *items]
    if step in (PackStep.QTY, PackStep.SQTY):
        return [(Label(N_("Enter = all")), "")]
    if step == PackStep.TYPE:
        return [(Label(N_("Type {code}"), code=code), str(n))
                for n, code in enumerate(s.get("types", []), start=1)]
    if step == PackStep.WEIGHT:
        # A GS1 net weight label (3103: kg, three decimals).
        return [(Label(N_("Weight {kg} kg"), kg="4.500"), "(3103)004500")]
    if step in (PackStep.CONFIRM, PackStep.SHORT):
        return yes_no
    if step == PackStep.DONE:
        return [(Label(N_("Enter = next carton")), "")]
    if step == PackStep.REASON:
        return [(Label(N_("Reason {code}"), code=code), str(n))
                for n, code in enumerate(s.get("reasons", []), start=1)]
    return []


def _inquiry(catalog: DemoCatalog) -> list[Suggestion]:
    """Both steps take any scan: a pick location with stock, and an item in it."""
    found = catalog.locations_with_stock("pick", limit=1)
    if found:
        found += catalog.stock_at(catalog.location_id(found[0][1]))[:1]
    return found


def _replenish(flow: ReplenishFlow, catalog: DemoCatalog) -> list[Suggestion]:
    step = flow.step_name
    if step == ReplenishStep.START:
        return [(Label(N_("Enter = next task")), "")]
    if step == ReplenishStep.QTY:
        return [(Label(N_("Enter = all")), "")]
    task = flow.state.get("task")
    if task is None:
        return []
    if step == ReplenishStep.FROM:
        return _at(catalog, task["from"])
    if step == ReplenishStep.TO:
        return _at(catalog, task["to"])
    if step == ReplenishStep.ITEM:
        return [catalog.item_code(task["item_id"])]
    if step == ReplenishStep.LOT:
        lot = task["lot"]
        return [(Label(N_("Lot {code}"), code=lot), lot)] if lot else []
    return []


def suggestions(flow: AnyFlow, catalog: DemoCatalog) -> list[Suggestion]:
    """What the flow's current step would accept, then one code every step refuses.

    It runs database look-ups: the RF screen calls it from a worker thread.
    """
    right: list[Suggestion]
    match flow:
        case ReceiveFlow():
            right = _receive(flow, catalog)
        case PutawayFlow():
            right = _putaway(flow, catalog)
        case PickFlow():
            right = _pick(flow, catalog)
        case CountFlow():
            right = _count(flow, catalog)
        case MoveFlow():
            right = _move(flow, catalog)
        case InquiryFlow():
            right = _inquiry(catalog)
        case ReplenishFlow():
            right = _replenish(flow, catalog)
        case ApproveFlow():
            right = _approve(flow)
        case PackFlow():
            right = _pack(flow, catalog)
        case _:
            right = []
    return [*right[:MAX_RIGHT], (Label(N_("Wrong code")), WRONG_CODE)]
