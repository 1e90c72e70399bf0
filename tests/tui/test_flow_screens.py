"""Every step of every RF flow, as text, at 16x20, 8x40 and 24x80.

Each flow is walked through the real RfApp on a small warehouse (tests/tui/flow_walks.py): its
steps, one refusal (a wrong scan, with the message that names the fix) and the F1 help. The
screen after every action is compared, exactly, with tests/tui/__screens__/<flow>/<size>.txt,
one file per flow and size holding the screens in order, each under a `=== n step <- action`
line. A missing file fails.

After a change to the screens, rewrite the files and read the diff before committing it:

    .venv/bin/python -m pytest tests/tui/test_flow_screens.py --screens-update

(The option is defined in tests/tui/conftest.py, so the command must name a path under tests/tui.)
A new step in a flow's step enum fails `test_every_step_has_a_screen` until a walk reaches it.
"""

from __future__ import annotations

import difflib
import enum
import re
from pathlib import Path
from typing import Any, get_args

import pytest

from tests.tui.flow_walks import FLOWS, UNREACHABLE, Shot, walk
from tests.tui.helpers import SIZES, Site
from wms_tui.domain.flows.registry import default_flows

SCREENS = Path(__file__).parent / "__screens__"
REPO = Path(__file__).parents[2]
UPDATE = "pytest tests/tui/test_flow_screens.py --screens-update"
SIZE_IDS = [f"{rows}x{cols}" for cols, rows in SIZES]
HEADER = re.compile(r"^=== \d+ (\w+) <- ", re.MULTILINE)
# A changed layout can change every row: the failure shows the start of the diff.
DIFF_LINES = 200


def expected_file(flow: str, size_id: str) -> Path:
    return SCREENS / flow / f"{size_id}.txt"


def as_text(shots: list[Shot]) -> str:
    """The screens in order, each under its header; blank rows kept, so the height shows."""
    blocks = [f"=== {n:02d} {shot.where} <- {shot.action}\n{shot.text}"
              for n, shot in enumerate(shots, start=1)]
    return "\n".join(blocks) + "\n"


def step_enum(flow: str) -> type[enum.StrEnum]:
    """The flow's step StrEnum, the second type argument of its Flow base."""
    for base in getattr(FLOWS[flow].flow, "__orig_bases__", ()):
        step = get_args(base)[-1] if get_args(base) else None
        if isinstance(step, type) and issubclass(step, enum.StrEnum):
            return step
    raise AssertionError(f"no step enum found for {flow}")


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_flow_screens(request: pytest.FixtureRequest, site: Site, flow: str,
                      size: tuple[int, int]) -> None:
    size_id = f"{size[1]}x{size[0]}"
    actual = as_text(walk(site, flow, size))
    path = expected_file(flow, size_id)
    if request.config.getoption("--screens-update", default=False):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"No expected screens at {path.relative_to(REPO)}: create them with "
                    f"`{UPDATE}`, then read them before committing.", pytrace=False)
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = list(difflib.unified_diff(
            expected.splitlines(keepends=True), actual.splitlines(keepends=True),
            fromfile=f"{flow}/{path.name} (committed)", tofile=f"{flow}/{path.name} (now)"))
        more = f"... {len(diff) - DIFF_LINES} more diff lines\n" if len(diff) > DIFF_LINES else ""
        pytest.fail(f"The {flow} screens at {size_id} changed. If that is meant, run "
                    f"`{UPDATE}` and review the diff.\n{''.join(diff[:DIFF_LINES])}{more}",
                    pytrace=False)


@pytest.mark.parametrize("size_id", SIZE_IDS)
@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_every_step_has_a_screen(flow: str, size_id: str) -> None:
    """Every member of the flow's step enum is on a committed screen, or listed unreachable."""
    path = expected_file(flow, size_id)
    assert path.exists(), f"no expected screens at {path}: run `{UPDATE}`"
    shown = set(HEADER.findall(path.read_text(encoding="utf-8")))
    steps = {str(member) for member in step_enum(flow)}
    unreachable = set(UNREACHABLE.get(flow, {}))
    assert unreachable <= steps, f"{flow}: unreachable steps not in the enum"
    assert steps - unreachable - shown == set(), f"{flow} steps without a screen at {size_id}"
    assert shown <= steps, f"{flow}: screens of steps not in the enum"


def test_every_menu_flow_is_walked() -> None:
    flows: dict[str, Any] = {spec.name: spec for spec in default_flows() if spec.factory}
    assert set(flows) == set(FLOWS)
