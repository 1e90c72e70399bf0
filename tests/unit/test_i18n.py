"""Operator text in English and Simplified Chinese: complete catalogues that fit a 16x20 screen."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from rich.cells import cell_len

from tests.flow_fakes import OPERATOR, FakeServices
from wms_tui.domain import users
from wms_tui.domain.errors import N_, InvalidQuantity, ScanRejected, WmsError
from wms_tui.domain.flows.base import Tone
from wms_tui.domain.flows.move import MoveFlow
from wms_tui.domain.units import parse_quantity
from wms_tui.i18n import LANGUAGES, translator
from wms_tui.i18n.extract import (
    Entry,
    compile_mo,
    extract_messages,
    messages_in,
    placeholders,
    po_path,
    read_po,
    update,
)

FOUND = extract_messages()
REEXTRACT = "run `python -m wms_tui.i18n.extract`, then translate the new msgstr entries"
# The RF screen: 20 columns; the message line is 2 rows behind a 2-cell "! " or "* " mark.
LINE_CELLS = 20
MESSAGE_CELLS = 2 * LINE_CELLS - 2
# Help (whole sentences, no fields) fills the screen between the header and a footer line.
HELP_CELLS = 12 * LINE_CELLS
# Values of the size the warehouse really sees, to measure a message with its fields filled.
TYPICAL = {
    "scan": "4006381333931", "text": "abc", "code": "LPN0000001", "lpn": "LPN0000001",
    "loc": "A-01-01-1", "to": "A-01-02-1", "where": "DOCK-1", "sku": "WIDGET", "uom": "EA",
    "base_uom": "EA", "unit": "PAL", "known": "2027-01-31", "ref": "PO-1001",
    "refs": "PO-1, PO-2", "sscc": "376123450000000016", "lot": "L2401", "date": "2027-01-31",
    "expiry": "2027-01-31", "login": "OP1", "role": "operator", "action": "move",
    "status": "QC", "symbology": "]E0", "reason": "wrong check digit", "flow": "Receive",
    "room": "24", "free": "30 EA", "line": "1", "limit": "1000000000",
}


def catalogue(lang: str) -> dict[str, Entry]:
    _header, entries = read_po(po_path(lang))
    return {entry.msgid: entry for entry in entries if not entry.obsolete}


def filled(template: str) -> str:
    """The template with typical values; numeric format specs get a number."""
    values: dict[str, object] = {}
    for _text, name, spec, _conversion in string.Formatter().parse(template):
        if name:
            number = spec is not None and spec.endswith(("d", "x", "X"))
            values[name] = 27 if number else TYPICAL.get(name, "24")
    return template.format(**values)


def test_the_code_has_messages_to_translate() -> None:
    assert {"Scan item", "Move", "Receive", "Logout",
            "Nothing scanned: scan the code"} <= set(FOUND)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_in_the_code_is_translated(lang: str) -> None:
    entries = catalogue(lang)
    missing = [msgid for msgid in FOUND if msgid not in entries or not entries[msgid].translated]
    assert not missing, f"{lang}: {REEXTRACT}: {missing}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalogue_and_compiled_file_are_current_with_the_code(lang: str) -> None:
    assert update(lang, FOUND, write=False) == [], REEXTRACT


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalogue_is_the_po_file_compiled(lang: str) -> None:
    header, entries = read_po(po_path(lang))
    assert po_path(lang).with_suffix(".mo").read_bytes() == compile_mo(header, entries)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_every_placeholder(lang: str) -> None:
    wrong = {msgid: entry.msgstr for msgid, entry in catalogue(lang).items()
             if placeholders(entry.msgstr) != placeholders(msgid)}
    assert not wrong


def test_chinese_fits_the_16x20_screen() -> None:
    """What fits one line in English fits one line in Chinese; messages fit the message line."""
    too_wide = []
    for msgid, entry in catalogue("zh_CN").items():
        english, chinese = cell_len(filled(msgid)), cell_len(filled(entry.msgstr))
        if not placeholders(msgid) and msgid.endswith("."):
            budget = HELP_CELLS
        elif english <= LINE_CELLS:
            budget = LINE_CELLS
        else:
            budget = MESSAGE_CELLS
        if chinese > budget:
            too_wide.append(f"{filled(entry.msgstr)!r}: {chinese} cells, at most {budget}")
    assert not too_wide


def test_translator_gives_chinese_and_english() -> None:
    assert translator("zh_CN")("Scan item") == "扫描物料"
    assert translator("zh_CN")("Receive") == "收货"
    assert translator("en")("Scan item") == "Scan item"
    assert translator("en")("not in any catalogue") == "not in any catalogue"
    assert translator("zh_CN")("not in any catalogue") == "not in any catalogue"
    assert translator("zh_CN")("") == ""


def test_unknown_language_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="language 'fr' must be one of en, zh_CN"):
        translator("fr")


def test_user_languages_are_the_catalogue_languages() -> None:
    assert users.LANGUAGES == LANGUAGES
    for lang in LANGUAGES:
        assert po_path(lang).with_suffix(".mo").is_file()


def test_extraction_finds_every_marker_form() -> None:
    source = '''
_ = self.t
_("one")
self.t("two")
t("three")
raise ScanRejected(N_("four {x}"), x=1)
self._t("five")
other("not this")
_(variable)
'''
    assert messages_in(source) == ["one", "two", "three", "four {x}", "five"]


def test_a_refusal_is_english_in_logs_and_translated_on_screen() -> None:
    zh = translator("zh_CN")
    with pytest.raises(InvalidQuantity) as refused:
        parse_quantity("abc")
    assert str(refused.value) == "quantity 'abc' is not a number"
    assert refused.value.render(zh) == "数量'abc'不是数字"


def test_a_plain_message_is_shown_as_it_is() -> None:
    error = WmsError("braces {stay} as typed")
    assert str(error) == "braces {stay} as typed"
    assert error.render(translator("zh_CN")) == "braces {stay} as typed"


def test_a_nested_refusal_is_translated_too() -> None:
    inner = ScanRejected(N_("Nothing scanned: scan the code"))
    outer = ScanRejected(N_("GS1 barcode not readable: {reason}"), reason=inner)
    assert str(outer) == "GS1 barcode not readable: Nothing scanned: scan the code"
    assert outer.render(translator("zh_CN")) == "GS1条码无法识别: 未扫描：请扫描条码"


def test_a_broken_translation_falls_back_to_english() -> None:
    error = ScanRejected(N_("Scan a location, not {scan}"), scan="X1")
    assert error.render(lambda _text: "非库位: {wrong}") == "Scan a location, not X1"


def test_move_flow_speaks_chinese() -> None:
    flow = MoveFlow(OPERATOR, FakeServices.standard(), t=translator("zh_CN"))
    step = flow.current()
    assert (step.title, step.prompt) == ("移库", "扫来源库位或LPN")
    step = flow.submit("NOPE")
    assert (step.name, step.tone, step.message) == (
        "from", Tone.ERROR, "请扫描库位或 LPN，不是 NOPE")
    step = flow.submit("A-01-01-1")
    assert step.prompt == "扫描物料" and ("来源", "A-01-01-1") in [
        (f.label, f.value) for f in step.facts]
    assert flow.submit("MILK").message == "此处无可用 MILK：扫描其他"
    step = flow.submit("WIDGET")
    assert step.prompt == "数量(EA)"
    # The refusal comes from the domain's quantity parser, rendered in the flow's language.
    assert flow.submit("abc").message == "请输入数量，不是 abc"
    assert flow.submit("4").prompt == "扫描目标库位"
    step = flow.submit("A-01-02-1")
    assert (step.tone, step.message) == (Tone.SUCCESS, "已移4 EA至A-01-02-1")


def test_move_flow_in_english_is_unchanged() -> None:
    flow = MoveFlow(OPERATOR, FakeServices.standard(), t=translator("en"))
    assert flow.submit("NOPE").message == "Scan a loc or LPN, not NOPE"


def test_catalogues_ship_with_the_package() -> None:
    pyproject = (Path(__file__).parents[2] / "pyproject.toml").read_text(encoding="utf-8")
    assert '"i18n/locale/*/LC_MESSAGES/*.mo"' in pyproject
    assert '"i18n/locale/*/LC_MESSAGES/*.po"' in pyproject
