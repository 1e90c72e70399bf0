"""Weights: a value and its unit from a GS1 weight AI or a scale's continuous ASCII output.

A scale line is read by `parse_scale_line`; `StableWeightWatch` takes the lines one by one and
answers the first stable weight (or N equal ones in a row), refusing a negative or overloaded
scale. Both are pure: the I/O that brings the lines lives in `wms_tui/scale.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from wms_tui.domain.errors import N_, WmsError
from wms_tui.domain.text import shown

WeightUnit = Literal["kg", "g", "lb"]
WeightBasis = Literal["net", "gross"]
ScaleState = Literal["stable", "moving", "overload", "underload"]
ScaleFormat = Literal["a&d", "sics", "plain"]

# Exact by definition (international yard and pound agreement, 1959).
KG_PER_LB = Decimal("0.45359237")
_KG_PER_UNIT: dict[WeightUnit, Decimal] = {"kg": Decimal(1), "g": Decimal("0.001"),
                                           "lb": KG_PER_LB}

# GS1 weight AIs by their first three digits; the fourth is the number of decimals.
GS1_WEIGHT_AIS: dict[str, tuple[WeightUnit, WeightBasis]] = {
    "310": ("kg", "net"),
    "320": ("lb", "net"),
    "330": ("kg", "gross"),
    "340": ("lb", "gross"),
}


class ScaleError(WmsError):
    """The scale gave no weight that can be used; the message says what to do at the scale."""


@dataclass(frozen=True)
class Weight:
    """A weight as measured or labelled; basis is None when the source does not say."""

    value: Decimal
    unit: WeightUnit
    basis: WeightBasis | None = None

    def __str__(self) -> str:
        # Fixed-point, so a label's "0.000001" never prints as "1E-6".
        return f"{self.value:f} {self.unit}"

    def in_kg(self) -> Decimal:
        """The value in kilograms, exactly (a pound is 0.45359237 kg by definition)."""
        return self.value * _KG_PER_UNIT[self.unit]


def gs1_weight(ai: str, value: Decimal) -> Weight | None:
    """The weight an AI's decoded value stands for, None when the AI is not a weight AI."""
    meaning = GS1_WEIGHT_AIS.get(ai[:3]) if len(ai) == 4 else None
    if meaning is None:
        return None
    unit, basis = meaning
    return Weight(value, unit, basis)


@dataclass(frozen=True)
class ScaleReading:
    """One line of scale output; weight is None when the scale shows no value (over/underload)."""

    state: ScaleState
    weight: Weight | None
    format: ScaleFormat

    @property
    def stable(self) -> bool:
        return self.state == "stable"


# Only 0-9 are digits: \d would take other scripts' digits, which no scale sends.
_NUMBER = r"(?P<sign>[+-])?\s*(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_UNIT = r"(?P<unit>[A-Za-z%]+)"
# A&D (and CAS, which copied it): "ST,GS,+  1.234kg"; the gross/net field is optional.
_AD = re.compile(
    rf"(?P<head>ST|US|QT)\s*,\s*(?:(?P<basis>GS|NT|TR)\s*,\s*)?(?:{_NUMBER}\s*{_UNIT}?)?\s*"
)
# Mettler Toledo SICS answers to S, SI and SIR: "S S      1.234 kg", "S D", "S +", "S -".
_SICS = re.compile(rf"S\s+(?P<status>[SD])\s+{_NUMBER}\s*{_UNIT}")
_SICS_LIMIT = re.compile(r"S\s+(?P<status>[+-])")
# A bare value with a unit and optional marks: "+001.234 kg", "  1.234 kg  ?", "1.234 kg G".
_PLAIN = re.compile(rf"{_NUMBER}\s*{_UNIT}(?P<marks>(?:\s+[A-Za-z?]+)*)")
_PLAIN_LIMIT = re.compile(r"[+-]?\s*(?P<limit>OL|OVER|OVERLOAD|UL|UNDER|UNDERLOAD)")
_MOVING_MARKS = frozenset({"?", "M", "US", "MOTION"})
_BASIS_MARKS: dict[str, WeightBasis] = {"G": "gross", "GS": "gross", "N": "net", "NT": "net"}
_AD_BASIS: dict[str, WeightBasis] = {"GS": "gross", "NT": "net"}
_UNITS: dict[str, WeightUnit] = {"kg": "kg", "g": "g", "lb": "lb", "lbs": "lb"}
# Other units scales display; a headerless line in any other "unit" is noise, not a weight.
_OTHER_SCALE_UNITS = frozenset({"oz", "ozt", "t", "ct", "dwt", "gn", "tl", "mom", "pcs", "pc", "%"})
# Framing some scales add around a line (STX, ETX, NUL) and the line ends themselves.
_FRAMING = "\x00\x02\x03\r\n "


def _unit(text: str) -> WeightUnit:
    unit = _UNITS.get(text.lower())
    if unit is None:
        raise ScaleError(N_("Scale sends {unit}: set it to kg, g or lb"), unit=shown(text, 8))
    return unit


