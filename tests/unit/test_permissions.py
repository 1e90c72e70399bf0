"""Who may do what: the services check roles, whatever a screen offers."""

from __future__ import annotations

import pytest

from wms_tui.domain.errors import PermissionDenied
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.permissions import MINIMUM_ROLE, Action, can, require

OPERATOR_MAY = {Action.RECEIVE, Action.PUTAWAY, Action.MOVE, Action.PICK, Action.COUNT}
ADMIN_ONLY = {Action.MANAGE_USERS, Action.MANAGE_MASTER_DATA}
ROLES_LOW_TO_HIGH = [Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN]


def test_every_action_has_a_minimum_role() -> None:
    assert set(MINIMUM_ROLE) == set(Action)


@pytest.mark.parametrize("action", list(Action))
def test_operator_may_do_only_floor_work(action: Action) -> None:
    assert can(Role.OPERATOR, action) == (action in OPERATOR_MAY)


@pytest.mark.parametrize("action", list(Action))
def test_supervisor_may_do_everything_but_administration(action: Action) -> None:
    assert can(Role.SUPERVISOR, action) == (action not in ADMIN_ONLY)


@pytest.mark.parametrize("action", list(Action))
def test_admin_may_do_everything(action: Action) -> None:
    assert can(Role.ADMIN, action)


@pytest.mark.parametrize("action", list(Action))
def test_a_higher_role_keeps_every_right_of_a_lower_one(action: Action) -> None:
    allowed = [can(role, action) for role in ROLES_LOW_TO_HIGH]
    assert allowed == sorted(allowed)


def test_require_names_the_user_role_and_action() -> None:
    op = Actor(7, "OP1", Role.OPERATOR, "T-01")
    with pytest.raises(PermissionDenied, match=r"^OP1 \(operator\) may not change status$"):
        require(op, Action.CHANGE_STATUS)
    require(op, Action.PICK)
    require(Actor(8, "SUP1", Role.SUPERVISOR), Action.ADJUST)
