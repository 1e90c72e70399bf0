"""Guided exercises: which flow a scenario opens, and one short instruction per step.

Instructions go on the message line when the flow has nothing to say, so they fit one line of
20 cells; they are marked for translation like every other operator text.
"""

from __future__ import annotations

from wms_tui.domain.errors import N_
from wms_tui.domain.flows.approve import ApproveFlow, ApproveStep
from wms_tui.domain.flows.base import AnyFlow
from wms_tui.domain.flows.count import CountFlow, CountStep
from wms_tui.domain.flows.inquiry import InquiryFlow, InquiryStep
from wms_tui.domain.flows.move import MoveFlow, MoveStep
from wms_tui.domain.flows.pack import PackFlow, PackStep
from wms_tui.domain.flows.pick import PickFlow, PickStep
from wms_tui.domain.flows.putaway import PutawayFlow, PutawayStep
from wms_tui.domain.flows.qc_release import QcReleaseFlow, QcReleaseStep
from wms_tui.domain.flows.receive import ReceiveFlow, ReceiveStep
from wms_tui.domain.flows.replenish import ReplenishFlow, ReplenishStep

# Scenario name -> the flow it opens after log-in (tour opens none: it starts at the menu).
SCENARIOS: dict[str, str | None] = {
    "receive": ReceiveFlow.name, "putaway": PutawayFlow.name, "pick": PickFlow.name,
    "count": CountFlow.name, "tour": None,
}

DEFAULT_HINT = N_("F6: virtual scanner")
# (flow, step) -> the instruction; the tour opens every flow, so every step has one.
HINTS: dict[tuple[str, str], str] = {
    (ReceiveFlow.name, ReceiveStep.ORDER): N_("F6: scan an ASN"),
    (ReceiveFlow.name, ReceiveStep.ITEM): N_("F6: scan an item"),
    (ReceiveFlow.name, ReceiveStep.QTY): N_("F6 or key the qty"),
    (ReceiveFlow.name, ReceiveStep.LOT): N_("F6: scan the lot"),
    (ReceiveFlow.name, ReceiveStep.EXPIRY): N_("F6 or key YYMMDD"),
    (ReceiveFlow.name, ReceiveStep.OVER): N_("Key 1 or 2 + Enter"),
    (ReceiveFlow.name, ReceiveStep.REASON): N_("Key reason + Enter"),
    (ReceiveFlow.name, ReceiveStep.SERIAL): N_("Scan each serial"),
    (PutawayFlow.name, PutawayStep.SOURCE): N_("F6: dock LPN or item"),
    (PutawayFlow.name, PutawayStep.FROM): N_("F6: scan the dock"),
    (PutawayFlow.name, PutawayStep.LOT): N_("F6: scan the lot"),
    (PutawayFlow.name, PutawayStep.QTY): N_("Enter: all of it"),
    (PutawayFlow.name, PutawayStep.CONFIRM): N_("F6: scan the To loc"),
    (PutawayFlow.name, PutawayStep.REASON): N_("Key reason + Enter"),
    (MoveFlow.name, MoveStep.FROM): N_("F6: scan a location"),
    (MoveFlow.name, MoveStep.ITEM): N_("F6: scan the item"),
    (MoveFlow.name, MoveStep.QTY): N_("F6 or key the qty"),
    (MoveFlow.name, MoveStep.TO): N_("F6: scan the To loc"),
    (InquiryFlow.name, InquiryStep.SCAN): N_("F6: scan to look up"),
    (InquiryFlow.name, InquiryStep.RESULT): N_("Enter: next page"),
    (PickFlow.name, PickStep.START): N_("Enter: next task"),
    (PickFlow.name, PickStep.LOC): N_("F6: scan the loc"),
    (PickFlow.name, PickStep.ITEM): N_("F6: scan the item"),
    (PickFlow.name, PickStep.LOT): N_("F6: scan the lot"),
    (PickFlow.name, PickStep.QTY): N_("Enter: the whole qty"),
    (PickFlow.name, PickStep.SERIAL): N_("Scan each serial"),
    (PickFlow.name, PickStep.DROP): N_("F6: scan a tote"),
    (PickFlow.name, PickStep.REASON): N_("Key reason + Enter"),
    (PickFlow.name, PickStep.SQTY): N_("Key qty you took"),
    (PickFlow.name, PickStep.CONFIRM): N_("Key 1 or 2 + Enter"),
    (PickFlow.name, PickStep.ZERO): N_("Key 1 or 2 + Enter"),
    (CountFlow.name, CountStep.TASK): N_("Enter: next task"),
    (CountFlow.name, CountStep.LOC): N_("F6: scan the loc"),
    (CountFlow.name, CountStep.ITEM): N_("F6: item; Enter=done"),
    (CountFlow.name, CountStep.LOT): N_("F6: scan the lot"),
    (CountFlow.name, CountStep.QTY): N_("Key what you count"),
    (CountFlow.name, CountStep.SERIAL): N_("Scan each serial"),
    (CountFlow.name, CountStep.DONE): N_("Key 1 + Enter: send"),
    (ReplenishFlow.name, ReplenishStep.START): N_("Enter: next task"),
    (ReplenishFlow.name, ReplenishStep.FROM): N_("F6: scan the loc"),
    (ReplenishFlow.name, ReplenishStep.ITEM): N_("F6: scan the item"),
    (ReplenishFlow.name, ReplenishStep.LOT): N_("F6: scan the lot"),
    (ReplenishFlow.name, ReplenishStep.QTY): N_("Enter: all of it"),
    (ReplenishFlow.name, ReplenishStep.TO): N_("F6: scan pick face"),
    (QcReleaseFlow.name, QcReleaseStep.LOC): N_("F6: scan a location"),
    (QcReleaseFlow.name, QcReleaseStep.ITEM): N_("F6: scan the item"),
    (QcReleaseFlow.name, QcReleaseStep.QTY): N_("Enter: all of it"),
    (QcReleaseFlow.name, QcReleaseStep.DECIDE): N_("Key 1 or 2 + Enter"),
    (QcReleaseFlow.name, QcReleaseStep.REASON): N_("Key reason + Enter"),
    (QcReleaseFlow.name, QcReleaseStep.CONFIRM): N_("Key 1 or 2 + Enter"),
    (PackFlow.name, PackStep.TOTE): N_("F6: scan a tote"),
    (PackFlow.name, PackStep.ITEM): N_("F6: item or ALL"),
    (PackFlow.name, PackStep.QTY): N_("Enter: all of it"),
    (PackFlow.name, PackStep.TYPE): N_("Key type + Enter"),
    (PackFlow.name, PackStep.WEIGHT): N_("F6 or key the kg"),
    (PackFlow.name, PackStep.CONFIRM): N_("Key 1 or 2 + Enter"),
    (PackFlow.name, PackStep.DONE): N_("Enter: next carton"),
    (PackFlow.name, PackStep.REASON): N_("Key reason + Enter"),
    (PackFlow.name, PackStep.SQTY): N_("Enter: all of it"),
    (PackFlow.name, PackStep.SHORT): N_("Key 1 or 2 + Enter"),
    (ApproveFlow.name, ApproveStep.START): N_("Enter: next count"),
    (ApproveFlow.name, ApproveStep.REVIEW): N_("Enter: next item"),
    (ApproveFlow.name, ApproveStep.DECIDE): N_("Key 1-3 + Enter"),
}


def hint(flow: AnyFlow) -> str:
    """The untranslated instruction for the flow's current step (the screen translates it)."""
    return HINTS.get((flow.name, flow.step_name), DEFAULT_HINT)
