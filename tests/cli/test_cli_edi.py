"""`wms edi`: a DESADV imported as an ASN (SSCCs, GTINs, lots, expiry), an ORDERS as a customer
order, a malformed interchange refused whole; a shipped shipment exported as a DESADV and read
back to the same cartons, GTINs, quantities, lots and weights."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from tests.cli.conftest import MakeWms, Wms, sqlite_url
from tests.db.outbound_site import TODAY, Site
from tests.factories import build_warehouse
from wms_tui.db.engine import make_engine
from wms_tui.domain.outbound import TaskKind, confirm_pick, release_wave
from wms_tui.edi import parse_interchange

SAMPLES = Path(__file__).parents[1] / "edi_samples"
PREFIX = ("--company-prefix", "0614141")


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def rows(engine: Engine, query: str) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(query))]


@pytest.fixture
def site(make_wms: MakeWms, tmp_path: Path) -> Iterator[tuple[Wms, Engine, Site]]:
    url = sqlite_url(tmp_path)
    (tmp_path / "db").mkdir()
    wms = make_wms(url)
    assert wms("db", "upgrade").exit_code == 0
    engine = make_engine(url)
    yield wms, engine, Site.build(engine, build_warehouse(engine))
    engine.dispose()


INBOUND = ("SELECT o.reference, o.supplier, o.expected_date, l.line_no, i.sku, l.quantity, "
           "l.lot, l.expiry, l.sscc FROM inbound_line l JOIN inbound_order o ON o.id = l.order_id "
           "JOIN item i ON i.id = l.item_id ORDER BY l.line_no")


def test_a_desadv_becomes_an_asn_with_ssccs_gtins_lots(
        site: tuple[Wms, Engine, Site]) -> None:
    wms, engine, _ = site
    out = ok(wms("edi", "import", str(SAMPLES / "desadv_asn.edi")))
    assert "1 DESADV message(s) as inbound orders: ASN-7001" in out
    assert "expires" not in out
    # DTM+361 is stored as the line's expiry, beside its lot.
    assert [(r[0], r[1], str(r[2]), *r[3:6], r[6], str(r[7]), r[8])
            for r in rows(engine, INBOUND)] == [
        ("ASN-7001", "5412345000020", "2026-12-08", 1, "MILK", 48, "L2612A", "2027-01-31",
         "106141411234567897"),
        # The GTIN on line 2 is the case of 12 widgets: 10 cases are 120 EA.
        ("ASN-7001", "5412345000020", "2026-12-08", 2, "WIDGET", 120, None, "None",
         "106141411234567897"),
        ("ASN-7001", "5412345000020", "2026-12-08", 3, "MILK", 24, "L2612B", "2027-02-15",
         "106141411234567903"),
    ]
    shown = ok(wms("order", "show", "ASN-7001"))
    assert "expiry" in shown and "2027-02-15" in shown
    # Importing it again changes nothing.
    assert "orders: 0 created, 1 unchanged" in ok(
        wms("edi", "import", str(SAMPLES / "desadv_asn.edi")))


def test_orders_becomes_an_outbound_order(site: tuple[Wms, Engine, Site]) -> None:
    wms, engine, _ = site
    ok(wms("edi", "import", str(SAMPLES / "orders.edi")))
    assert [(r[0], r[1], str(r[2]), *r[3:]) for r in rows(engine, (
        "SELECT o.reference, o.customer, o.ship_date, l.line_no, i.sku, l.quantity "
        "FROM outbound_line l JOIN outbound_order o ON o.id = l.order_id "
        "JOIN item i ON i.id = l.item_id ORDER BY l.line_no"))] == [
        ("PO-88001", "Shanghai Retail", "2026-12-10", 1, "WIDGET", 6),
        ("PO-88001", "Shanghai Retail", "2026-12-10", 2, "WIDGET", 24)]


def test_a_malformed_interchange_is_refused_whole(
        site: tuple[Wms, Engine, Site], tmp_path: Path) -> None:
    wms, engine, _ = site
    broken = tmp_path / "broken.edi"
    # Line 1 is good; a bad date on line 3 refuses the whole interchange.
    broken.write_text((SAMPLES / "desadv_asn.edi").read_text().replace(
        "DTM+361:20270215:102", "DTM+361:20271315:102"))
    result = wms("edi", "import", str(broken))
    assert result.exit_code == 2
    assert ("error: segment 31 DTM, element 1: date '20271315' does not match format 102"
            in result.stderr)
    assert "nothing was imported" in result.stderr
    assert rows(engine, "SELECT count(*) FROM inbound_line") == [(0,)]


def test_a_shipped_shipment_exports_a_desadv_that_reads_back(
        site: tuple[Wms, Engine, Site], tmp_path: Path) -> None:
    wms, engine, s = site
    wh = s.wh
    s.receive(wh.widget, 24, wh.a1)
    s.receive(wh.lotted, 10, wh.a2, lot="L77", expiry=date(2027, 3, 31))
    s.orders(("SO-1", "Shanghai Retail", "", "", "1", "WIDGET", "2", "CS"),
             ("SO-1", "Shanghai Retail", "", "", "2", "MILK", "6", "EA"))
    release_wave(s.uow, wh.supervisor, today=TODAY)
    with s.uow() as u:
        tasks = u.outbound.tasks(kind=TaskKind.PICK)
    for task in tasks:
        confirm_pick(s.uow, wh.operator, task.id, task.remaining, to_location_id=s.tote1,
                     today=TODAY)
    c1 = json.loads(ok(wms("pack", "carton", "TOTE-1", "--as", "OP1", "--type", "box-m",
                           "--item", "WIDGET=24", "--weight", "7.25", *PREFIX, "--json")))
    c2 = json.loads(ok(wms("pack", "carton", "TOTE-1", "--as", "OP1", "--type", "box-s",
                           "--all", "--weight", "6.5", *PREFIX, "--json")))
    shipment = ok(wms("ship", "create", "--dock", "DOCK-1", "--as", "OP1")).split()[0]
    for carton in (c1, c2):
        ok(wms("ship", "load", shipment, carton["sscc"], "--as", "OP1"))
    edi = tmp_path / "out.edi"
    early = wms("edi", "export", "desadv", shipment, "--out", str(edi))
    assert early.exit_code == 2 and "wms ship confirm" in early.stderr
    ok(wms("ship", "confirm", shipment, "--as", "OP1"))
    ok(wms("edi", "export", "desadv", shipment, "--out", str(edi), "--sender", "5412345000020",
           "--recipient", "5412345000013"))

    [message] = parse_interchange(edi.read_text())
    view = json.loads(ok(wms("ship", "show", shipment, "--json")))
    assert (message.kind, message.number, message.order_ref, message.buyer) == (
        "DESADV", shipment, "SO-1", "Shanghai Retail")
    assert [(p.sscc, p.weight_kg) for p in message.packages[1:]] == [
        (c["sscc"], Decimal(c["weight_kg"])) for c in view["cartons"]]
    # The widgets go out as 2 cases of GTIN 19501101530000; the milk as 6 EA by its own GTIN.
    assert [(ln.sscc, ln.gtin, ln.article, ln.quantity, ln.lot, ln.expiry, ln.order_ref,
             ln.order_line) for ln in message.lines] == [
        (c1["sscc"], "19501101530000", "WIDGET", 2, None, None, "SO-1", 1),
        (c2["sscc"], "05901234123457", "MILK", 6, "L77", date(2027, 3, 31), "SO-1", 2)]
    shipped = [(ln["sku"], ln["quantity"], ln["lot"], c["sscc"])
               for c in view["cartons"] for ln in c["lines"]]
    assert shipped == [("WIDGET", 24, None, c1["sscc"]), ("MILK", 6, "L77", c2["sscc"])]
    # The receiving side of the round trip: the DESADV read back as an ASN keeps lot and expiry.
    ok(wms("edi", "import", str(edi)))
    assert [(no, lot, str(expiry), sscc) for no, lot, expiry, sscc in rows(
        engine, "SELECT line_no, lot, expiry, sscc FROM inbound_line ORDER BY line_no")] == [
        (1, None, "None", c1["sscc"]), (2, "L77", "2027-03-31", c2["sscc"])]
