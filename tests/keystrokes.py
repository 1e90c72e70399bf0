"""Scans and keys per unit of RF work, measured by driving the flows on the practice warehouse.

The operator takes every shortcut the screen offers and nothing else: Enter where the prompt
offers Enter (all, the lot or tote shown), the number of a question then Enter, a quantity keyed
digit by digit then Enter, and otherwise one scan of the code the virtual scanner (F6) names for
the step. A scan is one trigger pull (its suffix included); a key is one key press.

Run as a script on any checkout (`python -m tests.keystrokes`) to print the table; the test
tests/tui/test_keystrokes.py holds the figures of today's flows and the operator guide's table.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from wms_tui.db.engine import make_engine
from wms_tui.db.uow import uow_factory
from wms_tui.demo.scanner import DemoCatalog, suggestions
from wms_tui.domain.flows.base import InputKind, Step, Tone, no_translation
from wms_tui.domain.flows.registry import default_flows
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.users import authenticate

TRACE = bool(os.environ.get("KEYSTROKES_TRACE"))
# A bound on the inputs one unit of work may take, so a flow that loops fails the measure.
MOST_INPUTS = 40


@dataclass
class Tally:
    scans: int = 0
    keys: int = 0
    steps: int = 0

    def row(self) -> tuple[int, int, int]:
        return self.scans, self.keys, self.steps


@dataclass
class Driver:
    """One flow on the practice warehouse, driven the shortest way the screens allow."""

    flow: Any
    catalog: DemoCatalog
    tally: Tally
    quantity: Callable[[Any, Step], str]
    # What was scanned at which step: a count scans each item at the location once.
    scanned: set[tuple[str, str]] = field(default_factory=set)

    def answer(self, step: Step) -> str:
        """What the operator sends at this step, counted as scans or keys."""
        if step.input in (InputKind.YESNO, InputKind.CHOICE):
            return self.keyed("1")
        if step.input is InputKind.QUANTITY:
            return self.keyed("" if "Enter" in step.prompt else self.quantity(self.flow, step))
        if "Enter" in step.prompt and self.offers_enter(step):
            return self.keyed("")
        codes = [code for _label, code in suggestions(self.flow, self.catalog)[:-1]
                 if code and (step.name, code) not in self.scanned]
        if not codes and "Enter=done" in step.prompt:
            # Everything at the location is counted.
            return self.keyed("")
        if not codes:
            raise AssertionError(f"nothing to scan at {step.name}: {step.prompt}")
        self.scanned.add((step.name, codes[0]))
        self.tally.scans += 1
        return codes[0]

    def offers_enter(self, step: Step) -> bool:
        """Enter at a scan prompt that offers it (the lot shown, the order's tote, all)."""
        return step.flow in ("pick", "putaway") and step.name in ("lot", "drop")

    def keyed(self, text: str) -> str:
        self.tally.keys += len(text) + 1
        return text

    def send(self, text: str) -> Step:
        self.tally.steps += 1
        step: Step = self.flow.submit(text)
        if TRACE:
            print(f"  {self.flow.name}: {text!r} -> {step.name} {step.prompt!r} {step.message!r}")
        if step.tone is Tone.ERROR:
            raise AssertionError(f"{text!r} refused at {step.name}: {step.message}")
        return step


def practice_site(directory: Path) -> tuple[Any, DemoCatalog, Callable[[str, str], Any]]:
    """The practice warehouse as `wms demo` seeds it; services, F6 catalogue and log-in."""
    from tests.tui.demo_helpers import seed_file

    engine = make_engine(f"sqlite:///{seed_file(directory / 'practice.db')}")
    writer = uow_factory(engine)

    def login(user: str, pin: str) -> Any:
        return authenticate(writer(), user, pin, "RF01")

    return RfBackend(writer), DemoCatalog(engine), login


def build(name: str, actor: Any, services: Any) -> Any:
    spec = next(spec for spec in default_flows() if spec.name == name)
    return spec.build(actor, services, no_translation, None)


def until(driver: Driver, done: Callable[[Step], bool], step: Step) -> Step:
    for _ in range(MOST_INPUTS):
        step = driver.send(driver.answer(step))
        if done(step):
            return step
    raise AssertionError(f"{driver.flow.name} did not finish in {MOST_INPUTS} inputs")


def remaining_on_line(flow: Any, step: Step) -> str:
    """Receive: the quantity left on the order line, in the unit asked."""
    left = next((f.value for f in step.facts if f.label == "Left"), None)
    if left is None:
        raise AssertionError(f"no quantity left shown: {step.facts}")
    return left.split()[0]


def book_quantity(catalog: DemoCatalog) -> Callable[[Any, Step], str]:
    def quantity(flow: Any, step: Step) -> str:
        state = flow.state
        location = state["where"]["id"]
        book = catalog.book_quantity(location, state["item_id"], state.get("lot_id"))
        return str(book // max(int(state.get("factor", 1)), 1))

    return quantity


def no_quantity(flow: Any, step: Step) -> str:
    raise AssertionError(f"{flow.name} asked a quantity without Enter=all: {step.prompt}")


def measure() -> dict[str, tuple[int, int, int]]:
    """Scans, keys and screens per unit of work: receive line, putaway, pick line, count."""
    with tempfile.TemporaryDirectory() as directory:
        services, catalog, login = practice_site(Path(directory))
        operator = login("OP1", "1111")
        figures: dict[str, tuple[int, int, int]] = {}

        # Receive: the order is scanned once for many lines, so a line starts at its item.
        receive = Driver(build("receive", operator, services), catalog, Tally(),
                         remaining_on_line)
        step = receive.send(receive.answer(receive.flow.current()))
        receive.tally = Tally()
        until(receive, lambda s: s.tone is Tone.SUCCESS, step)
        figures["receive line"] = receive.tally.row()

        putaway = Driver(build("putaway", operator, services), catalog, Tally(), no_quantity)
        until(putaway, lambda s: s.tone is Tone.SUCCESS and s.name == "source",
              putaway.flow.current())
        figures["putaway"] = putaway.tally.row()

        # Pick: the wave is taken once per trip; a line runs from its location to its tote.
        pick = Driver(build("pick", operator, services), catalog, Tally(), no_quantity)
        step = pick.send(pick.answer(pick.flow.current()))
        lines: list[tuple[int, int, int]] = []
        for _ in range(2):
            pick.tally = Tally()
            step = until(pick, lambda s: s.tone is Tone.SUCCESS and s.name in ("loc", "start",
                                                                                   "item"), step)
            lines.append(pick.tally.row())
        figures["pick line (first)"] = lines[0]
        figures["pick line (next)"] = lines[1]
        # The rest of the wave, line by line, to its end: lots and shared locations included.
        rest = Tally()
        picked = 0
        while step.name != "start":
            pick.tally = Tally()
            step = until(pick, lambda s: s.tone is Tone.SUCCESS and s.name in ("loc", "start",
                                                                                   "item"), step)
            rest.scans, rest.keys = rest.scans + pick.tally.scans, rest.keys + pick.tally.keys
            rest.steps += pick.tally.steps
            picked += 1
        figures[f"pick: {picked} more lines of the wave"] = rest.row()

        # Count: the first due task is a face of a lot-tracked item, the next of a plain one.
        count = Driver(build("count", operator, services), catalog, Tally(),
                       book_quantity(catalog))
        step = until(count, lambda s: s.tone is Tone.SUCCESS and s.name == "task",
                     count.flow.current())
        figures["count (lot item)"] = count.tally.row()
        count.tally, count.scanned = Tally(), set()
        until(count, lambda s: s.tone is Tone.SUCCESS and s.name == "task", step)
        figures["count (one item)"] = count.tally.row()
        return figures


def table(figures: dict[str, tuple[int, int, int]]) -> str:
    lines = ["| unit of work | scans | keys | screens |", "|---|---|---|---|"]
    lines.extend(f"| {name} | {scans} | {keys} | {steps} |"
                 for name, (scans, keys, steps) in figures.items())
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(measure()))
