"""The OpenAPI document, fuzzed: schemathesis generates requests for every operation from
/openapi.json and sends them to the app in-process (ASGI, no network), with a key holding
every scope. No answer may be a 5xx, and every answer must match the document: its status
codes, content types and response schemas."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import Api

EXAMPLES = 12
CHECKS: list[Callable[..., Any]] = [not_a_server_error, status_code_conformance,
                                    content_type_conformance, response_schema_conformance]


def test_no_operation_answers_5xx_or_off_its_schema(api: Api, headers: dict[str, str]) -> None:
    api.receive(api.wh.widget, 5, api.wh.dock)
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.http.app)
    keys = itertools.count()
    results = list(schema.get_all_operations())
    operations = [result.ok() for result in results if isinstance(result, Ok)]
    assert len(operations) == len(results)
    assert len(operations) >= 15
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                  suppress_health_check=list(HealthCheck),
                  phases=[Phase.explicit, Phase.generate])
        def fuzz(case: Any) -> None:
            # Fuzzed keys and bodies must not exhaust the rate; the limiter is tested apart.
            api.clock.now += 60
            response = case.call(headers={**headers, "Idempotency-Key": f"fz-{next(keys)}"})
            case.validate_response(response, checks=CHECKS)

        fuzz()
