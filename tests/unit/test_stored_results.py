"""Results stored before exactly_once still replay as the same values, and what is stored now
keeps the shape RfServices.posted() reads: the result's fields plus "message"."""

from __future__ import annotations

import json

from wms_tui.domain.counting import ApprovalResult, CountResult, CountStatus
from wms_tui.domain.inbound import InboundStatus, Receipt
from wms_tui.domain.model import PostResult, StockStatus
from wms_tui.domain.once import decode, encode

# As counting's and inbound's own encoders wrote them.
OLD_COUNT = ('{"confirmation": "K1", "task_id": 3, "status": "recount", "attempt": 1, '
             '"movement_ids": [], "may_recount": true, "replayed": false, "message": "count 3"}')
OLD_APPROVAL = ('{"confirmation": "K2", "task_id": 3, "status": "done", "movement_ids": [8, 9], '
                '"new_task_id": null, "reason": "", "sku": null, "replayed": false, '
                '"message": "count approval 3"}')
OLD_RECEIPT = ('{"confirmation": "K3", "movement_ids": [5], "sku": "WIDGET", "quantity": 24, '
               '"base_uom": "EA", "location": "DOCK-1", "status": "qc_hold", "lpn": "LPN0000001",'
               ' "line_received": 24, "order_status": "receiving", "replayed": false, '
               '"message": "receive PO-1"}')


def test_older_records_replay_as_the_values_they_stored() -> None:
    assert decode(CountResult, OLD_COUNT) == CountResult(
        "K1", 3, CountStatus.RECOUNT, 1, [], may_recount=True, replayed=True)
    assert decode(ApprovalResult, OLD_APPROVAL) == ApprovalResult(
        "K2", 3, CountStatus.DONE, [8, 9], replayed=True)
    assert decode(Receipt, OLD_RECEIPT) == Receipt(
        "K3", [5], "WIDGET", 24, "EA", "DOCK-1", StockStatus.QC_HOLD, "LPN0000001", 24,
        InboundStatus.RECEIVING, replayed=True)


def test_older_records_read_as_posted_results() -> None:
    assert decode(PostResult, OLD_RECEIPT) == PostResult("K3", [5], "receive PO-1", True)
    assert decode(PostResult, OLD_APPROVAL) == PostResult("K2", [8, 9], "count approval 3", True)


def test_records_stored_now_carry_the_same_fields_and_message() -> None:
    for stored in (OLD_COUNT, OLD_APPROVAL, OLD_RECEIPT):
        old = json.loads(stored)
        result_type = {"attempt": CountResult, "new_task_id": ApprovalResult}.get(
            next((k for k in ("attempt", "new_task_id") if k in old), ""), Receipt)
        new = json.loads(encode(decode(result_type, stored), old["message"]))
        old.pop("replayed")
        assert new == old
