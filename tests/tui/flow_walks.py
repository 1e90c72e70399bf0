"""Walks through every step of every RF flow for tests/tui/test_flow_screens.py.

A walk seeds the small test warehouse (tests/factories.py) with what its flow needs, logs in,
opens the flow from the menu and then scans and keys as an operator would; the screen is kept
after every action. Dates on screen are fixed ones in the data (expiry 2035), never today's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from textual.pilot import Pilot

from tests.tui.flow_seeds import (
    MILK_GTIN,
    PALLET_SSCC,
    PHONE_GTIN,
    seed_approve,
    seed_count,
    seed_inquiry,
    seed_move,
    seed_pack,
    seed_pick,
    seed_putaway,
    seed_qc,
    seed_receive,
    seed_replenish,
)
from tests.tui.helpers import EA_GTIN, Site, burst, enter, keys, login, run, screen_text
from wms_tui.domain.flows.approve import ApproveFlow
from wms_tui.domain.flows.base import AnyFlow
from wms_tui.domain.flows.count import CountFlow
from wms_tui.domain.flows.inquiry import InquiryFlow
from wms_tui.domain.flows.move import MoveFlow
from wms_tui.domain.flows.pack import PackFlow
from wms_tui.domain.flows.pick import PickFlow
from wms_tui.domain.flows.putaway import PutawayFlow
from wms_tui.domain.flows.qc_release import QcReleaseFlow
from wms_tui.domain.flows.receive import ReceiveFlow
from wms_tui.domain.flows.replenish import ReplenishFlow
from wms_tui.screens.modals import HelpModal
from wms_tui.screens.step import FlowScreen

GS = "\x1d"
# The pallet label as a scanner reads it: GS1-128, AI 00.
PALLET_LABEL = f"]C100{PALLET_SSCC}"


@dataclass(frozen=True)
class Shot:
    """The screen after one action: the flow's step (or the pop-up over it) and the text."""

    where: str
    action: str
    text: str


class Walker:
    """Drives one flow through the pilot and keeps the screen after every action."""

    def __init__(self, pilot: Pilot[Any]) -> None:
        self.pilot = pilot
        self.shots: list[Shot] = []

    def where(self) -> str:
        app = self.pilot.app
        flow_screens = [s for s in app.screen_stack if isinstance(s, FlowScreen)]
        step = str(flow_screens[-1].step.name) if flow_screens else "menu"
        if isinstance(app.screen, FlowScreen) or not flow_screens:
            return step
        kind = "help" if isinstance(app.screen, HelpModal) else type(app.screen).__name__
        return f"{kind}@{step}"

    def keep(self, action: str) -> None:
        self.shots.append(Shot(self.where(), action, screen_text(self.pilot.app)))

    async def scan(self, code: str) -> None:
        """A barcode as a scanner sends it: the code and its CR suffix in one read."""
        await burst(self.pilot, code + "\r")
        self.keep(f"scan {code.replace(GS, '<GS>')}")

    async def key(self, text: str) -> None:
        """Keys pressed one by one on the keypad, then Enter."""
        await enter(self.pilot, text)
        self.keep(f"key {text} Enter" if text else "Enter")

    async def press(self, *names: str) -> None:
        await keys(self.pilot, *names)
        self.keep(" ".join(name.upper() if name.startswith("f") else name for name in names))

    async def help(self) -> None:
        """F1 over the current step, kept, then closed again."""
        await self.press("f1")
        await keys(self.pilot, "enter")


Script = Callable[[Walker], Awaitable[None]]


@dataclass(frozen=True)
class FlowWalk:
    flow: type[AnyFlow]
    user: str
    # Seeds the site; returns the services the app runs on when the flow needs its own.
    seed: Callable[[Site], Any]
    script: Script


def menu_key(app: Any, name: str) -> str:
    return next(str(spec.key) for spec in app.flows if spec.name == name)


def walk(site: Site, flow: str, size: tuple[int, int]) -> list[Shot]:
    spec = FLOWS[flow]
    services = spec.seed(site)
    app = site.app(services=services)
    shots: list[Shot] = []

    async def script(pilot: Pilot[Any]) -> None:
        await login(pilot, spec.user)
        walker = Walker(pilot)
        key = menu_key(app, flow)
        await keys(pilot, key)
        walker.keep(f"menu {key}")
        await spec.script(walker)
        shots.extend(walker.shots)

    run(app, size, script)
    return shots


# The walks, one per flow: each reaches every step of its flow's enum.


async def receive(w: Walker) -> None:
    await w.help()
    await w.scan("PO-99")
    await w.scan("PO-7")
    await w.scan(EA_GTIN)
    await w.key("4")
    await w.scan(MILK_GTIN)
    await w.key("12")
    await w.scan("LOT42")
    await w.key("351231")
    await w.scan(EA_GTIN)
    await w.key("8")
    await w.key("1")
    await w.key("1")
    await w.scan(PHONE_GTIN)
    await w.key("2")
    await w.scan("SN-100")
    await w.scan("SN-101")


