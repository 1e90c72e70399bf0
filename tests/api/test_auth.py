"""Bearer keys, scopes and the per-client rate limit, each refusal a problem document."""

from __future__ import annotations

import json
import stat

from tests.api.conftest import Api, keyed
from wms_tui.api.clients import Scope


def test_no_key_is_a_401_problem(api: Api) -> None:
    response = api.http.get("/v1/stock")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["type"] == "/problems/unauthorized"


def test_a_wrong_key_is_refused(api: Api) -> None:
    api.key("erp", Scope.READ)
    response = api.http.get("/v1/stock", headers={"Authorization": "Bearer wms_not-a-key"})
    assert response.status_code == 401


def test_a_revoked_key_is_refused_at_once(api: Api) -> None:
    headers = api.key("erp", Scope.READ)
    assert api.http.get("/v1/stock", headers=headers).status_code == 200
    api.book.revoke("erp")
    assert api.http.get("/v1/stock", headers=headers).status_code == 401


def test_a_key_without_the_scope_is_403_and_changes_nothing(api: Api) -> None:
    reader = api.key("reader", Scope.READ)
    order = {"reference": "SO-1", "lines": [{"line_no": 1, "sku": "WIDGET", "quantity": 1}]}
    response = api.http.post("/v1/orders/outbound", json=order, headers=keyed(reader, "k"))
    assert response.status_code == 403
    assert response.json()["type"] == "/problems/scope"
    assert "orders" in response.json()["detail"]
    admin = api.key("admin", Scope.ADMIN)
    assert api.http.get("/v1/orders/outbound", headers=admin).json() == []


def test_the_rate_limit_answers_429_with_retry_after_until_tokens_return(api: Api) -> None:
    headers = api.key("busy", Scope.READ, rate=2, burst=3)
    codes = [api.http.get("/v1/stock", headers=headers).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    refused = api.http.get("/v1/stock", headers=headers)
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["type"] == "/problems/rate-limited"
    other = api.key("quiet", Scope.READ)
    assert api.http.get("/v1/stock", headers=other).status_code == 200
    api.clock.now += 0.5
    assert api.http.get("/v1/stock", headers=headers).status_code == 200
    assert api.http.get("/v1/stock", headers=headers).status_code == 429


def test_keys_are_stored_only_as_hashes_in_a_private_file(api: Api) -> None:
    headers = api.key("erp", Scope.READ)
    key = headers["Authorization"].split()[1]
    stored = api.book.path.read_text()
    assert key not in stored
    assert json.loads(stored)["clients"][0]["key_hash"]
    assert stat.S_IMODE(api.book.path.stat().st_mode) == 0o600


def test_health_needs_no_key(api: Api) -> None:
    assert api.http.get("/v1/health").json()["status"] == "ok"
