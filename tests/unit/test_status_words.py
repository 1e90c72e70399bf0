"""A status inside a refusal is a word of the user's language, not the stored English value."""

from __future__ import annotations

import enum
import re
from typing import Any

import pytest

from tests.flow_fakes import SUPERVISOR
from wms_tui.domain.errors import N_, BadInput, Term
from wms_tui.domain.inbound.model import InboundStatus
from wms_tui.domain.model import StockStatus
from wms_tui.domain.outbound.model import OutboundStatus, TaskStatus, WaveStatus
from wms_tui.domain.shipping.model import CartonStatus
from wms_tui.domain.status_words import status_word
from wms_tui.domain.stock_control import StatusRequest, StockPlace, change_stock_status
from wms_tui.i18n import translator

# Every status a refusal names; a new one needs its word in status_words and the catalogues.
SHOWN: list[enum.StrEnum] = [*OutboundStatus, *WaveStatus, *TaskStatus, *InboundStatus,
                              *CartonStatus, *StockStatus]
LATIN = re.compile(r"[A-Za-z]")


@pytest.mark.parametrize("status", SHOWN, ids=lambda s: f"{type(s).__name__}.{s.name}")
def test_every_status_reads_as_a_word_in_english_and_chinese(status: enum.StrEnum) -> None:
    word = status_word(status)
    assert "_" not in word and word.strip() == word and word
    chinese = translator("zh_CN")(word)
    assert not LATIN.search(chinese), f"{word!r} has no Chinese: {chinese!r}"


def test_a_status_in_a_refusal_is_english_in_logs_and_chinese_on_screen() -> None:
    refusal = BadInput(N_("order {ref} is {status}, not open"), ref="SO-1",
                       status=status_word(OutboundStatus.PICKING))
    assert str(refusal) == "order SO-1 is picking, not open"
    shown = refusal.render(translator("zh_CN"))
    assert "SO-1" in shown and translator("zh_CN")("picking") in shown
    assert not LATIN.search(shown.replace("SO-1", "")), shown


def test_a_term_is_translated_but_a_plain_value_is_not() -> None:
    refusal = BadInput(N_("stock is already {status}"), status=Term("blocked"))
    assert refusal.render(lambda text: {"blocked": "BLK"}.get(text, text)) == "stock is already BLK"
    plain = BadInput(N_("stock is already {status}"), status="blocked")
    assert plain.render(lambda text: {"blocked": "BLK"}.get(text, text)) == (
        "stock is already blocked")


def test_a_status_change_to_the_same_status_is_refused_in_chinese() -> None:
    def no_database() -> Any:
        raise AssertionError("refused before the database")

    request = StatusRequest(StockPlace("WIDGET", "A-01-01-1"), 1, StockStatus.QC_HOLD,
                            StockStatus.QC_HOLD)
    with pytest.raises(BadInput) as refused:
        change_stock_status(no_database, SUPERVISOR, request, "K1")
    assert str(refused.value) == "from and to are both QC hold: nothing would change"
    assert refused.value.render(translator("zh_CN")) == "前后状态都是待检：无变化"
