"""The committed contract, docs/openapi.json, is the document the code serves: a change to an
endpoint fails here until the file is regenerated and the diff is reviewed."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from fastapi.testclient import TestClient

from tests.api.conftest import Api
from wms_tui.api.openapi import COMMAND, document, render

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_committed_document_is_the_one_the_code_makes() -> None:
    made = render(document())
    committed = COMMITTED.read_text(encoding="utf-8") if COMMITTED.exists() else ""
    if made != committed:
        diff = "".join(list(difflib.unified_diff(
            committed.splitlines(keepends=True), made.splitlines(keepends=True),
            "docs/openapi.json (committed)", "the code's document", n=1))[:60])
        raise AssertionError(f"docs/openapi.json is out of date; run: {COMMAND} "
                             f"(or `wms api openapi --out docs/openapi.json`) to update\n{diff}")


def test_the_generator_is_deterministic_and_ends_in_a_newline() -> None:
    first, second = render(document()), render(document())
    assert first == second
    assert first.endswith("}\n") and not first.endswith("\n\n")
    assert list(json.loads(first)) == sorted(json.loads(first))


def test_the_served_document_is_the_generated_one(api: Api) -> None:
    http: TestClient = api.http
    assert http.get("/openapi.json").json() == document()
