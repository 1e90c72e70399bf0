"""Pack: a picked tote into cartons, each posted by shipping.pack_carton and named by a new SSCC.

Scan the tote; the screen lists what is left to pack. Scan each item (a GS1 label's quantity
and lot are taken) and key its quantity (Enter: all of it left), or key ALL for everything
left; Enter on the item step closes the carton. Then the carton type (a number, its code, or
Enter for the first), the weight (kg keyed, a GS1 310n/320n barcode scanned, or Enter to read
the station's scale when one is set), and a yes/no confirmation that posts the carton once
under the key kept in state. The SSCC is shown whole; Enter packs the next carton of the tote.

F5 once an item is scanned records units of it not found in the tote (a pack short): a reason,
how many, and "Post short?".
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import ClassVar, Protocol, TypedDict

from wms_tui.domain.checkdigits import is_ascii_digits
from wms_tui.domain.errors import N_, BadInput, InvalidQuantity, ScanRejected
from wms_tui.domain.flows.base import Fact, FactKind, Flow, FlowState, InputKind, Step
from wms_tui.domain.flows.context import pack_context
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.model import Actor, PostResult
from wms_tui.domain.shipping.model import (
    PackRequest,
    PackResult,
    ShortResult,
    WeightSource,
    carton_type,
    carton_weight,
)
from wms_tui.domain.stock import new_confirmation_key
from wms_tui.domain.units import read_quantity
from wms_tui.domain.weights import Weight

# What an operator keys at the item step to pack everything left in the tote.
EVERYTHING = "ALL"


@dataclass(frozen=True)
class PackLine:
    """One item left to pack in a tote: at most what the tote holds and the order still needs."""

    sku: str
    description: str
    uom: str
    quantity: int


@dataclass(frozen=True)
class PackTote:
    """A tote as the pack station sees it: its code, its order, and the lines left to pack."""

    tote: str
    order: str
    lines: tuple[PackLine, ...]


class PackServices(RfServices, Protocol):
    """RfServices plus what the pack flow asks the warehouse."""

    def pack_tote(self, tote: str) -> PackTote: ...
    def carton_types(self) -> list[str]: ...
    def scale_weight(self) -> Weight | None:
        """The station scale's first stable weight; None when this terminal has no scale."""
        ...
    def pack_carton(
        self, actor: Actor, *, tote: str, requests: Sequence[PackRequest], everything: bool,
        kind: str, weight_kg: Decimal, weight_source: WeightSource, key: str,
    ) -> PackResult: ...
    def packed(self, key: str) -> PackResult | None: ...
    def record_pack_short(
        self, actor: Actor, *, tote: str, item: str, quantity: int, reason: str,
        lot: str | None, key: str,
    ) -> ShortResult: ...
    def short_reasons(self) -> list[str]: ...


class PackStep(enum.StrEnum):
    TOTE = "tote"
    ITEM = "item"
    QTY = "qty"
    TYPE = "type"
    WEIGHT = "weight"
    CONFIRM = "confirm"
    DONE = "done"
    REASON = "reason"
    SQTY = "sqty"
    SHORT = "short"


SHORT_STEPS = (PackStep.REASON, PackStep.SQTY, PackStep.SHORT)


class LineState(TypedDict):
    sku: str
    desc: str
    uom: str
    qty: int


class ContentState(TypedDict):
    """Units put in the open carton: an item (SKU), its lot when the label named one."""

    sku: str
    qty: int
    lot: str | None


class PackState(FlowState, total=False):
    tote: str
    order: str
    # What was left to pack when the tote was scanned (or the last carton posted).
    lines: list[LineState]
    # The open carton: what was scanned into it, or everything left.
    carton: list[ContentState]
    everything: bool
    # The item scanned, waiting for its quantity (or a short of it).
    sku: str
    lot: str | None
    kind: str
    types: list[str]
    weight: str
    source: str
    # The carton just posted.
    sscc: str
    units: int
    reasons: list[str]
    reason: str
    short_qty: int


