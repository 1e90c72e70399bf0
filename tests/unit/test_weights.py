"""Weights: GS1 weight AIs, a scale's ASCII lines, and the watch that picks the stable weight."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.scale_sim import LINE_STYLES, Style, ad_line, settling
from wms_tui.domain.weights import (
    ScaleError,
    ScaleReading,
    StableWeightWatch,
    Weight,
    WeightUnit,
    gs1_weight,
    parse_scale_line,
)

KG = Decimal("1.234")


class TestWeight:
    def test_prints_fixed_point_with_its_unit(self) -> None:
        assert str(Weight(Decimal("1.500"), "kg")) == "1.500 kg"
        assert str(Weight(Decimal("0.000001"), "kg")) == "0.000001 kg"
        assert str(Weight(Decimal("1E+3"), "g")) == "1000 g"

    @pytest.mark.parametrize(("value", "unit", "kg"), [
        ("1.234", "kg", "1.234"),
        ("1234", "g", "1.234"),
        ("1", "lb", "0.45359237"),
        ("2.50", "lb", "1.1339809250"),
    ])
    def test_converts_to_kg_exactly(self, value: str, unit: WeightUnit, kg: str) -> None:
        assert Weight(Decimal(value), unit).in_kg() == Decimal(kg)


class TestGs1Weight:
    @pytest.mark.parametrize(("ai", "unit", "basis"), [
        ("3100", "kg", "net"), ("3105", "kg", "net"), ("3203", "lb", "net"),
        ("3303", "kg", "gross"), ("3402", "lb", "gross"),
    ])
    def test_weight_ais(self, ai: str, unit: str, basis: str) -> None:
        assert gs1_weight(ai, KG) == Weight(KG, unit, basis)  # type: ignore[arg-type]

    @pytest.mark.parametrize("ai", ["30", "3103x", "3113", "3560", "3923", "310"])
    def test_other_ais_are_no_weight(self, ai: str) -> None:
        assert gs1_weight(ai, KG) is None


def reading(state: str, value: str | None, unit: WeightUnit = "kg", basis: str | None = None,
            form: str = "a&d") -> ScaleReading:
    weight = None if value is None else Weight(Decimal(value), unit, basis)  # type: ignore[arg-type]
    return ScaleReading(state, weight, form)  # type: ignore[arg-type]


class TestParseScaleLine:
    @pytest.mark.parametrize(("line", "expected"), [
        # A&D: header stable/unstable/overload, gross/net, sign, value, unit.
        ("ST,GS,+  1.234kg", reading("stable", "1.234", basis="gross")),
        ("US,GS,+  1.234kg", reading("moving", "1.234", basis="gross")),
        ("ST,NT,-  0.012kg", reading("stable", "-0.012", basis="net")),
        ("ST,GS,+0001234 g", reading("stable", "1234", "g", basis="gross")),
        ("ST,GS,+  2.720lb", reading("stable", "2.720", "lb", basis="gross")),
        ("ST,+00001.234  kg", reading("stable", "1.234")),
        ("OL,GS,+9999999 kg", reading("overload", None)),
        ("OL,GS,+OL", reading("overload", None)),
        # Mettler Toledo SICS: S = stable, D = dynamic; + and - are over- and underload.
        ("S S      1.234 kg", reading("stable", "1.234", form="sics")),
        ("S D 1.234 kg", reading("moving", "1.234", form="sics")),
        ("S S     -0.005 kg", reading("stable", "-0.005", form="sics")),
        ("S S   1234.5 g", reading("stable", "1234.5", "g", form="sics")),
        ("S +", reading("overload", None, form="sics")),
        ("S -", reading("underload", None, form="sics")),
        # A plain value: a trailing "?" marks it unstable, G/N gross or net.
        ("+001.234 kg", reading("stable", "1.234", form="plain")),
        ("  1.234 kg  ?", reading("moving", "1.234", form="plain")),
        ("-000.010 kg", reading("stable", "-0.010", form="plain")),
        ("1.234kg", reading("stable", "1.234", form="plain")),
        ("  2.72 lbs N", reading("stable", "2.72", "lb", basis="net", form="plain")),
        ("  1.234 KG G", reading("stable", "1.234", basis="gross", form="plain")),
        ("  OL  ", reading("overload", None, form="plain")),
        ("-UL", reading("underload", None, form="plain")),
    ])
    def test_reads_the_common_formats(self, line: str, expected: ScaleReading) -> None:
        assert parse_scale_line(line) == expected

    @pytest.mark.parametrize("framed", ["\x02ST,GS,+  1.234kg\x03\r\n", "ST,GS,+  1.234kg\r",
                                        "\x00ST,GS,+  1.234kg \n"])
    def test_framing_and_line_ends_are_ignored(self, framed: str) -> None:
        assert parse_scale_line(framed) == reading("stable", "1.234", basis="gross")

    @pytest.mark.parametrize("noise", [
        "", "   ", "hello", "S I", "ES", "EL", "QT,+00000123 PC", "ST,TR,+  0.100kg",
        "12 abc", "kg", "1.2.3 kg", "\ufffd\ufffd kg", "\uff11.234 kg", "+ . kg", "ST,GS,",
    ])
    def test_anything_else_is_no_reading(self, noise: str) -> None:
        assert parse_scale_line(noise) is None

    @pytest.mark.parametrize("line", ["ST,GS,+  1.234oz", "S S 12.5 ct", "  3.000 oz"])
    def test_a_weight_in_another_unit_is_refused(self, line: str) -> None:
        with pytest.raises(ScaleError, match="set it to kg, g or lb"):
            parse_scale_line(line)

    @given(
        value=st.decimals(min_value=-9999, max_value=9999, places=3, allow_nan=False,
                          allow_infinity=False),
        unit=st.sampled_from(["kg", "g", "lb"]),
        stable=st.booleans(),
        style=st.sampled_from(["a&d", "sics", "plain"]),
    )
    def test_round_trip_through_each_format(self, value: Decimal, unit: WeightUnit,
                                            stable: bool, style: Style) -> None:
        line = LINE_STYLES[style](value, unit, stable=stable)
        read = parse_scale_line(line)
        assert read is not None and read.weight is not None, line
        assert (read.weight.value, read.weight.unit, read.stable, read.format) == (
            value, unit, stable, style)


def watch_lines(lines: list[str], samples: int = 1) -> Weight | None:
    """What the watch answers after the lines, None while it still waits."""
    watch = StableWeightWatch(samples)
    for line in lines:
        weight = watch.offer(line)
        if weight is not None:
            return weight
    return None


class TestStableWeightWatch:
    @pytest.mark.parametrize("style", ["a&d", "sics", "plain"])
    def test_the_first_stable_weight_after_the_load_settles(self, style: Style) -> None:
        weight = watch_lines(settling("1.234", style=style))
        assert weight is not None and (weight.value, weight.unit) == (KG, "kg")

    def test_unstable_readings_are_never_the_answer(self) -> None:
        assert watch_lines([ad_line("1.234", stable=False)] * 20) is None

    def test_samples_need_equal_stable_readings_in_a_row(self) -> None:
        stable, other = ad_line("1.234"), ad_line("1.236")
        moving = ad_line("1.234", stable=False)
        assert watch_lines([stable, stable], samples=3) is None
        assert watch_lines([stable, moving, stable, stable], samples=3) is None
        assert watch_lines([stable, other, stable, stable], samples=3) is None
        weight = watch_lines([stable, other, stable, stable, stable], samples=3)
        assert weight == Weight(KG, "kg", "gross")

    def test_noise_between_samples_does_not_break_the_run(self) -> None:
        stable = ad_line("1.234")
        assert watch_lines([stable, "#@!", "", stable], samples=2) == Weight(KG, "kg", "gross")

    def test_an_empty_scale_is_waited_past(self) -> None:
        zero = ad_line("0.000")
        watch = StableWeightWatch()
        assert [watch.offer(zero) for _ in range(5)] == [None] * 5
        assert str(watch.timed_out(5)) == "Scale shows zero: put the load on"
        assert watch.offer(ad_line("0.500")) == Weight(Decimal("0.500"), "kg", "gross")

    def test_a_first_line_without_header_may_be_a_tail_and_is_skipped(self) -> None:
        # Joined midway through "+001.234 kg": the tail "34 kg" must not pass as 34 kg.
        assert watch_lines(["34 kg", "+001.234 kg"]) == Weight(KG, "kg")
        assert watch_lines(["ST,GS,+  1.234kg"]) == Weight(KG, "kg", "gross")
        assert watch_lines(["S S 1.234 kg"]) == Weight(KG, "kg")

    @pytest.mark.parametrize("line", ["ST,GS,-  0.012kg", "S S -0.012 kg", "S -", "-UL"])
    def test_a_negative_scale_is_refused_at_once(self, line: str) -> None:
        watch = StableWeightWatch()
        with pytest.raises(ScaleError, match="Scale below zero: empty it and zero it"):
            watch.offer(ad_line("1.000", stable=False))
            watch.offer(line)

    def test_a_moving_negative_reading_is_waited_past(self) -> None:
        lines = [ad_line("-0.010", stable=False), ad_line("1.234")]
        assert watch_lines(lines) == Weight(KG, "kg", "gross")

    @pytest.mark.parametrize("line", ["OL,GS,+9999999 kg", "S +", "ST,GS,+  1.000kg\r\n  OL"])
    def test_an_overload_is_refused_at_once(self, line: str) -> None:
        watch = StableWeightWatch(samples=2)
        with pytest.raises(ScaleError, match="Scale overloaded: take the load off"):
            for part in line.split("\r\n"):
                watch.offer(part)

    @pytest.mark.parametrize(("lines", "message"), [
        ([], "Scale sent nothing in 2.5s: check its cable"),
        (["", "\r\n"], "Scale sent nothing in 2.5s: check its cable"),
        (["garbage", "\x1b[2J"], "Scale output not understood: \\x1b[2J"),
        ([ad_line("1.2", stable=False)], "No steady weight in 2.5s: keep the load still"),
        ([ad_line("1.2"), ad_line("1.3")], "No steady weight in 2.5s: keep the load still"),
    ])
    def test_a_timeout_says_what_the_scale_did(self, lines: list[str], message: str) -> None:
        watch = StableWeightWatch(samples=2)
        assert [watch.offer(line) for line in lines] == [None] * len(lines)
        assert str(watch.timed_out(2.5)) == message

    def test_a_hang_up_is_its_own_refusal(self) -> None:
        assert str(StableWeightWatch().closed()) == "Scale hung up: check it, then try again"

    def test_samples_below_one_are_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="samples must be 1 or more"):
            StableWeightWatch(0)
