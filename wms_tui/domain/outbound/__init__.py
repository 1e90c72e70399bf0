"""Outbound: customer orders, waves, allocation, pick tasks in walk order, picking, short picks,
zero checks and replenishment (docs/picking.md has the rules at length).

Every operator confirmation here is one transaction, exactly once per confirmation key
(once.exactly_once): the ledger rows (stock.apply_in), the task, the order line, the order and
wave status, the reservations, and any replenishment or count task it triggers commit together
or not at all. Quantities are in the item's base unit unless a name says otherwise.

The package, by concern: model (values), results, ports (storage), the pure rules allocation,
paths and settlement, the transactions waves, tasks, picking, shorts and replenishment (over
the shared steps), orders (import) and services (the RF flows' mixin).
"""

from wms_tui.domain.outbound.allocation import (
    PICKABLE_TYPES,
    REPLENISH_FROM,
    Allocation,
    AllocationResult,
    allocate,
    case_factor,
    fefo_key,
    fifo_key,
    may_substitute,
    replenishment_quantity,
    unallocated_reason,
)
from wms_tui.domain.outbound.model import (
    DEFAULT_PRIORITY,
    MAX_PRIORITY,
    OPEN_TASK_STATUSES,
    ORDER_OPTIONAL,
    SHORT_REASON_EXTRAS,
    TASK_PREFIX,
    WAVE_DIGITS,
    WAVE_PREFIX,
    LotChoice,
    OutboundLineRef,
    OutboundLineSpec,
    OutboundOrderRef,
    OutboundOrderSpec,
    OutboundStatus,
    PickScope,
    StockSlot,
    TaskKind,
    TaskRef,
    TaskSpec,
    TaskStatus,
    WaveRef,
    WaveStatus,
    quantity_text,
    task_reference,
)
from wms_tui.domain.outbound.orders import import_outbound_orders
from wms_tui.domain.outbound.paths import (
    DEFAULT_PICK_PATH,
    PICK_PATHS,
    PathStrategy,
    Stop,
    order_pick_path,
    path_length,
    s_shape_path,
    walk_sequence_path,
)
from wms_tui.domain.outbound.picking import check_substitute, confirm_pick
from wms_tui.domain.outbound.ports import (
    OrderRepository,
    OutboundRepository,
    OutboundUnitOfWork,
    PickFaceRepository,
    TaskRepository,
    UowFactory,
    WaveRepository,
)
from wms_tui.domain.outbound.replenishment import confirm_replenishment, replenish_face
from wms_tui.domain.outbound.results import (
    PickResult,
    ReplenishResult,
    ShortResult,
    UnallocatedLine,
    WaveReport,
    WaveTaskLine,
    ZeroCheckResult,
)
from wms_tui.domain.outbound.services import OutboundServicesMixin
from wms_tui.domain.outbound.settlement import order_status, wave_status
from wms_tui.domain.outbound.shorts import answer_zero_check, short_pick
from wms_tui.domain.outbound.tasks import TASK_LOOKAHEAD, find_scope, next_task
from wms_tui.domain.outbound.waves import RELEASE_ACTION, release_wave

__all__ = [
    "DEFAULT_PICK_PATH",
    "DEFAULT_PRIORITY",
    "MAX_PRIORITY",
    "OPEN_TASK_STATUSES",
    "ORDER_OPTIONAL",
    "PICKABLE_TYPES",
    "PICK_PATHS",
    "RELEASE_ACTION",
    "REPLENISH_FROM",
    "SHORT_REASON_EXTRAS",
    "TASK_LOOKAHEAD",
    "TASK_PREFIX",
    "WAVE_DIGITS",
    "WAVE_PREFIX",
    "Allocation",
    "AllocationResult",
    "LotChoice",
    "OrderRepository",
    "OutboundLineRef",
    "OutboundLineSpec",
    "OutboundOrderRef",
    "OutboundOrderSpec",
    "OutboundRepository",
    "OutboundServicesMixin",
    "OutboundStatus",
    "OutboundUnitOfWork",
    "PathStrategy",
    "PickFaceRepository",
    "PickResult",
    "PickScope",
    "ReplenishResult",
    "ShortResult",
    "StockSlot",
    "Stop",
    "TaskKind",
    "TaskRef",
    "TaskRepository",
    "TaskSpec",
    "TaskStatus",
    "UnallocatedLine",
    "UowFactory",
    "WaveRef",
    "WaveReport",
    "WaveRepository",
    "WaveStatus",
    "WaveTaskLine",
    "ZeroCheckResult",
    "allocate",
    "answer_zero_check",
    "case_factor",
    "check_substitute",
    "confirm_pick",
    "confirm_replenishment",
    "fefo_key",
    "fifo_key",
    "find_scope",
    "import_outbound_orders",
    "may_substitute",
    "next_task",
    "order_pick_path",
    "order_status",
    "path_length",
    "quantity_text",
    "release_wave",
    "replenish_face",
    "replenishment_quantity",
    "s_shape_path",
    "short_pick",
    "task_reference",
    "unallocated_reason",
    "walk_sequence_path",
    "wave_status",
]
