"""A task kind, location type, role or action inside a refusal is a word of the user's language,
not the stored English value."""

from __future__ import annotations

import enum
import re
from types import SimpleNamespace
from typing import Any

import pytest

from tests.flow_fakes import OPERATOR
from wms_tui.domain.errors import BadInput, PermissionDenied
from wms_tui.domain.model import LocationRef, LocationType, Role
from wms_tui.domain.outbound.model import TaskKind, TaskRef, TaskStatus
from wms_tui.domain.outbound.steps import open_task
from wms_tui.domain.permissions import Action, require
from wms_tui.domain.shipping.common import location_of
from wms_tui.domain.status_words import kind_word
from wms_tui.domain.stock_control import ADJUST_KIND, STATUS_KIND
from wms_tui.i18n import translator

# Every kind a refusal names; a new one needs its word in status_words and the catalogues.
SHOWN: list[str] = [*TaskKind, *LocationType, *Role, *Action, ADJUST_KIND, STATUS_KIND]
LATIN = re.compile(r"[A-Za-z]")
ZH = translator("zh_CN")


def _id(kind: str) -> str:
    return f"{type(kind).__name__}.{kind.name}" if isinstance(kind, enum.Enum) else kind


@pytest.mark.parametrize("kind", SHOWN, ids=_id)
def test_every_kind_reads_as_a_word_in_english_and_chinese(kind: str) -> None:
    word = kind_word(kind)
    assert "_" not in word and word.strip() == word and word
    chinese = ZH(word)
    assert chinese != word and not LATIN.search(chinese), f"{word!r} has no Chinese: {chinese!r}"


def _task_uow(kind: TaskKind) -> Any:
    place = LocationRef(1, "A-01-01-1", "A-01-01-1", "", LocationType.PICK, 1)
    task = TaskRef(5, kind, TaskStatus.OPEN, 1, "WIDGET", "EA", 1, place)
    return SimpleNamespace(outbound=SimpleNamespace(task=lambda _id: task,
                                                    lock_task=lambda _id: task))


def test_a_task_of_the_wrong_kind_is_refused_in_the_users_words() -> None:
    with pytest.raises(BadInput) as refused:
        open_task(_task_uow(TaskKind.REPLENISH), OPERATOR, 5, TaskKind.PICK)
    assert str(refused.value) == "task 5 is not a pick task"
    shown = refused.value.render(ZH)
    assert ZH("pick") in shown and not LATIN.search(shown), shown


def test_a_location_of_the_wrong_type_is_refused_in_the_users_words() -> None:
    found = LocationRef(1, "A-01-01-1", "A-01-01-1", "", LocationType.RESERVE, 1)
    uow: Any = SimpleNamespace(catalog=SimpleNamespace(location_by_code=lambda _code: found))
    with pytest.raises(BadInput) as refused:
        location_of(uow, "A-01-01-1", LocationType.STAGING, LocationType.DOCK)
    assert str(refused.value) == (
        "A-01-01-1 is a reserve location: scan a staging or dock location")
    shown = refused.value.render(ZH)
    for word in ("reserve", "staging", "dock"):
        assert ZH(word) in shown
    assert not LATIN.search(shown.replace("A-01-01-1", "")), shown


def test_a_permission_refusal_names_role_and_action_in_the_users_words() -> None:
    with pytest.raises(PermissionDenied) as refused:
        require(OPERATOR, Action.MANAGE_MASTER_DATA)
    assert str(refused.value) == "OP1 (operator) may not manage master data"
    shown = refused.value.render(ZH)
    assert ZH("operator") in shown and ZH("manage master data") in shown
    assert not LATIN.search(shown.replace("OP1", "")), shown
