"""Order and wave status, derived from their lines and tasks: pure rules over plain values."""

from __future__ import annotations

from collections.abc import Sequence

from wms_tui.domain.outbound.model import OutboundLineRef, OutboundStatus, WaveStatus


def order_status(lines: Sequence[OutboundLineRef], current: OutboundStatus) -> OutboundStatus:
    """Picked when every line is fully picked, short when finished with shorts, else picking."""
    if lines and all(ln.finished for ln in lines):
        return OutboundStatus.SHORT if any(ln.short for ln in lines) else OutboundStatus.PICKED
    if any(ln.picked or ln.short for ln in lines):
        return OutboundStatus.PICKING
    return current


def wave_status(pick_tasks_open: bool) -> WaveStatus:
    """A wave is done once none of its pick tasks is open or in progress."""
    return WaveStatus.PICKING if pick_tasks_open else WaveStatus.DONE
