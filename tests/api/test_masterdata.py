"""Master data upserted in bulk through the file imports' rules: items with units and GTINs,
locations, users without PINs."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from tests.api.conftest import Api, keyed


def rows(api: Api, query: str) -> list[tuple[Any, ...]]:
    with api.site.engine.connect() as conn:
        return list(conn.execute(text(query)))


ITEM = {"sku": "NUT", "description": "Nut M8", "base_uom": "EA", "abc_class": "A",
        "aliases": ["N-8"],
        "units": [{"uom": "EA", "gtin": "4006381333931"},
                  {"uom": "BOX", "factor": 50, "gtin": "04012345000023"}]}


def test_items_with_units_and_gtins_are_upserted_once(
        api: Api, headers: dict[str, str]) -> None:
    first = api.http.post("/v1/items", json=[ITEM], headers=keyed(headers, "i-1"))
    assert first.status_code == 200
    assert (first.json()["created"], first.json()["updated"]) == (1, 0)
    found = api.http.get("/v1/stock", params={"item": "04006381333931"}, headers=headers)
    assert found.status_code == 200
    units = rows(api, "SELECT u.uom, u.factor, u.gtin FROM item_uom u JOIN item i "
                      "ON i.id = u.item_id WHERE i.sku = 'NUT' ORDER BY u.factor")
    assert units == [("EA", 1, "04006381333931"), ("BOX", 50, "04012345000023")]
    again = api.http.post("/v1/items", json=[ITEM], headers=keyed(headers, "i-2"))
    assert (again.json()["created"], again.json()["unchanged"]) == (0, 1)


def test_a_bad_unit_is_named_by_item_row_and_unit_field(
        api: Api, headers: dict[str, str]) -> None:
    bad = {**ITEM, "units": [{"uom": "EA"}, {"uom": "BOX", "factor": 50,
                                              "gtin": "04012345000021"}]}
    good = {"sku": "WASHER", "description": "Washer", "base_uom": "EA"}
    response = api.http.post("/v1/items", json=[good, bad], headers=keyed(headers, "i-1"))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "units[1].gtin")]
    assert "check digit" in errors[0]["message"]
    assert rows(api, "SELECT sku FROM item WHERE sku IN ('NUT', 'WASHER')") == []


def test_partial_writes_the_clean_rows_and_reports_the_others(
        api: Api, headers: dict[str, str]) -> None:
    locations = [{"code": "B-01-01-1", "type": "reserve", "zone": "RES", "walk_seq": 100},
                 {"code": "B-01-02-1", "type": "shelf", "zone": "RES", "walk_seq": 110}]
    response = api.http.post("/v1/locations", params={"partial": True}, json=locations,
                             headers=keyed(headers, "l-1"))
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["imported"]) == (1, 1)
    assert [(e["row"], e["field"]) for e in body["errors"]] == [(2, "type")]
    assert rows(api, "SELECT code FROM location WHERE code LIKE 'B-%'") == [("B-01-01-1",)]


def test_users_are_upserted_without_pins(api: Api, headers: dict[str, str]) -> None:
    refused = api.http.post("/v1/users", json=[{"login": "op7", "pin": "1234"}],
                            headers=keyed(headers, "u-1"))
    assert refused.status_code == 422
    assert refused.json()["errors"][0] == {"row": 1, "field": "pin",
                                           "message": "Extra inputs are not permitted"}
    made = api.http.post("/v1/users", json=[{"login": "op7", "name": "Op Seven"},
                                            {"login": "OP1", "role": "supervisor"}],
                         headers=keyed(headers, "u-2"))
    assert made.status_code == 200
    assert (made.json()["created"], made.json()["updated"]) == (1, 1)
    assert made.json()["notes"] == []
    found = rows(api, "SELECT login, role, pin_hash FROM wms_user "
                      "WHERE login IN ('OP7', 'OP1') ORDER BY login")
    assert [(login, role) for login, role, _ in found] == [("OP1", "supervisor"),
                                                         ("OP7", "operator")]
    op1_hash = found[0][2]
    from tests.factories import FAST_PIN_HASH
    assert op1_hash == FAST_PIN_HASH
