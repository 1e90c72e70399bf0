"""Inquiry: scan an item (where is it, how much), a location or an LPN (what is on it), paged.

Only the page on screen is kept in state, so a saved inquiry stays small however much stock
an item has; paging reads the stock again and so always shows it as it is now. A stock line too
wide for a handheld (a lot and its expiry) wraps onto further rows rather than being cut, and
a page holds as many whole lines as its rows take.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Mapping, Sequence
from typing import ClassVar, Literal

from wms_tui.domain.errors import N_, BadInput, NotFound, ScanRejected
from wms_tui.domain.flows.base import (
    Fact,
    FactKind,
    Flow,
    FlowState,
    Step,
    Translate,
    iso,
    no_translation,
)
from wms_tui.domain.flows.serial_step import SerialLookup
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.model import Actor, StockLine
from wms_tui.domain.serials import SerialHistory

DEFAULT_PAGE_SIZE = 4
# The rows the screen keeps above the lines for what was scanned, where and the page number
# (page_size is what is left); headings that need more take it from the lines.
PAGE_HEADINGS = 3
# A page is laid out for a handheld's one column of facts and for the two side by side from 40
# columns, where a wrapped line takes whole rows: it is costed for whichever takes more.
NARROW = 20
SIDE_BY_SIDE = 40

Subject = Literal["item", "location", "lpn", "serial"]
# One stock line on the page: where (or which item), quantity, unit, lot, status, expiry (ISO;
# states saved before expiries were shown have five fields).
PageLine = tuple[str, int, str, str | None, str, str | None]
# One movement of a serial on the page: kind (a MovementKind value), MM-DD, where it went.
SerialLine = tuple[str, str, str]


class InquiryStep(enum.StrEnum):
    SCAN = "scan"
    RESULT = "result"


class InquiryState(FlowState, total=False):
    """What was scanned and the one page of its stock on screen."""

    page_size: int
    kind: Subject
    subject_id: int
    subject: str
    # An item inquiry's description.
    desc: str
    # Where the LPN is, shown above its lines.
    at: str | None
    lpn_location_id: int | None
    offset: int
    total: int
    # The page on screen and how many there are; a state without them pages a line a row.
    page: int
    pages: int
    # JSON keeps each line as a list of the PageLine fields.
    lines: list[PageLine]
    # A serial inquiry: its item, status (a SerialStatus value) and a page of its history.
    serial_sku: str
    serial_status: str
    events: list[SerialLine]


class InquiryFlow(Flow[InquiryState, InquiryStep]):
    name = "inquiry"
    HELP: ClassVar[Mapping[str, str]] = {
        InquiryStep.SCAN: N_("Scan an item to see where it is, a location or LPN to see "
                             "what is on it, or a serial to see where it is and went."),
        InquiryStep.RESULT: N_("Enter shows the next page, and after the last one a new "
                               "inquiry. Scanning starts a new inquiry at once."),
    }

    def __init__(self, actor: Actor, services: RfServices, t: Translate = no_translation,
                 state: Mapping[str, object] | None = None) -> None:
        super().__init__(actor, services, t, state)
        self.page_size = int(self.state.get("page_size", DEFAULT_PAGE_SIZE))

    def first_step(self) -> InquiryStep:
        return InquiryStep.SCAN

    def previous_step(self) -> InquiryStep | None:
        return InquiryStep.SCAN if self.step_name == InquiryStep.RESULT else None

    def set_page_size(self, lines: int) -> None:
        """Stock lines per page (header facts not counted); the app sets it from the height."""
        self.page_size = max(1, lines)
        self.state["page_size"] = self.page_size
        if self.step_name == InquiryStep.RESULT:
            # Keep the first line on screen visible after the page grows or shrinks.
            offset, room = self.state["offset"], self._room()
            self._show_page(offset // room * room if self.state["kind"] == "serial" else offset)

    def render(self) -> Step:
        _ = self.t
        s = self.state
        if self.step_name == InquiryStep.SCAN:
            return Step(
                flow=self.name, name=InquiryStep.SCAN, title=_("Inquiry"),
                prompt=_("Scan item/loc/LPN"),
            )
        if s["kind"] == "serial":
            return self._render_serial()
        labels = {"item": _("Item"), "location": _("Loc"), "lpn": _("LPN")}
        facts = [Fact(labels[s["kind"]], s["subject"],
                      FactKind.WRAPPED if s["kind"] == "lpn" else FactKind.PLAIN)]
        if desc := s.get("desc"):
            facts.append(Fact("", desc, FactKind.DESCRIPTION))
        if at := s.get("at"):
            facts.append(Fact(_("At"), at))
        size = self._room()
        page = s.get("page", s["offset"] // size + 1)
        pages = s.get("pages", max(1, -(-s["total"] // size)))
        facts.append(Fact(_("Page"), f"{page}/{pages}"))
        if not s["lines"]:
            facts.append(Fact(_("Stock"), _("None")))
        facts.extend(self._stock_fact(line) for line in s["lines"])
        return Step(
            flow=self.name, name=InquiryStep.RESULT, title=_("Inquiry"),
            prompt=_("Enter=next or scan"),
            facts=tuple(facts),
        )

    def _render_serial(self) -> Step:
        _ = self.t
        s = self.state
        statuses = {"in_stock": _("In stock"), "issued": _("Issued"), "missing": _("Missing")}
        kinds = {"receive": _("Rcvd"), "pick": _("Picked"), "move": _("Moved"),
                 "adjust": _("Adjusted"), "status": _("Status")}
        facts = [Fact(_("Serial"), s["subject"]), Fact(_("Item"), s["serial_sku"])]
        if s["serial_status"] != "in_stock":
            facts.append(Fact(_("Status"), statuses.get(s["serial_status"], s["serial_status"])))
        if at := s.get("at"):
            facts.append(Fact(_("At"), at))
        room = self._room()
        pages = max(1, -(-s["total"] // room))
        facts.append(Fact(_("Page"), f"{s['offset'] // room + 1}/{pages}"))
        facts.extend(Fact(kinds.get(kind, kind), f"{day} {where}")
                     for kind, day, where in s["events"])
        return Step(flow=self.name, name=InquiryStep.RESULT, title=_("Inquiry"),
                    prompt=_("Enter=next or scan"), facts=tuple(facts))

    def _stock_fact(self, line: PageLine) -> Fact:
        """One stock line, wrapped when a handheld's row is too narrow for it, never cut."""
        value = self._line_text(*line[1:5], line[5] if len(line) > 5 else None)
        wide = _cells(f"{line[0]}: {value}") > NARROW
        return Fact(line[0], value, FactKind.WRAPPED if wide else FactKind.PLAIN)

    def _line_text(self, qty: int, uom: str, lot: str | None, status: str,
                   expiry: str | None) -> str:
        _ = self.t
        held = {"qc_hold": _("QC"), "damaged": _("DMG"), "blocked": _("BLK")}
        parts = [f"{qty} {uom}"]
        # The status before the lot: a long lot and its expiry are what a handheld cuts.
        if status != "available":
            parts.append(held.get(status, status))
        if lot:
            parts.append(lot)
        if expiry:
            parts.append(expiry)
        return " ".join(parts)

    def on_input(self, text: str) -> None:
        if self.step_name == InquiryStep.RESULT and not text.strip():
            s = self.state
            # A stock page holds as many lines as its rows take; a serial's history, one a row.
            offset = s["offset"] + (self._room() if s["kind"] == "serial"
                                    else max(len(s["lines"]), 1))
            if offset >= self.state["total"]:
                self.state = {"step": InquiryStep.SCAN, "page_size": self.page_size}
            else:
                self._show_page(offset)
            return
        self._inquire(text)

    def _inquire(self, text: str) -> None:
        found = self.services.resolve(text)
        at = None
        kind: Subject
        # A GS1 label with the unit's serial (21) asks about that unit, not the item.
        if (found.item is not None and found.item.serial_tracked and found.serial is not None
                and self._inquire_serial(found.serial, found.item.id)):
            return
        if found.kind == "item" and found.item is not None:
            kind, subject_id, subject = "item", found.item.id, found.item.sku
        elif found.kind == "location" and found.location is not None:
            kind, subject_id, subject = "location", found.location.id, found.location.code
        elif found.kind == "lpn" and found.lpn is not None:
            kind, subject_id, subject = "lpn", found.lpn.id, found.lpn.code
            lines = self._lines("lpn", subject_id, found.lpn.location_id)
            at = lines[0].location if lines else None
        elif self._inquire_serial(text.strip(), None):
            return
        else:
            raise ScanRejected(N_("Unknown {scan}: scan another"), scan=text[:20])
        self.state = {"step": InquiryStep.RESULT, "kind": kind, "subject_id": subject_id,
                      "subject": subject, "at": at,
                      "desc": found.item.description if kind == "item" and found.item else "",
                      "page_size": self.page_size,
                      "lpn_location_id": found.lpn.location_id if found.lpn else None}
        self._show_page(0)

    def _lines(self, kind: Subject, subject_id: int,
               lpn_location_id: int | None) -> list[StockLine]:
        if kind == "item":
            return self.services.stock_of(subject_id)
        if kind == "location":
            return self.services.stock_at(subject_id)
        if lpn_location_id is None:
            return []
        return [ln for ln in self.services.stock_at(lpn_location_id) if ln.lpn_id == subject_id]

    def _serial_found(self, serial: str, item_id: int | None) -> SerialHistory | None:
        """The newest unit with this serial, when the services keep serials and it is one."""
        if not isinstance(self.services, SerialLookup):
            return None
        try:
            found = self.services.serial_history(serial, item_id)
        except (NotFound, BadInput):
            return None
        return found[0]

    def _inquire_serial(self, serial: str, item_id: int | None) -> bool:
        unit = self._serial_found(serial, item_id)
        if unit is None:
            return False
        r = unit.record
        at = None if r.location is None else f"{r.location} {r.lpn}" if r.lpn else r.location
        self.state = {"step": InquiryStep.RESULT, "kind": "serial", "subject_id": r.item_id,
                      "subject": r.serial, "at": at, "page_size": self.page_size,
                      "serial_sku": r.sku, "serial_status": r.status.value,
                      "lpn_location_id": None}
        self._show_page(0)
        return True

    def _show_page(self, offset: int) -> None:
        s = self.state
        if s["kind"] == "serial":
            unit = self._serial_found(s["subject"], s["subject_id"])
            events = unit.events if unit is not None else ()
            offset = offset if offset < len(events) else 0
            s.update({"offset": offset, "total": len(events), "lines": [], "events": [
                (e.kind.value, f"{e.at:%m-%d}", e.to_location or e.from_location or "-")
                for e in events[offset:offset + self._room()]]})
            return
        lines = self._lines(s["kind"], s["subject_id"], s.get("lpn_location_id"))
        # An item inquiry asks "where"; a location or LPN inquiry asks "what".
        by_location = s["kind"] == "item"
        rows: list[PageLine] = [
            (ln.location if by_location else ln.sku, ln.quantity, ln.uom, ln.lot, ln.status,
             iso(ln.expiry))
            for ln in lines
        ]
        starts = page_starts([self._cost(row) for row in rows], self._room())
        if offset >= len(rows):
            offset = 0
        # The page holding the line asked for, so a resized page keeps it on screen.
        page = max(n for n, start in enumerate(starts) if start <= offset)
        start = starts[page]
        end = starts[page + 1] if page + 1 < len(starts) else len(rows)
        s.update({"offset": start, "total": len(rows), "page": page + 1, "pages": len(starts),
                  "lines": rows[start:end]})

    def _room(self) -> int:
        """Rows for lines on a page: page_size, less what headings take beyond their three
        (an LPN code that wraps, a serial's item, status and place)."""
        s, _ = self.state, self.t
        if s["kind"] == "serial":
            heads = 3 + (s["serial_status"] != "in_stock") + bool(s.get("at"))
        else:
            label = {"item": _("Item"), "location": _("Loc"), "lpn": _("LPN")}[s["kind"]]
            kind = FactKind.WRAPPED if s["kind"] == "lpn" else FactKind.PLAIN
            heads = (line_cost(f"{label}: {s['subject']}", kind) + bool(s.get("desc"))
                     + bool(s.get("at")) + 1)
        return max(1, self.page_size - max(0, heads - PAGE_HEADINGS))

    def _cost(self, line: PageLine) -> int:
        fact = self._stock_fact(line)
        return line_cost(f"{fact.label}: {fact.value}", fact.kind)


def page_starts(costs: Sequence[int], room: int) -> list[int]:
    """Where each page starts when lines of these costs fill pages of this room; a line that
    costs more than a page has one to itself. One page, empty, when there are no lines."""
    starts, used = [0], 0
    for n, cost in enumerate(costs):
        if used and used + cost > room:
            starts.append(n)
            used = 0
        used += cost
    return starts


def line_cost(text: str, kind: FactKind) -> int:
    """The page a stock line takes, counted as the screen counts it (one fact's cell): a
    plain line one; a wrapped one its rows at 20 columns or two cells for each of its whole
    rows at 40, whichever is more."""
    if kind is not FactKind.WRAPPED:
        return 1
    return max(_rows(text, NARROW), 2 * _rows(text, SIDE_BY_SIDE))


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _rows(text: str, width: int) -> int:
    """The rows text takes wrapped at spaces to this width, as the screens wrap it: a word
    wider than a row is cut into row-wide pieces."""
    done, used = 0, 0
    for word in text.split():
        size = _cells(word)
        if used and used + 1 + size <= width:
            used += 1 + size
            continue
        if used:
            done += 1
        pieces, used = divmod(size, width)
        if used == 0:
            pieces, used = pieces - 1, width
        done += pieces
    return done + 1
