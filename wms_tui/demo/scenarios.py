"""Guided exercises: which flow a scenario opens, and one short instruction per step.

Instructions go on the message line when the flow has nothing to say, so they fit 2x20.
"""

from __future__ import annotations

from wms_tui.domain.flows.base import Flow

# Scenario name -> the flow it opens after log-in (tour opens none: it starts at the menu).
SCENARIOS: dict[str, str | None] = {
    "receive": "receive", "putaway": "putaway", "pick": "pick", "count": "count", "tour": None,
}

HINTS: dict[tuple[str, str], str] = {
    ("receive", "order"): "F6: scan an ASN",
    ("receive", "item"): "F6: scan an item",
    ("receive", "qty"): "F6 or key the qty",
    ("receive", "lot"): "F6: scan the lot",
    ("receive", "expiry"): "F6 or key YYMMDD",
    ("putaway", "source"): "F6: scan dock LPN",
    ("putaway", "from"): "F6: scan the dock",
    ("putaway", "qty"): "Enter: all of it",
    ("putaway", "confirm"): "F6: scan the To loc",
    ("pick", "start"): "Enter: next task",
    ("pick", "loc"): "F6: scan the loc",
    ("pick", "item"): "F6: scan the item",
    ("pick", "lot"): "F6: scan the lot",
    ("pick", "qty"): "Enter: the whole qty",
    ("pick", "drop"): "F6: scan a tote",
    ("count", "task"): "Enter: next task",
    ("count", "loc"): "F6: scan the loc",
    ("count", "item"): "F6: item; Enter=done",
    ("count", "qty"): "Key what you count",
    ("count", "done"): "1 sends the count",
}


def hint(flow: Flow) -> str:
    return HINTS.get((flow.name, flow.step_name), "F6: virtual scanner")