async def putaway(w: Walker) -> None:
    await w.help()
    await w.scan("A-01-02-1")
    await w.scan(EA_GTIN)
    await w.scan("DOCK-2")
    await w.key("")
    await w.scan("A-01-01-1")
    await w.scan(MILK_GTIN)
    await w.key("")
    await w.key("")
    await w.scan("P-01-01-1")
    await w.key("1")
    # A pallet: no quantity asked.
    await w.scan(PALLET_LABEL)
    await w.scan("A-01-01-1")


async def move(w: Walker) -> None:
    await w.help()
    await w.scan("A-01-01-1")
    await w.scan("NOT-AN-ITEM")
    await w.scan(EA_GTIN)
    await w.key("5")
    await w.scan("A-01-02-1")
    await w.scan("A-01-01-1")
    await w.scan(MILK_GTIN)
    await w.key("2")
    await w.scan("A-01-02-1")


async def inquiry(w: Walker) -> None:
    await w.help()
    await w.scan("NOPE-1")
    await w.scan(EA_GTIN)
    await w.key("")
    await w.scan("A-01-01-1")
    await w.key("")
    await w.scan(MILK_GTIN)
    await w.scan(PALLET_LABEL)


async def pick(w: Walker) -> None:
    await w.help()
    await w.key("")
    await w.scan("A-01-02-1")
    await w.scan("P-01-01-1")
    await w.scan(EA_GTIN)
    await w.key("")
    await w.scan("TOTE-1")
    # MILK: the one lot on the face is offered; the pick empties the face.
    await w.scan("P-01-02-1")
    await w.scan(MILK_GTIN)
    await w.key("")
    await w.key("")
    await w.key("")
    await w.key("1")
    # PHONE: one of two found, a short with its serial.
    await w.scan("P-01-03-1")
    await w.scan(PHONE_GTIN)
    await w.press("f5")
    await w.key("1")
    await w.key("1")
    await w.key("1")
    await w.scan("SN-1")
    await w.key("")


async def count(w: Walker) -> None:
    await w.help()
    await w.key("")
    await w.scan("A-01-01-1")
    await w.key("")
    await w.key("2")
    await w.scan(EA_GTIN)
    await w.key("25")
    await w.scan(MILK_GTIN)
    await w.scan("LX1")
    await w.scan("L1")
    await w.key("6")
    await w.scan(PHONE_GTIN)
    await w.key("1")
    await w.scan("SN-1")
    await w.key("")


async def replenish(w: Walker) -> None:
    await w.help()
    await w.key("")
    await w.scan("A-01-01-1")
    await w.scan("A-01-02-1")
    await w.scan(MILK_GTIN)
    await w.scan("L1")
    await w.key("")
    await w.scan("P-01-01-1")


async def qc_release(w: Walker) -> None:
    await w.help()
    await w.scan("A-01-02-1")
    await w.scan("A-01-01-1")
    await w.scan(EA_GTIN)
    await w.key("5")
    await w.key("1")
    await w.key("1")
    await w.scan("A-01-01-1")
    await w.scan(MILK_GTIN)
    await w.key("")
    await w.key("2")
    await w.key("1")
    await w.key("1")


async def approve(w: Walker) -> None:
    await w.help()
    await w.scan("P-01-01-1")
    await w.key("")
    await w.key("")
    await w.key("3")
    await w.key("1")


async def pack(w: Walker) -> None:
    await w.help()
    await w.scan("A-01-01-1")
    await w.scan("TOTE-1")
    await w.scan("WIDGET")
    await w.press("f5")
    await w.key("1")
    await w.key("2")
    await w.key("1")
    await w.scan("WIDGET")
    await w.key("")
    await w.key("")
    await w.key("2")
    await w.key("7.25")
    await w.key("1")
    await w.key("")


# Receive and putaway are walked by a supervisor: only they meet the over-receipt question and
# the override reason.
FLOWS: dict[str, FlowWalk] = {
    "receive": FlowWalk(ReceiveFlow, "SUP1", seed_receive, receive),
    "putaway": FlowWalk(PutawayFlow, "SUP1", seed_putaway, putaway),
    "move": FlowWalk(MoveFlow, "OP1", seed_move, move),
    "inquiry": FlowWalk(InquiryFlow, "OP1", seed_inquiry, inquiry),
    "pick": FlowWalk(PickFlow, "OP1", seed_pick, pick),
    "count": FlowWalk(CountFlow, "OP1", seed_count, count),
    "replenish": FlowWalk(ReplenishFlow, "OP1", seed_replenish, replenish),
    "qc_release": FlowWalk(QcReleaseFlow, "SUP1", seed_qc, qc_release),
    "approve": FlowWalk(ApproveFlow, "SUP1", seed_approve, approve),
    "pack": FlowWalk(PackFlow, "OP1", seed_pack, pack),
}

# Steps a walk through the RF app cannot reach, each with why: none today, every step is walked.
UNREACHABLE: dict[str, dict[str, str]] = {}
