"""Guided exercises: which flow a scenario opens, and one short instruction per step.

Instructions go on the message line when the flow has nothing to say, so they fit one line of
20 cells; they are marked for translation like every other operator text.
"""

from __future__ import annotations

from wms_tui.domain.errors import N_
from wms_tui.domain.flows.base import Flow

# Scenario name -> the flow it opens after log-in (tour opens none: it starts at the menu).
SCENARIOS: dict[str, str | None] = {
    "receive": "receive", "putaway": "putaway", "pick": "pick", "count": "count", "tour": None,
}

DEFAULT_HINT = N_("F6: virtual scanner")
# (flow, step) -> the instruction; the tour opens every flow, so every step has one.
HINTS: dict[tuple[str, str], str] = {
    ("receive", "order"): N_("F6: scan an ASN"),
    ("receive", "item"): N_("F6: scan an item"),
    ("receive", "qty"): N_("F6 or key the qty"),
    ("receive", "lot"): N_("F6: scan the lot"),
    ("receive", "expiry"): N_("F6 or key YYMMDD"),
    ("receive", "over"): N_("Key 1 or 2 + Enter"),
    ("receive", "reason"): N_("Key reason + Enter"),
    ("putaway", "source"): N_("F6: dock LPN or item"),
    ("putaway", "from"): N_("F6: scan the dock"),
    ("putaway", "qty"): N_("Enter: all of it"),
    ("putaway", "confirm"): N_("F6: scan the To loc"),
    ("putaway", "reason"): N_("Key reason + Enter"),
    ("move", "from"): N_("F6: scan a location"),
    ("move", "item"): N_("F6: scan the item"),
    ("move", "qty"): N_("F6 or key the qty"),
    ("move", "to"): N_("F6: scan the To loc"),
    ("inquiry", "scan"): N_("F6: scan to look up"),
    ("inquiry", "result"): N_("Enter: next page"),
    ("pick", "start"): N_("Enter: next task"),
    ("pick", "loc"): N_("F6: scan the loc"),
    ("pick", "item"): N_("F6: scan the item"),
    ("pick", "lot"): N_("F6: scan the lot"),
    ("pick", "qty"): N_("Enter: the whole qty"),
    ("pick", "drop"): N_("F6: scan a tote"),
    ("pick", "reason"): N_("Key reason + Enter"),
    ("pick", "sqty"): N_("Key qty you took"),
    ("pick", "confirm"): N_("Key 1 or 2 + Enter"),
    ("pick", "zero"): N_("Key 1 or 2 + Enter"),
    ("count", "task"): N_("Enter: next task"),
    ("count", "loc"): N_("F6: scan the loc"),
    ("count", "item"): N_("F6: item; Enter=done"),
    ("count", "lot"): N_("F6: scan the lot"),
    ("count", "qty"): N_("Key what you count"),
    ("count", "done"): N_("Key 1 + Enter: send"),
    ("replenish", "start"): N_("Enter: next task"),
    ("replenish", "from"): N_("F6: scan the loc"),
    ("replenish", "item"): N_("F6: scan the item"),
    ("replenish", "lot"): N_("F6: scan the lot"),
    ("replenish", "qty"): N_("Enter: all of it"),
    ("replenish", "to"): N_("F6: scan pick face"),
}


def hint(flow: Flow) -> str:
    """The untranslated instruction for the flow's current step (the screen translates it)."""
    return HINTS.get((flow.name, flow.step_name), DEFAULT_HINT)
