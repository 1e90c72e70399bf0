"""/v1/events by cursor with long-poll, and the stock, movement and count reads."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import httpx
from sqlalchemy import event

from tests.api.conftest import Api
from wms_tui.api.feed import FeedWatch
from wms_tui.domain import counting
from wms_tui.domain.model import StockStatus


class TestEventFeed:
    def test_events_come_once_each_by_cursor(self, api: Api, headers: dict[str, str]) -> None:
        api.receive(api.wh.widget, 5, api.wh.dock)
        api.receive(api.wh.heavy, 7, api.wh.dock)
        first = api.http.get("/v1/events", params={"limit": 1}, headers=headers).json()
        assert [(e["event"], e["sku"], e["quantity"]) for e in first["events"]] == [
            ("receipt", "WIDGET", 5)]
        second = api.http.get("/v1/events", params={"cursor": first["cursor"]},
                              headers=headers).json()
        assert [e["sku"] for e in second["events"]] == ["BOLT"]
        third = api.http.get("/v1/events", params={"cursor": second["cursor"]},
                             headers=headers).json()
        assert third == {"cursor": second["cursor"], "events": [], "warnings": []}

    def test_a_long_poll_returns_when_an_event_arrives(
            self, api: Api, headers: dict[str, str]) -> None:
        start = api.http.get("/v1/events", headers=headers).json()["cursor"]
        watch: FeedWatch = api.http.app.state.feed  # type: ignore[attr-defined]
        answers: list[httpx.Response] = []
        waiter = threading.Thread(target=lambda: answers.append(api.http.get(
            "/v1/events", params={"cursor": start, "wait": 30}, headers=headers)))
        waiter.start()
        # The request is waiting and has found nothing before the receipt is posted.
        assert watch.wait_for(waiting=1, empty_reads=1)
        api.receive(api.wh.widget, 3, api.wh.dock)
        waiter.join(timeout=30)
        assert not waiter.is_alive()
        events = answers[0].json()["events"]
        assert [(e["event"], e["sku"], e["quantity"]) for e in events] == [
            ("receipt", "WIDGET", 3)]
        assert watch.waiting == 0

    def test_a_foreign_cursor_is_a_problem(self, api: Api, headers: dict[str, str]) -> None:
        response = api.http.get("/v1/events", params={"cursor": "abcdefabcdef.0.99"},
                                headers=headers)
        assert response.status_code == 422
        assert "epoch" in response.json()["detail"]

    def test_the_wait_is_bounded(self, api: Api, headers: dict[str, str]) -> None:
        response = api.http.get("/v1/events", params={"wait": 3600}, headers=headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "wait"


class TestStock:
    def test_stock_by_item_location_lot_and_status(
            self, api: Api, headers: dict[str, str]) -> None:
        api.receive(api.wh.widget, 5, api.wh.dock)
        api.receive(api.wh.lotted, 4, api.wh.a1, lot="L1", expiry=date(2031, 1, 1))
        api.receive(api.wh.lotted, 6, api.wh.a1, lot="L2", expiry=date(2031, 2, 1),
                    status=StockStatus.QC_HOLD)

        def stock(**params: Any) -> list[tuple[str, str, str | None, str, int]]:
            rows = api.http.get("/v1/stock", params=params, headers=headers).json()
            return [(r["sku"], r["location"], r["lot"], r["status"], r["quantity"])
                    for r in rows]

        assert len(stock()) == 3
        assert stock(item="SUP-W-1") == [("WIDGET", "DOCK-1", None, "available", 5)]
        assert stock(location="A-01-01-1", lot="L2") == [
            ("MILK", "A-01-01-1", "L2", "qc_hold", 6)]
        assert stock(status="available", item="MILK") == [
            ("MILK", "A-01-01-1", "L1", "available", 4)]
        unknown = api.http.get("/v1/stock", params={"item": "NOPE"}, headers=headers)
        assert unknown.status_code == 422

    def test_movements_page_by_id(self, api: Api, headers: dict[str, str]) -> None:
        for quantity in (1, 2, 3):
            api.receive(api.wh.widget, quantity, api.wh.dock)
        first = api.http.get("/v1/movements", params={"limit": 2}, headers=headers).json()
        assert [m["quantity"] for m in first["movements"]] == [1, 2]
        rest = api.http.get("/v1/movements", params={"after_id": first["next_after_id"]},
                            headers=headers).json()
        assert [m["quantity"] for m in rest["movements"]] == [3]
        assert rest["movements"][0]["user"] == "ADM1"

    def test_a_movement_page_is_cut_by_the_query(self, api: Api, headers: dict[str, str]) -> None:
        """The database reads one page: ids after the cursor, as many as asked."""
        for quantity in (1, 2, 3, 4, 5):
            api.receive(api.wh.widget if quantity != 3 else api.wh.heavy, quantity, api.wh.dock)
        statements: list[tuple[str, Any]] = []

        def seen(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            if "FROM movement" in statement:
                statements.append((statement, parameters))

        event.listen(api.site.engine, "before_cursor_execute", seen)
        try:
            page = api.http.get("/v1/movements", params={"after_id": 1, "limit": 2,
                                                         "item": "WIDGET"}, headers=headers)
        finally:
            event.remove(api.site.engine, "before_cursor_execute", seen)
        assert [m["quantity"] for m in page.json()["movements"]] == [2, 4]
        assert page.json()["next_after_id"] == page.json()["movements"][-1]["id"]
        [(statement, _)] = statements
        assert "LIMIT" in statement.upper() and "movement.id >" in statement
        end = api.http.get("/v1/movements", params={"after_id": page.json()["next_after_id"]},
                           headers=headers).json()
        assert [m["quantity"] for m in end["movements"]] == [5]
        empty = api.http.get("/v1/movements", params={"after_id": end["next_after_id"]},
                             headers=headers).json()
        assert empty == {"movements": [], "next_after_id": end["next_after_id"]}

    def test_count_tasks_are_listed(self, api: Api, headers: dict[str, str]) -> None:
        api.receive(api.wh.widget, 5, api.wh.a1)
        counting.request_count(api.site.uow_factory, api.wh.supervisor, location="A-01-01-1")
        tasks = api.http.get("/v1/counts", headers=headers).json()
        assert [(t["location"], t["status"]) for t in tasks] == [("A-01-01-1", "open")]
        assert api.http.get("/v1/counts/variances", headers=headers).json() == []
