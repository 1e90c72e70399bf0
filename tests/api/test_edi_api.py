"""POST /v1/edi: a DESADV becomes an inbound order and an ORDERS an outbound one, once per
Idempotency-Key; a malformed interchange is refused whole, naming segment and element."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from tests.api.conftest import Api, keyed
from wms_tui.api.clients import Scope

SAMPLES = Path(__file__).parents[1] / "edi_samples"
EDIFACT = {"Content-Type": "application/EDIFACT"}


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def inbound_lines(api: Api) -> list[tuple[Any, ...]]:
    with api.site.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT o.reference, o.supplier, o.expected_date, l.line_no, i.sku, l.quantity, "
            "l.lot, l.sscc FROM inbound_line l JOIN inbound_order o ON o.id = l.order_id "
            "JOIN item i ON i.id = l.item_id ORDER BY l.line_no"))]


def counts(api: Api) -> tuple[int, int, int]:
    with api.site.engine.connect() as conn:
        return tuple(conn.execute(text(
            "SELECT (SELECT count(*) FROM inbound_line), (SELECT count(*) FROM outbound_line), "
            "(SELECT count(*) FROM idempotency_record)")).one())


def test_a_desadv_becomes_an_asn_and_a_repeat_replays(api: Api) -> None:
    headers = keyed({**api.key("erp", Scope.ORDERS), **EDIFACT}, "edi-1")
    first = api.http.post("/v1/edi", content=sample("desadv_asn.edi"), headers=headers)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["kind"], body["messages"], body["created"]) == (
        "inbound", [{"type": "DESADV", "number": "ASN-7001", "lines": 3}], 3)
    assert not [n for n in body["notes"] if "expires" in n]
    # The order's status shows each line's announced expiry, as the DESADV's DTM+361 gave it.
    status = api.http.get("/v1/orders/inbound/ASN-7001", headers=api.key("reader", Scope.READ))
    assert [(ln["lot"], ln["expiry"]) for ln in status.json()["lines"]] == [
        ("L2612A", "2027-01-31"), (None, None), ("L2612B", "2027-02-15")]
    rows = inbound_lines(api)
    assert [r[3:] for r in rows] == [
        (1, "MILK", 48, "L2612A", "106141411234567897"),
        (2, "WIDGET", 120, None, "106141411234567897"),
        (3, "MILK", 24, "L2612B", "106141411234567903"),
    ]
    assert (rows[0][0], rows[0][1], str(rows[0][2])) == ("ASN-7001", "5412345000020",
                                                         "2026-12-08")
    again = api.http.post("/v1/edi", content=sample("desadv_asn.edi"), headers=headers)
    assert (again.status_code, again.json()) == (200, body)
    assert again.headers["idempotent-replayed"] == "true"
    assert len(inbound_lines(api)) == 3


def test_orders_becomes_a_customer_order(api: Api) -> None:
    headers = keyed({**api.key("erp", Scope.ORDERS), **{"Content-Type": "text/plain"}}, "o-1")
    response = api.http.post("/v1/edi", content=sample("orders.edi"), headers=headers)
    assert response.status_code == 200, response.text
    with api.site.engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(text(
            "SELECT o.reference, o.customer, o.ship_date, l.line_no, i.sku, l.quantity "
            "FROM outbound_line l JOIN outbound_order o ON o.id = l.order_id "
            "JOIN item i ON i.id = l.item_id ORDER BY l.line_no"))]
    # Line 2's GTIN is the case of 12: two cases are 24 widgets.
    assert [(r[0], r[1], str(r[2]), *r[3:]) for r in rows] == [
        ("PO-88001", "Shanghai Retail", "2026-12-10", 1, "WIDGET", 6),
        ("PO-88001", "Shanghai Retail", "2026-12-10", 2, "WIDGET", 24)]


def test_a_malformed_interchange_is_refused_whole_naming_segment_and_element(api: Api) -> None:
    broken = sample("desadv_asn.edi").replace("QTY+12:24:PCE", "QTY+12:x:PCE")
    headers = keyed({**api.key("erp", Scope.ORDERS), **EDIFACT}, "bad-1")
    before = counts(api)
    response = api.http.post("/v1/edi", content=broken, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    messages = [e["message"] for e in response.json()["errors"]]
    assert messages == ["segment 30 QTY, element 1: quantity 'x' is not a number of whole "
                        "units", "segment 28 LIN, element 1: line 3 has no QTY+12 quantity"]
    assert counts(api) == before


def test_an_unknown_gtin_refuses_every_line_naming_its_lin(api: Api) -> None:
    broken = sample("desadv_asn.edi").replace("LIN+2++19501101530000", "LIN+2++04006381333931")
    headers = keyed({**api.key("erp", Scope.ORDERS), **EDIFACT}, "bad-2")
    response = api.http.post("/v1/edi", content=broken, headers=headers)
    assert response.status_code == 422
    assert [e["message"] for e in response.json()["errors"]] == [
        "segment 22 LIN (line 2): sku: no item with SKU, alias or GTIN '04006381333931'"]
    assert inbound_lines(api) == []


def test_other_media_types_and_scopes_are_refused(api: Api) -> None:
    reader = api.key("reader", Scope.READ)
    denied = api.http.post("/v1/edi", content=sample("orders.edi"),
                           headers=keyed({**reader, **EDIFACT}, "r-1"))
    assert denied.status_code == 403
    writer = api.key("erp", Scope.ORDERS)
    json_body = api.http.post("/v1/edi", json={"x": 1}, headers=keyed(writer, "j-1"))
    assert json_body.status_code == 415
