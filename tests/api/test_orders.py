"""/v1/orders: exactly once per Idempotency-Key, refusals by row and field, untouched-only
changes, cancels, and reads of an order with its lines."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.api.conftest import Api, keyed
from wms_tui.api.clients import Scope
from wms_tui.domain import once


def outbound(reference: str = "SO-1", **extra: Any) -> dict[str, Any]:
    return {"reference": reference, "customer": "ACME", "ship_date": "2030-01-31",
            "lines": [{"line_no": 1, "sku": "WIDGET", "quantity": 2, "uom": "CS"},
                      {"line_no": 2, "sku": "BOLT", "quantity": 5}], **extra}


def order_rows(api: Api, table: str = "outbound_order") -> list[tuple[Any, ...]]:
    with api.site.engine.connect() as conn:
        return list(conn.execute(text(f"SELECT reference, status FROM {table}")))


class TestIdempotentCreate:
    def test_a_repeat_replays_the_first_answer_and_creates_nothing(
            self, api: Api, headers: dict[str, str]) -> None:
        first = api.http.post("/v1/orders/outbound", json=outbound(),
                              headers=keyed(headers, "k-1"))
        again = api.http.post("/v1/orders/outbound", json=outbound(),
                              headers=keyed(headers, "k-1"))
        assert first.status_code == 201
        assert first.json() == {"kind": "outbound", "reference": "SO-1", "status": "open",
                                "lines": 2, "created": True}
        assert "idempotent-replayed" not in first.headers
        assert (again.status_code, again.json()) == (201, first.json())
        assert again.headers["idempotent-replayed"] == "true"
        assert order_rows(api) == [("SO-1", "open")]

    def test_the_same_key_with_another_body_is_refused(
            self, api: Api, headers: dict[str, str]) -> None:
        api.http.post("/v1/orders/outbound", json=outbound(), headers=keyed(headers, "k-1"))
        other = api.http.post("/v1/orders/outbound", json=outbound(customer="OTHER"),
                              headers=keyed(headers, "k-1"))
        assert other.status_code == 422
        assert other.headers["content-type"] == "application/problem+json"
        assert other.json()["type"] == "/problems/idempotency-key-reused"
        detail = api.http.get("/v1/orders/outbound/SO-1", headers=headers).json()
        assert detail["party"] == "ACME"

    def test_a_key_is_per_client(self, api: Api, headers: dict[str, str]) -> None:
        other = api.key("erp2", Scope.ORDERS)
        api.http.post("/v1/orders/outbound", json=outbound(), headers=keyed(headers, "k-1"))
        second = api.http.post("/v1/orders/outbound", json=outbound("SO-2"),
                               headers=keyed(other, "k-1"))
        assert second.status_code == 201
        assert sorted(order_rows(api)) == [("SO-1", "open"), ("SO-2", "open")]

    def test_a_write_without_a_key_is_refused(self, api: Api, headers: dict[str, str]) -> None:
        response = api.http.post("/v1/orders/outbound", json=outbound(), headers=headers)
        assert response.status_code == 400
        assert response.json()["type"] == "/problems/idempotency-key"
        assert order_rows(api) == []

    def test_an_existing_reference_under_a_new_key_is_a_conflict(
            self, api: Api, headers: dict[str, str]) -> None:
        api.http.post("/v1/orders/outbound", json=outbound(), headers=keyed(headers, "k-1"))
        again = api.http.post("/v1/orders/outbound", json=outbound(),
                              headers=keyed(headers, "k-2"))
        assert again.status_code == 409
        assert again.json()["type"] == "/problems/order-exists"

    def test_every_write_is_in_the_audit_trail_with_its_client(
            self, api: Api, headers: dict[str, str]) -> None:
        api.http.post("/v1/orders/outbound", json=outbound(), headers=keyed(headers, "k-1"))
        api.http.post("/v1/orders/outbound", json=outbound(), headers=keyed(headers, "k-1"))
        rows = [(e.event, e.login, e.terminal) for e in api.site.audit.events()]
        assert rows == [("api_write", "SUP1", "api:erp")]

    def test_the_audit_row_commits_with_the_write_or_not_at_all(
            self, api: Api, headers: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
        # The audit log's own transactions are not used: a write cannot outlive its row.
        def unusable(rows: object) -> None:
            raise AssertionError("an API write's row goes in the write's transaction")

        monkeypatch.setattr(api.site.audit, "record_rows", unusable)
        api.http.post("/v1/orders/outbound", json=outbound(), headers=keyed(headers, "k-1"))
        assert [e.event for e in api.site.audit.events()] == ["api_write"]

        # A crash at the commit (after the work and the row) keeps neither.
        real = once.exactly_once

        def crashing_commit(uow: Any, *args: Any, **kwargs: Any) -> Any:
            def crash() -> None:
                raise RuntimeError("the process died at the commit")

            uow.commit = crash
            return real(uow, *args, **kwargs)

        monkeypatch.setattr("wms_tui.api.writes.exactly_once", crashing_commit)
        with TestClient(api.http.app, raise_server_exceptions=False) as http:
            failed = http.post("/v1/orders/outbound", json=outbound("SO-2"),
                               headers=keyed(headers, "k-2"))
        assert failed.status_code == 500
        assert order_rows(api) == [("SO-1", "open")]
        assert [e.event for e in api.site.audit.events()] == ["api_write"]


class TestRefusals:
    def test_a_bad_line_is_named_by_row_and_field_and_nothing_is_written(
            self, api: Api, headers: dict[str, str]) -> None:
        order = outbound()
        order["lines"][1]["sku"] = "NO-SUCH"
        order["lines"][0]["uom"] = "PALLET"
        response = api.http.post("/v1/orders/outbound", json=order,
                                 headers=keyed(headers, "k-1"))
        assert response.status_code == 422
        problem = response.json()
        assert problem["type"] == "/problems/validation"
        assert problem["status"] == 422
        fields = {(e["row"], e["field"]) for e in problem["errors"]}
        assert fields == {(1, "lines[0].uom"), (2, "lines[1].sku")}
        assert order_rows(api) == []

    def test_a_wrong_type_is_named_by_row_and_field(
            self, api: Api, headers: dict[str, str]) -> None:
        order = outbound()
        order["lines"][1]["quantity"] = "five"
        response = api.http.post("/v1/orders/outbound", json=order,
                                 headers=keyed(headers, "k-1"))
        assert response.status_code == 422
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
            (2, "lines[1].quantity")]

    def test_an_unknown_field_is_refused(self, api: Api, headers: dict[str, str]) -> None:
        response = api.http.post("/v1/orders/outbound", json=outbound(colour="red"),
                                 headers=keyed(headers, "k-1"))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "colour"

    def test_a_refused_write_is_not_stored_so_it_may_be_corrected(
            self, api: Api, headers: dict[str, str]) -> None:
        bad = outbound()
        bad["lines"][1]["sku"] = "NO-SUCH"
        api.http.post("/v1/orders/outbound", json=bad, headers=keyed(headers, "k-1"))
        fixed = api.http.post("/v1/orders/outbound", json=outbound(),
                              headers=keyed(headers, "k-1"))
        assert fixed.status_code == 201

    def test_an_oversized_body_is_refused_unread(self, tmp_path: Any) -> None:
        from tests.api.conftest import make_api
        from tests.conftest import fresh_sqlite_engine

        small = make_api(fresh_sqlite_engine(str(tmp_path / "wms.db")), tmp_path,
                         max_body=2048)
        api = next(small)
        try:
            headers = keyed(api.key("erp", Scope.ORDERS), "k-1")
            order = outbound(customer="x" * 80)
            order["lines"] = [{"line_no": n, "sku": "WIDGET", "quantity": 1}
                              for n in range(1, 200)]
            response = api.http.post("/v1/orders/outbound", json=order, headers=headers)
            assert response.status_code == 413
            assert response.json()["type"] == "/problems/too-large"
            assert order_rows(api) == []
        finally:
            small.close()


class TestChanges:
    def test_an_untouched_order_changes(self, api: Api, headers: dict[str, str]) -> None:
        api.http.post("/v1/orders/outbound", json=outbound(), headers=keyed(headers, "k-1"))
        changed = outbound(customer="ACME GmbH")
        changed["lines"][1]["quantity"] = 9
        response = api.http.put("/v1/orders/outbound/so-1", json=changed,
                                headers=keyed(headers, "k-2"))
        assert response.status_code == 200
        detail = api.http.get("/v1/orders/outbound/SO-1", headers=headers).json()
        assert detail["party"] == "ACME GmbH"
        assert [ln["ordered"] for ln in detail["lines"]] == [24, 9]

    def test_a_change_may_not_drop_a_line(self, api: Api, headers: dict[str, str]) -> None:
        api.http.post("/v1/orders/outbound", json=outbound(), headers=keyed(headers, "k-1"))
        shorter = outbound()
        shorter["lines"] = shorter["lines"][:1]
        response = api.http.put("/v1/orders/outbound/SO-1", json=shorter,
                                headers=keyed(headers, "k-2"))
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "lines"

    def test_a_cancelled_order_no_longer_changes(
            self, api: Api, headers: dict[str, str]) -> None:
        api.http.post("/v1/orders/outbound", json=outbound(), headers=keyed(headers, "k-1"))
        cancelled = api.http.post("/v1/orders/outbound/SO-1/cancel", json={"reason": "dup"},
                                  headers=keyed(headers, "k-2"))
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        response = api.http.put("/v1/orders/outbound/SO-1", json=outbound(),
                                headers=keyed(headers, "k-3"))
        assert response.status_code == 409
        assert response.json()["type"] == "/problems/order-touched"
        assert order_rows(api) == [("SO-1", "cancelled")]
        events = [(e.event, e.terminal) for e in api.site.audit.events()]
        assert ("cancel", "api:erp") in events

    def test_an_inbound_order_is_created_read_and_cancelled(
            self, api: Api, headers: dict[str, str]) -> None:
        order = {"reference": "PO-7", "supplier": "Parts Ltd", "expected_date": "2030-02-01",
                 "lines": [{"line_no": 1, "sku": "MILK", "quantity": 10, "lot": "L1",
                            "expiry": "2030-06-30", "tolerance_pct": 5}]}
        created = api.http.post("/v1/orders/inbound", json=order, headers=keyed(headers, "i1"))
        assert created.status_code == 201
        detail = api.http.get("/v1/orders/inbound/PO-7", headers=headers).json()
        assert (detail["party"], detail["status"], detail["lines"][0]["lot"],
                detail["lines"][0]["expiry"]) == ("Parts Ltd", "open", "L1", "2030-06-30")
        cancel = api.http.post("/v1/orders/inbound/PO-7/cancel", json={},
                               headers=keyed(headers, "i2"))
        assert cancel.json()["status"] == "cancelled"
        assert order_rows(api, "inbound_order") == [("PO-7", "cancelled")]
        shown = api.http.get("/v1/orders/inbound/PO-7", headers=headers).json()
        assert shown["status"] == "cancelled"

    def test_a_bad_expiry_is_refused_by_row_and_field(
            self, api: Api, headers: dict[str, str]) -> None:
        order = {"reference": "PO-8", "lines": [
            {"line_no": 1, "sku": "MILK", "quantity": 1, "expiry": "2030-06-30"},
            {"line_no": 2, "sku": "MILK", "quantity": 1, "expiry": "2030-02-30"}]}
        response = api.http.post("/v1/orders/inbound", json=order, headers=keyed(headers, "i3"))
        assert response.status_code == 422
        assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
            (2, "lines[1].expiry")]
        assert order_rows(api, "inbound_order") == []

    def test_an_order_read_needs_no_write_scope(self, api: Api, headers: dict[str, str]) -> None:
        api.http.post("/v1/orders/outbound", json=outbound(), headers=keyed(headers, "k-1"))
        reader = api.key("reader", Scope.READ)
        listed = api.http.get("/v1/orders/outbound", headers=reader)
        assert [o["reference"] for o in listed.json()] == ["SO-1"]
        missing = api.http.get("/v1/orders/outbound/SO-9", headers=reader)
        assert missing.status_code == 404
        assert missing.json()["type"] == "/problems/not-found"



class TestCancelOnce:
    def cancel(self, api: Api, headers: dict[str, str], key: str,
               path: str = "/v1/orders/outbound/SO-1/cancel") -> Any:
        return api.http.post(path, json={"reason": "dup"}, headers=keyed(headers, key))

    def cancel_rows(self, api: Api) -> list[str]:
        return [e.detail for e in api.site.audit.events() if e.event == "cancel"]

    def test_the_same_key_replays_and_a_new_key_is_refused_as_cancelled_already(
            self, api: Api, headers: dict[str, str]) -> None:
        api.http.post("/v1/orders/outbound", json=outbound(), headers=keyed(headers, "k-1"))
        first = self.cancel(api, headers, "c-1")
        again = self.cancel(api, headers, "c-1")
        assert (first.status_code, first.json()["status"]) == (200, "cancelled")
        assert (again.status_code, again.json()) == (200, first.json())
        assert again.headers["idempotent-replayed"] == "true"
        later = self.cancel(api, headers, "c-2")
        assert later.status_code == 409
        assert "idempotent-replayed" not in later.headers
        assert (later.json()["type"], later.json()["detail"]) == (
            "/problems/refused", "order SO-1 is cancelled: nothing to cancel")
        # Another client's first cancel of it is refused the same way, not given c-1's answer.
        other = self.cancel(api, api.key("erp2", Scope.ORDERS), "c-1")
        assert (other.status_code, other.json()["type"]) == (409, "/problems/refused")
        assert self.cancel_rows(api) == ["order SO-1: 0 task(s) cancelled, 0 released; reason: dup"]
        assert order_rows(api) == [("SO-1", "cancelled")]

    def test_an_inbound_cancel_under_a_new_key_is_refused_too(
            self, api: Api, headers: dict[str, str]) -> None:
        order = {"reference": "PO-7", "lines": [{"line_no": 1, "sku": "MILK", "quantity": 1}]}
        api.http.post("/v1/orders/inbound", json=order, headers=keyed(headers, "i1"))
        path = "/v1/orders/inbound/PO-7/cancel"
        first = self.cancel(api, headers, "c-1", path)
        again = self.cancel(api, headers, "c-1", path)
        later = self.cancel(api, headers, "c-2", path)
        assert [r.status_code for r in (first, again, later)] == [200, 200, 409]
        assert again.json() == first.json()
        assert later.json()["detail"] == "order PO-7 is cancelled: nothing to cancel"
        assert self.cancel_rows(api) == ["inbound order PO-7: cancelled; reason: dup"]
