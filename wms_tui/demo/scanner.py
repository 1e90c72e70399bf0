"""The virtual scanner: the barcodes the current step would accept, plus one that it refuses.

Trainees without a scanner press F6 and pick a number; the code is submitted as if scanned.
The lists come straight from the practice database, so they are always what the step expects.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from wms_tui.db import tables
from wms_tui.domain.errors import N_
from wms_tui.domain.flows.base import Flow
from wms_tui.domain.over_receipt import OVER_RECEIPT_REASONS
from wms_tui.i18n import Label

WRONG_CODE = "WRONG-0000"
# Short enough for a 16x20 screen: the list shows at most this many right answers.
MAX_RIGHT = 6



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
            rows = s.exec(select(tables.InboundOrder).where(tables.InboundOrder.status != "closed")
                          .order_by(col(tables.InboundOrder.reference))).all()
            found = [(Label(N_("ASN {code}"), code=o.reference), o.reference) for o in rows]
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
        unique = list(dict.fromkeys(
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
        found = [(Label(N_("LPN {code}"), code=lpn.code), lpn.code)
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

    def waves(self) -> list[Suggestion]:
        with self._session() as s:
            rows = s.exec(select(tables.Wave).order_by(col(tables.Wave.id).desc())).all()
            return [(Label(N_("Wave {code}"), code=w.code), w.code) for w in rows[:2]]


def _loc_state(catalog: DemoCatalog, data: dict[str, Any] | None) -> list[Suggestion]:
    return [] if not data else catalog.location(int(data["id"]))


def _receive(step: str, s: dict[str, Any], catalog: DemoCatalog) -> list[Suggestion]:
    if step == "order":
        return catalog.open_inbound()
    if step == "item":
        if s.get("blind"):
            return catalog.any_items()
        return catalog.inbound_items(int(s["order_id"]))
    if step == "qty":
        factor = int(s.get("factor") or 1)
        left = [ln["quantity"] - ln["received"] for ln in s.get("lines") or []]
        qty = max(left[0] // factor, 1) if left else 1
        return [(Label(N_("Qty {qty} {uom}"), qty=qty, uom=s.get("uom", "")), str(qty)),
                (Label(N_("Qty {qty}"), qty=1), "1")]
    if step == "lot":
        lines = [ln["lot"] for ln in s.get("lines") or [] if ln.get("lot")]
        return ([(Label(N_("Lot {code}"), code=lot), lot) for lot in lines]
                or [(Label(N_("Lot {code}"), code="LDEMO1"), "LDEMO1")])
    if step == "expiry":
        return [(Label(N_("Expiry in a year")), f"{date.today() + timedelta(days=365):%y%m%d}")]
    if step == "over":
        return [(Label(N_("Yes: receive over")), "1"),
                (Label(N_("No: rekey the qty")), "2")]
    if step == "reason":
        return [(Label(N_("Reason {code}"), code=r.code), str(n))
                for n, r in enumerate(OVER_RECEIPT_REASONS, start=1)]
    return []


def _putaway(step: str, s: dict[str, Any], catalog: DemoCatalog) -> list[Suggestion]:
    if step == "source":
        return catalog.dock_loads()
    if step == "from":
        return catalog.locations_with_stock("dock")
    if step == "qty":
        return [(Label(N_("Enter = all")), "")]
    if step == "confirm":
        return _loc_state(catalog, s.get("to")) or catalog.empty_location("reserve")
    if step == "reason":
        return [(Label(N_("Reason 1")), "1")]
    return []


def _pick(step: str, s: dict[str, Any], catalog: DemoCatalog) -> list[Suggestion]:
    task = s.get("task") or {}
    if step == "start":
        return [(Label(N_("Enter = next task")), ""), *catalog.waves()]
    if step == "loc":
        return _loc_state(catalog, task.get("loc"))
    if step == "item":
        return [catalog.item_code(int(task["item_id"]))]
    if step == "lot":
        return [(Label(N_("Lot {code}"), code=task["lot"]), task["lot"])] if task.get("lot") else []
    if step == "qty":
        return [(Label(N_("Enter = all")), "")]
    if step == "sqty":
        return [(Label(N_("Qty 0")), "0")]
    if step == "drop":
        return _pick_totes(task, s.get("totes") or {}, catalog, s.get("bound"))
    if step == "confirm":
        return [(Label(N_("Yes: post the short")), "1"),
                (Label(N_("No: keep the line")), "2")]
    if step == "reason":
        reasons = (s.get("short") or {}).get("reasons") or []
        return [(Label(N_("Reason {code}"), code=code), str(n))
                for n, code in enumerate(reasons, start=1)]
    if step == "zero":
        return [(Label(N_("Yes: it is empty")), "1"),
                (Label(N_("No: send a counter")), "2")]
    return []


def _pick_totes(task: dict[str, Any], totes: dict[str, dict[str, Any]],
                catalog: DemoCatalog, bound: dict[str, Any] | None = None) -> list[Suggestion]:
    """The order's tote (Enter keeps it), else a tote no other order holds."""
    mine = totes.get(task.get("order", "")) or bound
    if mine is not None:
        tote = Label(N_("Tote {code}"), code=mine["code"])
        barcodes = [barcode for _label, barcode in catalog.location(int(mine["id"]))[:1]]
        return [(Label(N_("Enter = {code}"), code=mine["code"]), ""),
                *[(tote, barcode) for barcode in barcodes]]
    taken = {int(tote["id"]) for tote in totes.values()}
    return catalog.totes(taken, task.get("order_id"))