class PackFlow(Flow[PackState, PackStep]):
    name = "pack"
    services: PackServices
    EXCEPTION = N_("Short")
    HELP: ClassVar[Mapping[str, str]] = {
        PackStep.TOTE: N_("Scan the tote to pack. The screen lists what is left to pack in it."),
        PackStep.ITEM: N_("Scan each item you put in the carton, or key ALL to pack everything "
                          "left. Enter closes the carton. F5 after an item scan: a short."),
        PackStep.QTY: N_("Key how many of the item went in the carton, in the unit shown. "
                         "Enter: all of it left. F5: short."),
        PackStep.TYPE: N_("Key the number of the carton type, or its code. Enter takes the "
                          "first type."),
        PackStep.WEIGHT: N_("Key the weight in kg (7.25), or scan a weight barcode. Enter "
                            "reads the scale when the station has one."),
        PackStep.CONFIRM: N_("1 posts the carton and prints its SSCC. 2 goes back to add "
                             "items."),
        PackStep.DONE: N_("Write the SSCC on the carton or put its label on. Enter packs the "
                          "next carton of this tote; or scan another tote."),
        PackStep.REASON: N_("A short at pack: key the number of the reason."),
        PackStep.SQTY: N_("Key how many of the item are missing. Enter: all of it left."),
        PackStep.SHORT: N_("1 records the short: the order keeps those units open. 2 cancels "
                           "it."),
    }

    def context(self) -> tuple[Fact, ...]:
        """Beside the step on a wide screen: what is in the open carton so far."""
        return pack_context(self)

    def first_step(self) -> PackStep:
        return PackStep.TOTE

    def previous_step(self) -> PackStep | None:
        s = self.state
        return {
            PackStep.ITEM: PackStep.TOTE,
            PackStep.QTY: PackStep.ITEM,
            PackStep.TYPE: PackStep.ITEM,
            PackStep.WEIGHT: PackStep.TYPE,
            PackStep.CONFIRM: PackStep.WEIGHT,
            PackStep.DONE: PackStep.TOTE,
            PackStep.REASON: PackStep.QTY if s.get("sku") else PackStep.ITEM,
            PackStep.SQTY: PackStep.REASON,
            PackStep.SHORT: PackStep.SQTY,
        }.get(self.step_name)

    # Rendering.

    def render(self) -> Step:
        _ = self.t
        s = self.state
        step = self.step_name
        facts: list[Fact] = []
        choices: tuple[str, ...] = ()
        if step == PackStep.DONE:
            facts.append(Fact(_("SSCC"), s["sscc"], FactKind.WRAPPED))
            facts.append(Fact(_("Units"), str(s["units"])))
        elif step != PackStep.TOTE:
            facts.append(Fact(_("Tote"), s["tote"]))
        if step in (PackStep.QTY, *SHORT_STEPS):
            line = self._line(s["sku"])
            facts.append(Fact(_("Item"), s["sku"]))
            facts.append(Fact(_("To pack"), f"{self._left(s['sku'])} {line['uom']}"))
            if line["desc"]:
                facts.append(Fact("", line["desc"], FactKind.DESCRIPTION))
        if step in (PackStep.TYPE, PackStep.WEIGHT, PackStep.CONFIRM):
            facts.append(Fact(_("Carton"), self._carton_text()))
        if step in (PackStep.WEIGHT, PackStep.CONFIRM) and s.get("kind"):
            facts.append(Fact(_("Type"), s["kind"]))
        if step == PackStep.CONFIRM:
            facts.append(Fact(_("Weight"), f"{s['weight']} kg"))
        if step == PackStep.TYPE:
            choices = tuple(f"{n} {code}" for n, code in enumerate(s["types"], start=1))
        if step == PackStep.REASON:
            choices = tuple(f"{n} {code}" for n, code in enumerate(s["reasons"], start=1))
        if step == PackStep.SHORT:
            facts.append(Fact(_("Short"), f"{s['short_qty']} {self._line(s['sku'])['uom']}"))
            facts.append(Fact(_("Reason"), s["reason"]))
        if step in (PackStep.CONFIRM, PackStep.SHORT):
            choices = ("1 " + _("Yes"), "2 " + _("No"))
        if step in (PackStep.ITEM, PackStep.QTY):
            facts.append(Fact(_("Order"), s["order"]))
            if s.get("carton"):
                facts.append(Fact(_("Carton"), self._carton_text()))
            # Everything left, most first wanted: a handheld shows the first rows.
            for line in s["lines"]:
                if (left := self._left(line["sku"])) > 0 and line["sku"] != s.get("sku"):
                    facts.append(Fact(line["sku"], f"{left} {line['uom']}"))
                    if line["desc"]:
                        facts.append(Fact("", line["desc"], FactKind.DESCRIPTION))
        prompts = {
            PackStep.TOTE: (_("Scan tote"), InputKind.SCAN),
            PackStep.ITEM: (_("Scan item/ALL/Enter") if s.get("carton")
                            else _("Scan item or ALL"), InputKind.SCAN),
            PackStep.QTY: (_("Qty (Enter=all)"), InputKind.QUANTITY),
            PackStep.TYPE: (_("Carton type (Enter)"), InputKind.CHOICE),
            PackStep.WEIGHT: (_("Weight kg or scan"), InputKind.SCAN),
            PackStep.CONFIRM: (_("Pack carton?"), InputKind.YESNO),
            PackStep.DONE: (_("Enter=next carton"), InputKind.SCAN),
            PackStep.REASON: (_("Reason number"), InputKind.CHOICE),
            PackStep.SQTY: (_("Qty short (Enter=all)"), InputKind.QUANTITY),
            PackStep.SHORT: (_("Post short?"), InputKind.YESNO),
        }
        prompt, kind = prompts[step]
        title = _("Pack short") if step in SHORT_STEPS else _("Pack")
        return Step(flow=self.name, name=step, title=title, prompt=prompt, input=kind,
                    facts=tuple(facts), choices=choices,
                    unsaved_work=bool(s.get("carton") or s.get("everything")))

    def _line(self, sku: str) -> LineState:
        return next(ln for ln in self.state["lines"] if ln["sku"] == sku)

    def _left(self, sku: str) -> int:
        """What of the item is left to put in the open carton."""
        s = self.state
        if s.get("everything"):
            return 0
        taken = sum(c["qty"] for c in s.get("carton", []) if c["sku"] == sku)
        return self._line(sku)["qty"] - taken

    def _carton_text(self) -> str:
        s = self.state
        if s.get("everything"):
            return self.t("all left")
        units = sum(c["qty"] for c in s.get("carton", []))
        return self.t("{n} units").format(n=units)

    # Input.

    def on_input(self, text: str) -> None:
        handler: Callable[[str], None] = getattr(self, f"_on_{self.step_name}")
        handler(text)

    def offers_exception_key(self) -> bool:
        return self.step_name == PackStep.QTY

    def on_exception_key(self) -> None:
        """F5 once an item is scanned: record units of it the tote does not hold."""
        if self.step_name == PackStep.ITEM:
            raise BadInput(N_("Scan the item first, then F5"))
        if self.step_name != PackStep.QTY:
            super().on_exception_key()
            return
        reasons = self.services.short_reasons()
        if not reasons:
            raise BadInput(N_("No short reasons: call a supervisor"))
        self.state.update({"reasons": reasons})
        self.goto(PackStep.REASON)

    def _on_tote(self, text: str) -> None:
        found = self.services.resolve(text)
        if found.kind != "location" or found.location is None:
            raise ScanRejected(N_("Scan a tote, not {scan}"), scan=text.strip()[:20])
        self._start(found.location.code)

    def _start(self, code: str) -> None:
        tote = self.services.pack_tote(code)
        if not tote.lines:
            raise BadInput(N_("Tote {tote} has nothing to pack: scan another"), tote=tote.tote)
        lines: list[LineState] = [{"sku": ln.sku, "desc": ln.description, "uom": ln.uom,
                                   "qty": ln.quantity} for ln in tote.lines]
        self.state = {"step": PackStep.ITEM, "tote": tote.tote, "order": tote.order,
                      "lines": lines, "carton": []}

    def _on_item(self, text: str) -> None:
        s = self.state
        answer = text.strip()
        if not answer:
            if not s.get("carton"):
                raise ScanRejected(N_("Scan an item or key ALL"))
            self._ask_type()
            return
        if answer.upper() == EVERYTHING:
            s.update({"everything": True, "carton": []})
            self._ask_type()
            return
        found = self.services.resolve(text)
        if found.kind != "item" or found.item is None:
            raise ScanRejected(N_("Scan an item, not {scan}"), scan=answer[:20])
        sku = found.item.sku
        if not any(ln["sku"] == sku for ln in s["lines"]) or self._left(sku) <= 0:
            raise ScanRejected(N_("No {sku} left to pack: scan another"), sku=sku)
        s.update({"sku": sku, "lot": found.lot})
        if found.quantity is not None:
            self._add(found.quantity * found.item.factor)
        else:
            self.goto(PackStep.QTY)

    def _on_qty(self, text: str) -> None:
        left = self._left(self.state["sku"])
        self._add(left if not text.strip() else self._whole(text))

    def _whole(self, text: str) -> int:
        qty = read_quantity(text)
        if qty != qty.to_integral_value() or qty <= 0:
            raise InvalidQuantity(N_("Key whole {uom} only"),
                                  uom=self._line(self.state["sku"])["uom"])
        return int(qty)

    def _add(self, qty: int) -> None:
        s = self.state
        sku = s["sku"]
        uom = self._line(sku)["uom"]
        if qty > (left := self._left(sku)):
            raise InvalidQuantity(N_("Only {n} {uom} left: key less"), n=left, uom=uom)
        s["carton"] = [*s.get("carton", []), {"sku": sku, "qty": qty, "lot": s.get("lot")}]
        self._forget_item()
        self.goto(PackStep.ITEM)
        self.succeed(self.t("Added {qty} {uom} {sku}").format(qty=qty, uom=uom, sku=sku))

    def _forget_item(self) -> None:
        for name in ("sku", "lot", "reasons", "reason", "short_qty"):
            self.state.pop(name, None)  # type: ignore[misc]

    def _ask_type(self) -> None:
        types = self.services.carton_types()
        if not types:
            raise BadInput(N_("No carton types set: call a supervisor"))
        self.state["types"] = types
        self.goto(PackStep.TYPE)

    def _on_type(self, text: str) -> None:
        types = self.state["types"]
        answer = text.strip().upper()
        if not answer:
            kind = types[0]
        elif is_ascii_digits(answer) and 1 <= int(answer) <= len(types):
            kind = types[int(answer) - 1]
        elif answer in types:
            kind = answer
        else:
            raise BadInput(N_("Key 1 to {n} or a carton type"), n=len(types))
        self.state["kind"] = carton_type(kind)
        self.goto(PackStep.WEIGHT)

    def _on_weight(self, text: str) -> None:
        answer = text.strip()
        if not answer:
            measured = self.services.scale_weight()
            if measured is None:
                raise BadInput(N_("No scale here: key the weight in kg"))
            kg, source = measured.in_kg(), WeightSource.SCALE
        elif (keyed := _keyed_kg(answer)) is not None:
            kg, source = keyed, WeightSource.KEYED
        else:
            weight = self.services.resolve(text).weight
            if weight is None:
                raise ScanRejected(N_("Key the weight in kg or scan a weight"))
            kg, source = weight.in_kg(), WeightSource.SCAN
        self.state.update({"weight": f"{carton_weight(kg):f}", "source": source,
                           "key": new_confirmation_key()})
        self.goto(PackStep.CONFIRM)

    def _on_confirm(self, text: str) -> None:
        answer = text.strip()
        if answer not in ("1", "2"):
            raise BadInput(N_("Key 1 (Yes) or 2 (No)"))
        s = self.state
        if answer == "2":
            s.pop("key", None)
            s.pop("everything", None)
            self.goto(PackStep.ITEM)
            return
        key = s["key"]
        requests = [] if s.get("everything") else [
            PackRequest(c["sku"], c["qty"], c["lot"]) for c in s["carton"]]
        result = self.services.pack_carton(
            self.actor, tote=s["tote"], requests=requests, everything=bool(s.get("everything")),
            kind=s["kind"], weight_kg=Decimal(s["weight"]), weight_source=WeightSource(s["source"]),
            key=key)
        self._packed(result)
        self.posted_as(key, self._packed_text(result))

    def _packed(self, result: PackResult) -> None:
        self.state = {"step": PackStep.DONE, "tote": result.tote, "order": result.order,
                      "sscc": result.sscc, "units": result.units}

    def _packed_text(self, result: PackResult) -> str:
        return self.t("Packed {n} units").format(n=result.units)

    def _on_done(self, text: str) -> None:
        if text.strip():
            self._on_tote(text)
            return
        tote = self.state["tote"]
        left = self.services.pack_tote(tote)
        if not left.lines:
            self.state = {"step": PackStep.TOTE}
            self.succeed(self.t("Tote {tote} packed").format(tote=tote))
            return
        self._start(tote)

    # The short at pack.

    def _on_reason(self, text: str) -> None:
        reasons = self.state["reasons"]
        answer = text.strip().upper()
        if is_ascii_digits(answer) and 1 <= int(answer) <= len(reasons):
            self.state["reason"] = reasons[int(answer) - 1]
        elif answer in reasons:
            self.state["reason"] = answer
        else:
            raise BadInput(N_("Key 1 to {n}"), n=len(reasons))
        self.goto(PackStep.SQTY)

    def _on_sqty(self, text: str) -> None:
        left = self._left(self.state["sku"])
        qty = left if not text.strip() else self._whole(text)
        if qty > left:
            raise InvalidQuantity(N_("Only {n} {uom} left: key less"), n=left,
                                  uom=self._line(self.state["sku"])["uom"])
        self.state.update({"short_qty": qty, "key": new_confirmation_key()})
        self.goto(PackStep.SHORT)

    def _on_short(self, text: str) -> None:
        answer = text.strip()
        if answer not in ("1", "2"):
            raise BadInput(N_("Key 1 (Yes) or 2 (No)"))
        s = self.state
        if answer == "2":
            s.pop("key", None)
            self.goto(PackStep.QTY)
            self.succeed(self.t("Short cancelled"))
            return
        key, sku, qty = s["key"], s["sku"], s["short_qty"]
        result = self.services.record_pack_short(
            self.actor, tote=s["tote"], item=sku, quantity=qty, reason=s["reason"],
            lot=s.get("lot"), key=key)
        s.pop("key", None)
        self._forget_item()
        line = self._line(sku)
        line["qty"] -= qty
        self.goto(PackStep.ITEM)
        self.posted_as(key, self.t("Short {qty} {uom} {sku}").format(
            qty=result.quantity, uom=line["uom"], sku=sku))

    # Resume.

    def committed_summary(self, result: PostResult) -> str:
        if self.step_name == PackStep.CONFIRM:
            packed = self.services.packed(result.confirmation)
            if packed is not None:
                return self._packed_text(packed)
        return super().committed_summary(result)

    def move_on(self, notice: str) -> None:
        """A carton that posted unseen shows its SSCC; a short, the tote's lines again."""
        key = self.state.get("key")
        packed = self.services.packed(key) if key else None
        if self.step_name == PackStep.CONFIRM and packed is not None:
            self._packed(packed)
            self.succeed(notice)
        elif self.step_name == PackStep.SHORT:
            self._start(self.state["tote"])
            self.succeed(notice)
        else:
            super().move_on(notice)


def _keyed_kg(text: str) -> Decimal | None:
    """A weight keyed in kilograms (7.25 or 7,25), None when the text is not a plain number."""
    body = text.replace(",", ".")
    if not body.replace(".", "", 1).isdigit() or not body.isascii() or len(body) > 9:
        return None
    try:
        return Decimal(body)
    except InvalidOperation:
        return None
