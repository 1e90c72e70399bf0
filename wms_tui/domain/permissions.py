"""Who may do what; services check these, not only the screens that offer them."""

from __future__ import annotations

import enum

from wms_tui.domain.errors import N_, PermissionDenied
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.status_words import kind_word

_RANK = {Role.OPERATOR: 0, Role.SUPERVISOR: 1, Role.ADMIN: 2}


class Action(enum.StrEnum):
    RECEIVE = "receive"
    RECEIVE_BLIND = "receive_blind"
    OVER_RECEIPT = "over_receipt"
    PUTAWAY = "putaway"
    PUTAWAY_OVERRIDE = "putaway_override"
    MOVE = "move"
    PICK = "pick"
    COUNT = "count"
    ADJUST = "adjust"
    CHANGE_STATUS = "change_status"
    APPROVE = "approve"
    MANAGE_USERS = "manage_users"
    MANAGE_MASTER_DATA = "manage_master_data"


MINIMUM_ROLE: dict[Action, Role] = {
    Action.RECEIVE: Role.OPERATOR,
    Action.RECEIVE_BLIND: Role.SUPERVISOR,
    Action.OVER_RECEIPT: Role.SUPERVISOR,
    Action.PUTAWAY: Role.OPERATOR,
    Action.PUTAWAY_OVERRIDE: Role.SUPERVISOR,
    Action.MOVE: Role.OPERATOR,
    Action.PICK: Role.OPERATOR,
    Action.COUNT: Role.OPERATOR,
    Action.ADJUST: Role.SUPERVISOR,
    Action.CHANGE_STATUS: Role.SUPERVISOR,
    Action.APPROVE: Role.SUPERVISOR,
    Action.MANAGE_USERS: Role.ADMIN,
    Action.MANAGE_MASTER_DATA: Role.ADMIN,
}


def can(role: Role, action: Action) -> bool:
    return _RANK[role] >= _RANK[MINIMUM_ROLE[action]]


def require(actor: Actor, action: Action) -> None:
    if not can(actor.role, action):
        raise PermissionDenied(
            N_("{login} ({role}) may not {action}"),
            login=actor.login, role=kind_word(actor.role), action=kind_word(action),
        )