def _weight(match: re.Match[str], basis: WeightBasis | None) -> Weight:
    number = Decimal(match["number"])
    return Weight(-number if match["sign"] == "-" else number, _unit(match["unit"]), basis)


def _ad_reading(match: re.Match[str]) -> ScaleReading | None:
    head = match["head"]
    # QT is a piece count and TR the tare on display: neither is the load's weight.
    if head == "QT" or match["basis"] == "TR" or match["number"] is None or not match["unit"]:
        return None
    basis = _AD_BASIS.get(match["basis"] or "")
    return ScaleReading("stable" if head == "ST" else "moving", _weight(match, basis), "a&d")


def _plain_reading(match: re.Match[str]) -> ScaleReading | None:
    if match["unit"].lower() not in _UNITS.keys() | _OTHER_SCALE_UNITS:
        return None
    marks = match["marks"].split()
    moving = any(mark.upper() in _MOVING_MARKS for mark in marks)
    basis = next((_BASIS_MARKS[m.upper()] for m in marks if m.upper() in _BASIS_MARKS), None)
    return ScaleReading("moving" if moving else "stable", _weight(match, basis), "plain")


def parse_scale_line(line: str) -> ScaleReading | None:
    """One line of a scale's output, None when it is no weight line (noise, a command echo).

    Raises ScaleError when the line is a weight in a unit other than kg, g or lb.
    """
    text = line.strip(_FRAMING)
    if text.startswith("OL,"):
        # A&D's overload line carries no value worth reading, whatever its digits say.
        return ScaleReading("overload", None, "a&d")
    if match := _AD.fullmatch(text):
        return _ad_reading(match)
    if match := _SICS.fullmatch(text):
        state: ScaleState = "stable" if match["status"] == "S" else "moving"
        return ScaleReading(state, _weight(match, None), "sics")
    if match := _SICS_LIMIT.fullmatch(text):
        state = "overload" if match["status"] == "+" else "underload"
        return ScaleReading(state, None, "sics")
    if match := _PLAIN_LIMIT.fullmatch(text.upper()):
        limit = match["limit"]
        return ScaleReading("overload" if limit.startswith("O") else "underload", None, "plain")
    if match := _PLAIN.fullmatch(text):
        return _plain_reading(match)
    return None


class StableWeightWatch:
    """Takes a scale's lines in order and answers the first stable weight above zero.

    With samples=N it waits for N stable readings in a row with the same value and unit; a
    moving reading starts the count again, a line that is no reading does not. A stable
    negative reading, an underload or an overload is refused at once: waiting cannot mend
    them. The first line, if it has no A&D or SICS header, is skipped: a stream joined midway
    can start with the tail of a line, and "34kg" cut from "+ 1.234kg" must not pass as 34 kg.
    """

    def __init__(self, samples: int = 1) -> None:
        if samples < 1:
            raise ValueError(f"samples must be 1 or more, got {samples}")
        self.samples = samples
        self.lines = 0
        self.readings = 0
        self.last_line = ""
        self.last_reading: ScaleReading | None = None
        self._run: list[Weight] = []

    def offer(self, line: str) -> Weight | None:
        """The weight once this line settles it, else None; raises ScaleError on a refusal."""
        if not line.strip(_FRAMING):
            return None
        self.lines += 1
        self.last_line = line
        reading = parse_scale_line(line)
        if reading is None or (self.lines == 1 and reading.format == "plain"):
            return None
        self.readings += 1
        self.last_reading = reading
        if reading.state == "overload":
            raise ScaleError(N_("Scale overloaded: take the load off"))
        weight = reading.weight
        if reading.state == "underload" or (
            reading.stable and weight is not None and weight.value < 0
        ):
            raise ScaleError(N_("Scale below zero: empty it and zero it"))
        if not reading.stable or weight is None or weight.value <= 0:
            self._run.clear()
            return None
        if self._run and (self._run[-1].value, self._run[-1].unit) != (weight.value, weight.unit):
            self._run.clear()
        self._run.append(weight)
        return weight if len(self._run) >= self.samples else None

    def timed_out(self, seconds: float) -> ScaleError:
        """The refusal for a read that ended without a weight, naming what the scale did."""
        last = self.last_reading
        if self.lines == 0:
            return ScaleError(N_("Scale sent nothing in {seconds}s: check its cable"),
                              seconds=f"{seconds:g}")
        if self.readings == 0:
            return ScaleError(N_("Scale output not understood: {line}"),
                              line=shown(self.last_line.strip(_FRAMING), 24))
        if last is not None and last.stable and last.weight is not None and not last.weight.value:
            return ScaleError(N_("Scale shows zero: put the load on"))
        return ScaleError(N_("No steady weight in {seconds}s: keep the load still"),
                          seconds=f"{seconds:g}")

    def closed(self) -> ScaleError:
        """The refusal for a scale that ended its output before a weight."""
        return ScaleError(N_("Scale hung up: check it, then try again"))
