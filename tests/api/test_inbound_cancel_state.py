"""An inbound order with units received is refused a cancel as a conflict with its state (409),
as the API's problem table says, not as a bad request (422)."""

from __future__ import annotations

from sqlalchemy import text

from tests.api.conftest import Api, keyed
from wms_tui.domain.inbound import ReceiveLine, receive_line
from wms_tui.domain.stock import new_confirmation_key


def test_a_cancel_of_an_order_with_units_received_is_a_conflict(
        api: Api, headers: dict[str, str]) -> None:
    order = {"reference": "PO-9", "lines": [{"line_no": 1, "sku": "WIDGET", "quantity": 10}]}
    created = api.http.post("/v1/orders/inbound", json=order, headers=keyed(headers, "i1"))
    assert created.status_code == 201
    with api.site.engine.connect() as conn:
        order_id = conn.execute(text("SELECT id FROM inbound_order WHERE reference = 'PO-9'"))
        order_id = order_id.scalar_one()
    receive_line(api.site.uow_factory, api.wh.operator,
                 ReceiveLine(api.wh.widget, 4, order_id=order_id), new_confirmation_key())
    refused = api.http.post("/v1/orders/inbound/PO-9/cancel", json={},
                            headers=keyed(headers, "c-1"))
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    assert (refused.json()["type"], refused.json()["detail"]) == (
        "/problems/refused", "order PO-9 has 4 unit(s) received: it cannot be cancelled")
    detail = api.http.get("/v1/orders/inbound/PO-9", headers=headers).json()
    assert detail["status"] == "receiving"
