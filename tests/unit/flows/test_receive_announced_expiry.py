"""Receiving an ASN line that announces its lot and expiry: the expiry is not asked for that lot,
a GS1 label's own expiry wins, and another lot or an announced date already past is asked."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from tests.unit.flows.receive_fakes import SUPERVISOR, TODAY, FakeReceiving
from wms_tui.domain.flows.base import Step, Tone
from wms_tui.domain.flows.receive import ReceiveFlow
from wms_tui.domain.flows.receive_state import receipt_expiry
from wms_tui.domain.inbound import InboundLineRef, announced_expiry
from wms_tui.domain.model import Actor

MILK_GTIN = "05901234123457"
ANNOUNCED = date(2027, 1, 31)
MILK_LINE = 12


def start(actor: Actor | None = None, *, lot: str = "L2612A",
          expiry: date | None = ANNOUNCED) -> tuple[ReceiveFlow, FakeReceiving]:
    """PO-1 with its milk line (12 EA, 10% tolerance) announcing lot and expiry."""
    services = FakeReceiving.receiving()
    services.inbound = [replace(ln, lot=lot, expiry=expiry) if ln.id == MILK_LINE else ln
                        for ln in services.inbound]
    flow = ReceiveFlow(actor or SUPERVISOR, services)
    flow.submit("PO-1")
    return flow, services


def facts(step: Step) -> dict[str, str]:
    return {f.label: f.value for f in step.facts}


def test_the_announced_lot_keyed_takes_the_announced_expiry_without_asking() -> None:
    flow, services = start()
    assert flow.submit(MILK_GTIN).name == "qty"
    assert flow.submit("5").name == "lot"
    step = flow.submit("L2612A")
    assert (step.name, step.tone, step.message) == ("item", Tone.SUCCESS, "Rcvd 5 EA MILK")
    [command] = services.received()
    assert (command.line_id, command.lot, command.expiry) == (MILK_LINE, "L2612A", ANNOUNCED)


def test_a_label_with_the_announced_lot_and_a_quantity_posts_on_one_scan() -> None:
    flow, services = start()
    step = flow.submit(f"]C101{MILK_GTIN}10L2612A\x1d306")
    assert (step.name, step.message) == ("item", "Rcvd 6 EA MILK")
    assert [(c.lot, c.expiry) for c in services.received()] == [("L2612A", ANNOUNCED)]


def test_a_gs1_expiry_that_differs_from_the_announced_one_wins() -> None:
    flow, services = start()
    step = flow.submit(f"]C101{MILK_GTIN}17270215" + "10L2612A\x1d304")
    assert step.message == "Rcvd 4 EA MILK"
    assert [(c.lot, c.expiry) for c in services.received()] == [("L2612A", date(2027, 2, 15))]


def test_another_lot_no_announced_expiry_or_one_already_past_is_asked() -> None:
    for lot, expiry, keyed in (("L2612A", ANNOUNCED, "OTHER"), ("L2612A", None, "L2612A"),
                               ("L2612A", date(2026, 1, 14), "L2612A")):
        flow, services = start(lot=lot, expiry=expiry)
        flow.submit(MILK_GTIN)
        flow.submit("1")
        step = flow.submit(keyed)
        assert step.name == "expiry" and "Expiry" not in facts(step), (lot, expiry, keyed)
        assert flow.submit("271231").tone is Tone.SUCCESS
        assert services.received()[0].expiry == date(2027, 12, 31)


def test_keying_the_lot_again_forgets_the_announced_expiry() -> None:
    flow, services = start()
    flow.submit(MILK_GTIN)
    flow.submit("20")  # over the line's 13: the supervisor is asked to confirm first
    assert flow.submit("L2612A").name == "over"
    step = flow.submit("2")  # back to the quantity: the announced expiry is shown with the lot
    assert step.name == "qty" and (facts(step)["Lot"], facts(step)["Expiry"]) == (
        "L2612A", "2027-01-31")
    assert flow.submit("20").name == "over"
    again = flow.back()
    assert again is not None and again.name == "lot" and "Expiry" not in facts(again)
    step = flow.submit("OTHER")
    assert step.name == "expiry" and "Expiry" not in facts(step)
    assert flow.submit("271231").name == "over"
    step = flow.submit("2")
    assert step.name == "qty" and facts(step)["Expiry"] == "2027-12-31"
    assert flow.submit("13").message == "Rcvd 13 EA MILK"
    assert [(c.lot, c.expiry) for c in services.received()] == [("OTHER", date(2027, 12, 31))]


def test_a_resumed_flow_still_takes_the_announced_expiry() -> None:
    flow, services = start()
    flow.submit(MILK_GTIN)
    flow.submit("5")
    saved = json.loads(json.dumps(flow.state))
    resumed = ReceiveFlow(SUPERVISOR, services, state=saved)
    assert resumed.submit("L2612A").message == "Rcvd 5 EA MILK"
    assert services.received()[0].expiry == ANNOUNCED


def test_the_rules_on_plain_values() -> None:
    line = InboundLineRef(1, 1, 1, 2, "MILK", "EA", 12, lot="L1", expiry=ANNOUNCED)
    assert announced_expiry(line, "L1", TODAY) == ANNOUNCED
    assert announced_expiry(line, "L2", TODAY) is None
    assert announced_expiry(line, None, TODAY) is None
    assert announced_expiry(None, "L1", TODAY) is None
    assert announced_expiry(line, "L1", date(2027, 2, 1)) is None
    # An item that tracks no expiry never gets one from the ASN.
    assert receipt_expiry({"step": "lot", "item_id": 2, "lot": "L1", "expiry_tracked": False,
                           "lines": []}, TODAY) is None
