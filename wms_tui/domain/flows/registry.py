"""The flows an RF terminal offers: menu key, name, the permission each needs, how to build it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from wms_tui.domain.flows.approve import ApproveFlow
from wms_tui.domain.flows.base import AnyFlow, Translate
from wms_tui.domain.flows.count import CountFlow
from wms_tui.domain.flows.inquiry import InquiryFlow
from wms_tui.domain.flows.move import MoveFlow
from wms_tui.domain.flows.pack import PackFlow
from wms_tui.domain.flows.pick import PickFlow
from wms_tui.domain.flows.putaway import PutawayFlow
from wms_tui.domain.flows.qc_release import QcReleaseFlow
from wms_tui.domain.flows.receive import ReceiveFlow
from wms_tui.domain.flows.replenish import ReplenishFlow
from wms_tui.domain.flows.services import RfServices
from wms_tui.domain.model import Actor, Role
from wms_tui.domain.permissions import Action, can

FlowFactory = Callable[[Actor, Any, Translate, dict[str, Any] | None], AnyFlow]


class ResumableServices(RfServices, Protocol):
    """What the RF app needs beyond the flows' services: the per-operator saved flow."""

    def save_flow(
        self, user_id: int, flow: str, state: dict[str, object], terminal: str
    ) -> None: ...

    def saved_flow(self, user_id: int) -> tuple[str, dict[str, object]] | None: ...

    def clear_flow(self, user_id: int) -> None: ...


@dataclass(frozen=True)
class FlowSpec:
    """One main-menu entry; title is the untranslated text, translated when shown."""

    key: str
    name: str
    title: str
    action: Action | None
    # None: the entry opens a screen of its own (supervisor, dashboard), not a step flow.
    factory: FlowFactory | None

    def build(self, actor: Actor, services: Any, t: Translate,
              state: dict[str, Any] | None = None) -> AnyFlow:
        if self.factory is None:
            raise ValueError(f"menu entry {self.name!r} is a screen, not a flow")
        return self.factory(actor, services, t, state)


def N_(text: str) -> str:
    """Marks a menu title for the message catalogue; it is translated when shown."""
    return text


def _spec(key: str, flow: type[AnyFlow], title: str, action: Action | None) -> FlowSpec:
    def factory(actor: Actor, services: Any, t: Translate,
                state: dict[str, Any] | None) -> AnyFlow:
        return flow(actor, services, t=t, state=state)

    return FlowSpec(key, flow.name, title, action, factory)


def default_flows() -> tuple[FlowSpec, ...]:
    """The flows this build ships, in menu order."""
    return (
        _spec("1", ReceiveFlow, N_("Receive"), Action.RECEIVE),
        _spec("2", PutawayFlow, N_("Putaway"), Action.PUTAWAY),
        _spec("3", MoveFlow, N_("Move"), Action.MOVE),
        _spec("4", InquiryFlow, N_("Inquiry"), None),
        _spec("5", PickFlow, N_("Pick"), Action.PICK),
        _spec("6", CountFlow, N_("Count"), Action.COUNT),
        _spec("7", ReplenishFlow, N_("Replenish"), Action.MOVE),
        FlowSpec("8", "dashboard", N_("Dashboard"), Action.APPROVE, None),
        FlowSpec("9", "supervisor", N_("Supervisor"), Action.APPROVE, None),
        # Past the digits, letter keys (0 is Logout). Packers pick too, so Pack needs that
        # permission. Approvals is the supervisor desk's count approval at any screen size, so
        # it needs the same permission.
        _spec("p", PackFlow, N_("Pack"), Action.PICK),
        _spec("a", ApproveFlow, N_("Approvals"), Action.APPROVE),
        _spec("q", QcReleaseFlow, N_("QC release"), Action.CHANGE_STATUS),
    )


def allowed_flows(role: Role, flows: Sequence[FlowSpec]) -> list[FlowSpec]:
    """Only what the role may do, so an operator never sees a menu entry that would refuse."""
    return [spec for spec in flows if spec.action is None or can(role, spec.action)]


def find_flow(flows: Sequence[FlowSpec], name: str) -> FlowSpec | None:
    return next((spec for spec in flows if spec.name == name), None)
