"""The OpenAPI document as committed in docs/openapi.json, written the same way every time.

Run `python -m wms_tui.api.openapi > docs/openapi.json` (or `wms api openapi --out
docs/openapi.json`) after changing an endpoint; a test fails while the two differ.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

COMMAND = "python -m wms_tui.api.openapi > docs/openapi.json"


def document() -> dict[str, Any]:
    """The document the code serves at /openapi.json, built on a database never connected to."""
    from wms_tui.api.app import create_app
    from wms_tui.api.clients import ClientBook
    from wms_tui.bootstrap import wire

    site = wire("sqlite://", pooled=False)
    try:
        found: dict[str, Any] = create_app(site, ClientBook(Path("/nonexistent/clients.json"))
                                           ).openapi()
        return found
    finally:
        site.close()


def render(doc: dict[str, Any]) -> str:
    """Sorted keys, two-space indent, plain ASCII and a final newline: a stable diff."""
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


def main() -> None:
    sys.stdout.write(render(document()))


if __name__ == "__main__":
    main()