def _count(step: str, s: dict[str, Any], catalog: DemoCatalog) -> list[Suggestion]:
    where = s.get("where")
    if step == "task":
        return [(Label(N_("Enter = next task")), ""), *catalog.count_locations()]
    if step == "loc":
        return _loc_state(catalog, where)
    if step == "item":
        found = catalog.stock_at(int(where["id"])) if where else []
        return [*found, (Label(N_("Enter = done")), "")]
    if step == "lot":
        if not s.get("item_id") or not where:
            return []
        return catalog.lots(int(s["item_id"]), int(where["id"]))
    if step == "qty":
        lot_id = int(s["lot_id"]) if s.get("lot_id") else None
        book = catalog.book_quantity(int(where["id"]), int(s["item_id"]), lot_id) if where else 0
        factor = int(s.get("factor") or 1)
        return [(Label(N_("Qty {qty}"), qty=book // factor), str(book // factor))]
    if step == "done":
        return [(Label(N_("1 Yes")), "1"), (Label(N_("2 No")), "2")]
    return []


def _move(step: str, s: dict[str, Any], catalog: DemoCatalog) -> list[Suggestion]:
    if step == "from":
        return catalog.locations_with_stock("reserve")
    if step == "item":
        return catalog.stock_at(int(s["from_id"]))
    if step == "qty":
        return [(Label(N_("Qty {qty}"), qty=1), "1")]
    if step == "to":
        return catalog.empty_location("reserve")
    return []


def _inquiry(step: str, s: dict[str, Any], catalog: DemoCatalog) -> list[Suggestion]:
    found = catalog.locations_with_stock("pick", limit=1)
    if found:
        found += catalog.stock_at(catalog.location_id(found[0][1]))[:1]
    return found


def _replenish(step: str, s: dict[str, Any], catalog: DemoCatalog) -> list[Suggestion]:
    task = s.get("task") or {}
    if step == "start":
        return [(Label(N_("Enter = next task")), "")]
    if step in ("from", "to"):
        return _loc_state(catalog, task.get(step))
    if step == "item" and task.get("item_id"):
        return [catalog.item_code(int(task["item_id"]))]
    if step == "lot" and task.get("lot"):
        return [(Label(N_("Lot {code}"), code=task["lot"]), task["lot"])]
    if step == "qty":
        return [(Label(N_("Enter = all")), "")]
    return []


BY_FLOW = {"receive": _receive, "putaway": _putaway, "pick": _pick, "count": _count,
           "move": _move, "inquiry": _inquiry, "replenish": _replenish}


def suggestions(flow: Flow, catalog: DemoCatalog) -> list[Suggestion]:
    """What the flow's current step would accept, then one code every step refuses."""
    pick = BY_FLOW.get(flow.name)
    right: list[Suggestion] = []
    if pick is not None:
        try:
            right = pick(flow.step_name, flow.state, catalog)
        except (KeyError, TypeError, ValueError):
            # A state shape this helper does not know: offer only the wrong code.
            right = []
    return [*right[:MAX_RIGHT], (Label(N_("Wrong code")), WRONG_CODE)]
