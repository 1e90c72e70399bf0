"""From tote to truck, end to end: a wave picked into a tote (the pick services), packed by
`wms pack carton` into two cartons (one weighed on a simulated TCP scale), the carton labels
rendered and decoded, loaded and ship confirmed by `wms ship`; then the ledger, the order and
the export events are checked exactly. Once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import Engine, text

from tests.cli.conftest import MakeWms, Wms, empty_pg_url, sqlite_url
from tests.db.outbound_site import TODAY, Site
from tests.factories import build_warehouse
from tests.label_tools import gs1_read, read_symbols
from tests.scale_sim import SimulatedScale, settling
from wms_tui.db.engine import make_engine
from wms_tui.domain.outbound import TaskKind, confirm_pick, release_wave
from wms_tui.domain.stock import ledger_mismatches

PREFIX = ("--company-prefix", "0614141")
SHIP_FROM = ("--ship-from", "Acme DC; 88 Harbour Rd; Shanghai")
WIDGET_ZH = "蓝色小部件"
PATIENT = "30"


def all_events(wms: Any, count: int) -> list[dict[str, Any]]:
    """The export's events once all count are final: on PostgreSQL the feed stops below the
    oldest transaction running anywhere on the server (another test's, say) until it ends."""
    deadline = time.monotonic() + 60
    while True:
        events: list[dict[str, Any]] = json.loads(ok(wms("export", "events", "--json")))["events"]
        if len(events) >= count or time.monotonic() > deadline:
            return events
        time.sleep(0.2)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def picked(request: pytest.FixtureRequest, make_wms: MakeWms,
           tmp_path: Path) -> Any:
    """A site whose order SO-1 (12 WIDGET, 4 BOLT) is picked into TOTE-1."""
    url = sqlite_url(tmp_path) if request.param == "sqlite" else empty_pg_url()
    if request.param == "sqlite":
        (tmp_path / "db").mkdir()
    wms = make_wms(url)
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(url)
    site = Site.build(engine, build_warehouse(engine))
    wh = site.wh
    with engine.begin() as conn:
        conn.execute(text("UPDATE item SET description = :d WHERE sku = 'WIDGET'"),
                     {"d": WIDGET_ZH})
    site.receive(wh.widget, 20, wh.a1)
    site.receive(wh.heavy, 10, wh.a2)
    site.orders(("SO-1", "Shanghai Retail", "", "", "1", "WIDGET", "12", "EA"),
                ("SO-1", "Shanghai Retail", "", "", "2", "BOLT", "4", "EA"))
    release_wave(site.uow, wh.supervisor, today=TODAY)
    with site.uow() as u:
        tasks = u.outbound.tasks(kind=TaskKind.PICK)
    for task in tasks:
        confirm_pick(site.uow, wh.operator, task.id, task.remaining,
                     to_location_id=site.tote1, today=TODAY)
    yield wms, engine
    engine.dispose()


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def rows(engine: Engine, query: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query))]


