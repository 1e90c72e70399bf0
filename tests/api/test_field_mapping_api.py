"""A client with a field mapping writes ERP-shaped documents; problems name its fields."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.api.conftest import Api, keyed
from wms_tui.api.clients import Scope

MAPPING = {"fields": {"outbound": {"Auftrag": "reference", "Kunde": "customer",
                                   "Positionen": "lines", "Pos": "line_no",
                                   "ArtikelNr": "sku", "Menge": "quantity", "ME": "uom"},
                      "items": {"ArtikelNr": "sku", "Bezeichnung": "description",
                                "Basis": "base_uom", "Einheiten": "units", "ME": "uom"}},
           "codes": {"uom": {"ST": "EA", "KAR": "CS"}, "sku": {"ERP-123": "WIDGET"}}}


def erp_client(api: Api) -> dict[str, str]:
    headers = api.key("sap", Scope.ADMIN)
    api.book.set_mapping("sap", MAPPING)
    return headers


def order(**line: Any) -> dict[str, Any]:
    return {"Auftrag": "SO-7", "Kunde": "ACME",
            "Positionen": [{"Pos": 1, "ArtikelNr": "ERP-123", "Menge": 2, "ME": "KAR", **line}]}


def test_an_erp_order_is_created_with_its_codes_mapped(api: Api) -> None:
    sent = api.http.post("/v1/orders/outbound", json=order(),
                         headers=keyed(erp_client(api), "m-1"))
    assert sent.status_code == 201, sent.text
    lines = api.http.get("/v1/orders/outbound/SO-7", headers=erp_client_again(api)).json()
    assert [(ln["sku"], ln["uom"], ln["ordered"]) for ln in lines["lines"]] == [
        ("WIDGET", "CS", 24)]  # 2 cases of 12, in base units


def erp_client_again(api: Api) -> dict[str, str]:
    return api.key("reader", Scope.READ)


def test_problems_name_the_erp_fields(api: Api) -> None:
    headers = erp_client(api)
    wrong_type = api.http.post("/v1/orders/outbound", json=order(Menge="zwei"),
                               headers=keyed(headers, "m-1"))
    assert wrong_type.status_code == 422
    assert [e["field"] for e in wrong_type.json()["errors"]] == ["Positionen[0].Menge"]
    unknown = api.http.post("/v1/orders/outbound", json=order(ArtikelNr="NOPE"),
                            headers=keyed(headers, "m-2"))
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json()["errors"]] == ["Positionen[0].ArtikelNr"]


def test_erp_items_are_upserted(api: Api) -> None:
    item = {"ArtikelNr": "NUT", "Bezeichnung": "Nut M8", "Basis": "ST",
            "Einheiten": [{"ME": "ST"}, {"ME": "KAR", "factor": 50}]}
    sent = api.http.post("/v1/items", json=[item], headers=keyed(erp_client(api), "i-1"))
    assert sent.status_code == 200, sent.text
    with api.site.engine.connect() as conn:
        assert conn.execute(text("SELECT base_uom FROM item WHERE sku = 'NUT'")).scalar() == "EA"


def test_a_client_without_a_mapping_is_not_mapped(api: Api) -> None:
    headers = api.key("plain", Scope.ADMIN)
    sent = api.http.post("/v1/orders/outbound", json=order(), headers=keyed(headers, "p-1"))
    assert sent.status_code == 422
