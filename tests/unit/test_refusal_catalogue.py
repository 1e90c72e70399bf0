"""Every refusal an RF flow shows an operator says what to do next.

The catalogue is read from the flows' source: each exception raised with a translatable
message (N_) in wms_tui/domain/flows, the quantity refusal they share (units.read_quantity),
and the refusals of the services they pass on unchanged (a scan's cleaning, the pack flow's
location check, a picked lot, a short).
A message without one of the action words below names the problem only, and the operator is
left guessing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import wms_tui.domain.flows as flows_package
from wms_tui.domain import scan, units
from wms_tui.domain.outbound import picking, shorts
from wms_tui.domain.shipping import common

FLOWS = Path(flows_package.__file__).parent
# Words that tell the operator what to do: scan, key, go, take… (Esc and Enter are keys).
ACTIONS = {"scan", "key", "take", "go", "finish", "count", "call", "tell", "set", "use",
           "enter", "esc", "rescan"}
REFUSALS = {"ScanRejected", "BadInput", "InvalidQuantity", "PermissionDenied", "SerialNotHere",
            "SerialInStock", "WmsError", "NotFound"}


def raised_messages(path: Path, only: str | None = None) -> list[tuple[int, str]]:
    """(line, msgid) of every refusal constructed with an N_ message in the file (in the
    function named only, when given)."""
    tree: ast.AST = ast.parse(path.read_text(), str(path))
    if only is not None:
        tree = next(node for node in ast.walk(tree)
                    if isinstance(node, ast.FunctionDef) and node.name == only)
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in REFUSALS and node.args):
            continue
        first = node.args[0]
        for candidate in ast.walk(first):
            if (isinstance(candidate, ast.Call) and isinstance(candidate.func, ast.Name)
                    and candidate.func.id == "N_" and candidate.args
                    and isinstance(candidate.args[0], ast.Constant)):
                found.append((node.lineno, str(candidate.args[0].value)))
    return found


def catalogue() -> dict[str, list[str]]:
    """Every refusal message, with where it is raised."""
    messages: dict[str, list[str]] = {}
    sources: list[tuple[Path, str | None]] = [(path, None) for path in sorted(FLOWS.glob("*.py"))]
    # The flows read a keyed quantity through units.read_quantity, which refuses with this.
    sources.append((Path(units.__file__), units.not_a_quantity.__name__))
    # Refusals the flows pass on from the services they call, as the screen shows them.
    sources += [(Path(scan.__file__), scan.normalize_scan.__name__),
                (Path(common.__file__), common.location_of.__name__),
                (Path(picking.__file__), picking.check_substitute.__name__),
                (Path(shorts.__file__), "_short_once")]
    for path, only in sources:
        for line, msgid in raised_messages(path, only):
            messages.setdefault(msgid, []).append(f"{path.name}:{line}")
    return messages


def has_action(message: str) -> bool:
    words = {w.lower() for w in re.findall(r"[A-Za-z]+", re.sub(r"\{\w+\}", " ", message))}
    return bool(words & ACTIONS)


def test_the_catalogue_holds_every_refusal_of_the_flows() -> None:
    found = catalogue()
    # Spot checks from several flows, so a parser that finds nothing cannot pass.
    for message in ("Scan a location, not {scan}", "Wrong item: take {sku}",
                    "Key a quantity", "{serial} scanned twice: scan next",
                    "Over receipt: key {room} at most"):
        assert message in found, sorted(found)
    assert len(found) >= 50


@pytest.mark.parametrize("message", sorted(catalogue()))
def test_every_refusal_says_what_to_do_next(message: str) -> None:
    assert has_action(message), f"{message!r} ({', '.join(catalogue()[message])}) names no " \
        f"next action: add one of {sorted(ACTIONS)}"


@pytest.mark.parametrize(("message", "ok"), [
    ("Not a location: {scan}", False), ("Wrong location: go to {loc}", True),
    ("No order {scan}", False), ("Key 1 or 2", True), ("Unknown lot {lot}", False),
])
def test_the_rule_tells_a_bare_complaint_from_an_instruction(message: str, ok: bool) -> None:
    assert has_action(message) is ok
