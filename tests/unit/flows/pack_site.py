"""A tote to pack on a real SQLite warehouse: SO-1 (12 WIDGET, 4 BOLT) picked into TOTE-1,
as the pick services leave it, and the RF backend the pack flow posts through."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from tests.db.outbound_site import TODAY, Site
from tests.factories import Warehouse
from wms_tui.domain.outbound import TaskKind, confirm_pick, release_wave
from wms_tui.domain.rf_services import PackStation, RfBackend
from wms_tui.domain.weights import Weight

PREFIX = "0614141"


@dataclass
class ScaleStub:
    """The station scale as the backend calls it: the address asked and the weight it gives."""

    weight: Weight
    asked: list[str]

    def __call__(self, address: str, timeout: float) -> Weight:
        self.asked.append(address)
        return self.weight


def pick_into_tote(engine: Engine, wh: Warehouse, *, receive_widgets: bool = True) -> Site:
    """Stock received, SO-1 released as a wave and every pick task confirmed into TOTE-1."""
    site = Site.build(engine, wh)
    if receive_widgets:
        site.receive(wh.widget, 20, wh.a1)
    site.receive(wh.heavy, 10, wh.a2)
    site.orders(("SO-1", "Shanghai Retail", "", "", "1", "WIDGET", "12", "EA"),
                ("SO-1", "Shanghai Retail", "", "", "2", "BOLT", "4", "EA"))
    release_wave(site.uow, wh.supervisor, today=TODAY)
    with site.uow() as u:
        tasks = u.outbound.tasks(kind=TaskKind.PICK)
    for task in tasks:
        confirm_pick(site.uow, wh.operator, task.id, task.remaining,
                     to_location_id=site.tote1, today=TODAY)
    return site


def pack_backend(site: Site, scale: str | None = None,
                 reader: ScaleStub | None = None) -> RfBackend:
    services = RfBackend(site.uow)
    services.pack_station = PackStation(prefix=PREFIX, extension="3", scale=scale)
    services.scale_reader = reader
    return services