def test_wave_pick_pack_label_load_ship(picked: tuple[Wms, Engine], tmp_path: Path) -> None:
    wms, engine = picked
    # Pack: a keyed weight for the widgets, the rest weighed on the scale.
    first = ok(wms("pack", "carton", "TOTE-1", "--as", "OP1", "--type", "box-m",
                   "--item", "WIDGET=12", "--weight", "7.25", *PREFIX, "--json"))
    with SimulatedScale(settling("3.480")) as scale:
        second = ok(wms("pack", "carton", "TOTE-1", "--as", "OP1", "--type", "BOX-S", "--all",
                        "--scale", scale.address, "--scale-timeout", PATIENT, *PREFIX,
                        "--json"))
    c1, c2 = json.loads(first), json.loads(second)
    assert (c1["units"], c1["weight_kg"], c2["units"], c2["weight_kg"]) == (12, "7.250", 4,
                                                                             "3.480")
    sscc1, sscc2 = c1["sscc"], c2["sscc"]
    assert (sscc1[:8], int(sscc2[8:17]) - int(sscc1[8:17])) == ("00614141", 1)

    shipment = ok(wms("ship", "create", "--dock", "DOCK-1", "--as", "OP1")).split()[0]
    assert shipment == "SH00001"
    # One carton loaded: confirm refuses, naming the one left behind, and show lists it.
    ok(wms("ship", "load", shipment, sscc1, "--as", "OP1"))
    refused = wms("ship", "confirm", shipment, "--as", "OP1")
    assert refused.exit_code == 2
    assert f"cartons packed but not loaded: {sscc2}" in refused.stderr
    view = json.loads(ok(wms("ship", "show", shipment, "--json")))
    assert [c["sscc"] for c in view["unloaded"]] == [sscc2]
    ok(wms("ship", "load", shipment, sscc2, "--as", "OP1"))

    # Labels: one per carton, each decoded back to its SSCC, weight and (one item) contents.
    out = tmp_path / "labels"
    out.mkdir()
    ok(wms("labels", "shipment", shipment, *SHIP_FROM, "--format", "png", "--out", str(out)))
    read = {}
    for sscc in (sscc1, sscc2):
        found = read_symbols(Image.open(out / f"{sscc}.png"))
        assert found[-1].text == f"00{sscc}"
        read[sscc] = gs1_read([f.scanned for f in found])
    widget = read[sscc1]
    assert (widget.sscc, widget.content_gtin, widget.quantity) == (sscc1, "19501101530000", 1)
    assert widget.fields["3302"] == "000725"
    assert (read[sscc2].sscc, read[sscc2].fields["3302"]) == (sscc2, "000348")

    confirmed = json.loads(ok(wms("ship", "confirm", shipment, "--as", "OP1", "--json")))
    assert (confirmed["shipped_orders"], confirmed["left"], confirmed["unloaded"]) == (
        ["SO-1"], [], [])
    pdf = tmp_path / "packing.pdf"
    ok(wms("ship", "packing-list", shipment, "--out", str(pdf)))
    assert pdf.read_bytes().startswith(b"%PDF") and b"STSong-Light" in pdf.read_bytes()

    # The ledger: each carton line issued from the dock off its carton, nothing left behind.
    ships = rows(engine, "SELECT i.sku, m.quantity, l.code, m.to_location_id, p.code, "
                         "m.reference FROM movement m JOIN item i ON i.id = m.item_id "
                         "JOIN location l ON l.id = m.from_location_id "
                         "JOIN lpn p ON p.id = m.from_lpn_id WHERE m.kind = 'ship' "
                         "ORDER BY m.id")
    assert ships == [("WIDGET", 12, "DOCK-1", None, sscc1, "SO-1"),
                     ("BOLT", 4, "DOCK-1", None, sscc2, "SO-1")]
    left = rows(engine, "SELECT l.code, b.quantity FROM balance b "
                        "JOIN location l ON l.id = b.location_id "
                        "WHERE l.code IN ('TOTE-1', 'DOCK-1') AND b.quantity <> 0")
    assert left == []
    assert rows(engine, "SELECT count(*) FROM lpn WHERE sscc IN "
                        f"('{sscc1}', '{sscc2}') AND location_id IS NULL") == [(2,)]
    with_uow = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        from wms_tui.db.uow import SqlUnitOfWork

        with SqlUnitOfWork(with_uow) as uow:
            assert ledger_mismatches(uow) == []
    finally:
        with_uow.dispose()
    assert rows(engine, "SELECT status FROM outbound_order WHERE reference = 'SO-1'") == [
        ("shipped",)]
    assert rows(engine, "SELECT line_no, picked, shipped FROM outbound_line ORDER BY line_no"
                ) == [(1, 12, 12), (2, 4, 4)]

    # The export: picks are "pick" events; the shipment events come at ship confirm, whole.
    events = all_events(wms, 10)
    shape = [(e["event"], e["sku"], e["quantity"], e["from_location"], e["to_location"],
              e["lpn"], e["reference"]) for e in events]
    assert shape == [
        ("receipt", "WIDGET", 20, None, "A-01-01-1", None, "ASN"),
        ("receipt", "BOLT", 10, None, "A-01-02-1", None, "ASN"),
        ("pick", "WIDGET", 12, "A-01-01-1", "TOTE-1", None, "SO-1"),
        ("pick", "BOLT", 4, "A-01-02-1", "TOTE-1", None, "SO-1"),
        ("move", "WIDGET", 12, "TOTE-1", "TOTE-1", sscc1, "SO-1"),
        ("move", "BOLT", 4, "TOTE-1", "TOTE-1", sscc2, "SO-1"),
        ("move", "WIDGET", 12, "TOTE-1", "DOCK-1", sscc1, shipment),
        ("move", "BOLT", 4, "TOTE-1", "DOCK-1", sscc2, shipment),
        ("shipment", "WIDGET", 12, "DOCK-1", None, sscc1, "SO-1"),
        ("shipment", "BOLT", 4, "DOCK-1", None, sscc2, "SO-1"),
    ]
    details = [{k: e[k] for k in ("order", "order_line", "unit", "expiry", "serials", "sscc",
                                  "weight_kg", "shipment")} for e in events[-2:]]
    assert details == [
        {"order": "SO-1", "order_line": 1, "unit": "EA", "expiry": None, "serials": None,
         "sscc": sscc1, "weight_kg": "7.250", "shipment": shipment},
        {"order": "SO-1", "order_line": 2, "unit": "EA", "expiry": None, "serials": None,
         "sscc": sscc2, "weight_kg": "3.480", "shipment": shipment},
    ]
    assert all(e["sscc"] is None for e in events[:-2])
