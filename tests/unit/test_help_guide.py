"""F1 help and the operator guide say the same thing: every step of every flow has help, the
help is quoted word for word in docs/operator-guide.md, and it fits the smallest screens."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from tests.flow_fakes import OPERATOR, FakeServices
from wms_tui.domain.flows.base import AnyFlow, no_translation
from wms_tui.domain.flows.registry import FlowSpec, default_flows

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operator-guide.md"
STEP_FLOWS = [spec for spec in default_flows() if spec.factory is not None]
# Inquiry reads every input in one handler; its two steps are the scan and the result pages.
STEPS_WITHOUT_HANDLERS = {"inquiry": {"scan", "result"}}
# F1 shows the help between the header and a footer line: 14 rows of 20, or 6 rows of 40.
SCREENS = {20: 14, 40: 6}


def flow_of(spec: FlowSpec) -> AnyFlow:
    return spec.build(OPERATOR, FakeServices(), no_translation)


def steps_of(flow: AnyFlow) -> set[str]:
    """The steps a flow has: each one that takes input has an _on_<step> handler."""
    handlers = {name.removeprefix("_on_") for name in dir(type(flow)) if name.startswith("_on_")}
    return handlers or STEPS_WITHOUT_HANDLERS[flow.name]


def plain(text: str) -> str:
    """Markdown code marks off and whitespace runs as one space: what the reader sees."""
    return " ".join(text.replace("`", "").split())


def guide_section(spec: FlowSpec) -> str:
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(rf"^## {spec.key} {re.escape(spec.title)}\b.*?(?=^## |\Z)", text,
                      re.MULTILINE | re.DOTALL)
    assert match, f"operator guide has no '## {spec.key} {spec.title}' section"
    return match.group(0)


def guide_help(spec: FlowSpec) -> dict[str, str]:
    """The section's step table: step name -> its F1 help column."""
    rows: dict[str, str] = {}
    in_table = False
    for line in guide_section(spec).splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| step | prompt | F1 help |"):
            in_table = True
        elif not line.startswith("|"):
            in_table = False
        elif in_table and not set(cells[0]) <= set("-"):
            assert len(cells) == 3, f"{spec.name}: a step row needs 3 cells: {line}"
            assert cells[0] not in rows, f"{spec.name}: step {cells[0]} is in the table twice"
            rows[cells[0]] = plain(cells[2])
    return rows


@pytest.mark.parametrize("spec", STEP_FLOWS, ids=lambda spec: spec.name)
def test_every_step_has_help(spec: FlowSpec) -> None:
    flow = flow_of(spec)
    assert set(type(flow).HELP) == steps_of(flow)
    assert all(text.strip() for text in type(flow).HELP.values())


@pytest.mark.parametrize("spec", STEP_FLOWS, ids=lambda spec: spec.name)
def test_f1_shows_the_help_of_the_step(spec: FlowSpec) -> None:
    flow = flow_of(spec)
    step = flow.current()
    assert step.help == type(flow).HELP[flow.first_step()]
    translated = spec.build(OPERATOR, FakeServices(), lambda text: f"<{text}>")
    assert translated.current().help == f"<{step.help}>"


@pytest.mark.parametrize("spec", STEP_FLOWS, ids=lambda spec: spec.name)
def test_operator_guide_quotes_every_help_word_for_word(spec: FlowSpec) -> None:
    in_code = {step: plain(text) for step, text in type(flow_of(spec)).HELP.items()}
    assert guide_help(spec) == in_code


@pytest.mark.parametrize("spec", STEP_FLOWS, ids=lambda spec: spec.name)
def test_help_fits_the_smallest_screens(spec: FlowSpec) -> None:
    for step, text in type(flow_of(spec)).HELP.items():
        for width, rows in SCREENS.items():
            lines = textwrap.wrap(text, width)
            assert len(lines) <= rows, f"{spec.name}/{step} needs {len(lines)} rows at {width}"

