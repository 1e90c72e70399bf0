"""The Pack flow on a real SQLite warehouse: a tote picked by the pick services, packed into
cartons through shipping.pack_carton (the same service `wms pack carton` calls), with keyed,
scanned and scale weights, a short at pack, extras refused, and a resume that never posts a
carton twice."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.db.outbound_site import Site
from tests.factories import build_warehouse
from tests.unit.flows.pack_site import ScaleStub, pack_backend, pick_into_tote
from wms_tui.domain.flows.base import FactKind, InputKind, Step, Tone
from wms_tui.domain.flows.pack import PackFlow, PackStep
from wms_tui.domain.rf_services import RfBackend
from wms_tui.domain.weights import Weight

EA_GTIN = "09501101530003"


@pytest.fixture
def site(sqlite_engine: Engine) -> Site:
    return pick_into_tote(sqlite_engine, build_warehouse(sqlite_engine))


def rows(engine: Engine, query: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query))]


def cartons(site: Site) -> list[tuple[Any, ...]]:
    return rows(site.engine, "SELECT sscc, carton_type, weight_kg, weight_source FROM carton "
                             "ORDER BY id")


def contents(site: Site) -> list[tuple[Any, ...]]:
    return rows(site.engine, "SELECT c.sscc, i.sku, l.quantity FROM carton_line l "
                             "JOIN carton c ON c.id = l.carton_id JOIN item i ON i.id = l.item_id "
                             "ORDER BY c.id, i.sku")


def flow_on(site: Site, services: RfBackend | None = None,
            state: dict[str, Any] | None = None) -> PackFlow:
    return PackFlow(site.wh.operator, services or pack_backend(site), state=state)


def facts(step: Step) -> list[str]:
    return [f"{f.label}: {f.value}" if f.label else f.value for f in step.facts]


def test_two_cartons_one_by_item_one_with_all_weighed_from_a_gs1_scan(site: Site) -> None:
    flow = flow_on(site)
    step = flow.submit("TOTE-1")
    assert step.name == PackStep.ITEM and step.input == InputKind.SCAN
    assert facts(step)[:6] == ["Tote: TOTE-1", "Order: SO-1", "WIDGET: 12 EA", "Blue widget",
                               "BOLT: 4 EA", "Bolt M8"]
    # A GS1 label with a count (30) puts that many in at once.
    step = flow.submit(f"(01){EA_GTIN}(30)5")
    assert (step.name, step.message, step.tone) == (PackStep.ITEM, "Added 5 EA WIDGET",
                                                    Tone.SUCCESS)
    assert "WIDGET: 7 EA" in facts(step) and "Carton: 5 units" in facts(step)
    step = flow.submit("WIDGET")
    assert step.name == PackStep.QTY and "To pack: 7 EA" in facts(step)
    step = flow.submit("")
    assert step.message == "Added 7 EA WIDGET" and "WIDGET: 0 EA" not in facts(step)
    step = flow.submit("")
    assert step.name == PackStep.TYPE and step.input == InputKind.CHOICE
    assert step.choices == ("1 BOX-S", "2 BOX-M", "3 BOX-L")
    step = flow.submit("")
    assert step.name == PackStep.WEIGHT and "Type: BOX-S" in facts(step)
    step = flow.submit("7.25")
    assert step.name == PackStep.CONFIRM and "Weight: 7.250 kg" in facts(step)
    step = flow.submit("1")
    assert step.name == PackStep.DONE and step.message == "Packed 12 units"
    [(sscc, kind, kg, source)] = cartons(site)
    assert (kind, Decimal(str(kg)), source) == ("BOX-S", Decimal("7.25"), "keyed")
    assert sscc.startswith("30614141") and len(sscc) == 18
    assert step.facts[0].value == sscc and step.facts[0].kind == FactKind.WRAPPED
    # Enter: the next carton of the same tote, only the bolts left.
    step = flow.submit("")
    assert step.name == PackStep.ITEM and "BOLT: 4 EA" in facts(step)
    assert not any(f.startswith("WIDGET") for f in facts(step))
    flow.submit("all")
    flow.submit("2")
    step = flow.submit("(3103)003480")
    assert "Weight: 3.480 kg" in facts(step)
    step = flow.submit("1")
    assert step.name == PackStep.DONE and step.message == "Packed 4 units"
    step = flow.submit("")
    assert (step.name, step.message) == (PackStep.TOTE, "Tote TOTE-1 packed")
    second = cartons(site)[1]
    assert second[1:] == ("BOX-M", second[2], "scan") and Decimal(str(second[2])) == Decimal(
        "3.48")
    assert contents(site) == [(sscc, "WIDGET", 12), (second[0], "BOLT", 4)]
    assert site.balance(site.wh.widget, site.tote1) == (0, 0)
    assert site.exact() == []


def test_extras_are_refused_before_anything_posts(site: Site) -> None:
    flow = flow_on(site)
    flow.submit("TOTE-1")
    step = flow.submit("MILK")
    assert (step.tone, step.message) == (Tone.ERROR, "No MILK left to pack: scan another")
    flow.submit("BOLT")
    step = flow.submit("5")
    assert (step.name, step.message) == (PackStep.QTY, "Only 4 EA left: key less")
    step = flow.submit("")
    assert (step.name, step.message) == (PackStep.ITEM, "Added 4 EA BOLT")
    step = flow.submit("BOLT")
    assert step.message == "No BOLT left to pack: scan another"
    step = flow.submit("A-01-01-1")
    assert step.message == "Scan an item, not A-01-01-1"
    assert cartons(site) == []


def test_the_weight_is_keyed_when_there_is_no_scale(site: Site) -> None:
    flow = flow_on(site)
    for answer in ("TOTE-1", "ALL", "3"):
        flow.submit(answer)
    step = flow.submit("")
    assert (step.name, step.message) == (PackStep.WEIGHT, "No scale here: key the weight in kg")
    step = flow.submit("heavy")
    assert step.message == "Key the weight in kg or scan a weight"
    step = flow.submit("0")
    assert step.tone == Tone.ERROR and step.name == PackStep.WEIGHT


def test_enter_reads_the_station_scale(site: Site) -> None:
    scale = ScaleStub(Weight(Decimal("2.72"), "lb"), [])
    flow = flow_on(site, pack_backend(site, "tcp://scale-1:4001", scale))
    for answer in ("TOTE-1", "ALL", ""):
        flow.submit(answer)
    step = flow.submit("")
    assert scale.asked == ["tcp://scale-1:4001"]
    assert "Weight: 1.234 kg" in facts(step)
    flow.submit("1")
    [(_sscc, _kind, kg, source)] = cartons(site)
    assert (Decimal(str(kg)), source) == (Decimal("1.234"), "scale")


def test_a_carton_that_posted_before_a_drop_is_never_posted_again(site: Site) -> None:
    services = pack_backend(site)
    flow = flow_on(site, services)
    for answer in ("TOTE-1", "ALL", "", "9.5"):
        flow.submit(answer)
    saved = flow.snapshot()["state"]
    assert saved["step"] == PackStep.CONFIRM and saved.get("key")
    flow.submit("1")
    # The terminal dropped before it saved the step after: the state saved is the confirm.
    again = flow_on(site, services, state=dict(saved))
    step = again.resume()
    assert (step.name, step.message) == (PackStep.DONE, "Last: Packed 16 units")
    assert len(cartons(site)) == 1 and step.facts[0].value == cartons(site)[0][0]
    assert site.exact() == []


def test_f5_records_a_short_after_post_short(site: Site) -> None:
    flow = flow_on(site)
    flow.submit("TOTE-1")
    step = flow.exception_key()
    assert step.message == "Scan the item first, then F5"
    flow.submit("BOLT")
    step = flow.exception_key()
    assert step.name == PackStep.REASON and step.title == "Pack short" and step.choices
    reason = step.choices[0].split(" ", 1)[1]
    flow.submit("1")
    step = flow.submit("1")
    assert step.name == PackStep.SHORT and step.input == InputKind.YESNO
    assert "Short: 1 EA" in facts(step)
    step = flow.submit("2")
    assert (step.name, step.message) == (PackStep.QTY, "Short cancelled")
    flow.exception_key()
    flow.submit("1")
    flow.submit("1")
    step = flow.submit("1")
    assert (step.name, step.message) == (PackStep.ITEM, "Short 1 EA BOLT")
    assert "BOLT: 3 EA" in facts(step)
    assert rows(site.engine, "SELECT quantity, reason_code FROM pack_exception") == [(1, reason)]
    for answer in ("ALL", "", "4", "1"):
        step = flow.submit(answer)
    assert step.message == "Packed 15 units"
    assert site.exact() == []


def test_a_tote_without_an_order_is_refused(site: Site) -> None:
    flow = flow_on(site)
    step = flow.submit("TOTE-2")
    assert (step.name, step.message) == (PackStep.TOTE, "Tote TOTE-2 holds no order: scan another")
    step = flow.submit("WIDGET")
    assert step.message == "Scan a tote, not WIDGET"
