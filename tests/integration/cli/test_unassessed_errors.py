"""Which scan errors the audit command must turn into findings of their own.

A region whose collection crashed cannot be produced on purpose against the fake AWS
(only a bug crashes a collector), so this part is checked on a scan result built by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime

from posture.resources import CollectionError, Inventory
from workers.audit.scanning import unassessed_errors
from workers.aws.scan import ScanResult
from workers.aws.targets import ScanError

HOME, CRASHED = "us-east-1", "eu-west-1"
REACHED, UNREACHED = "111111111111", "222222222222"


def test_only_errors_that_left_no_inventory_are_unassessed() -> None:
    now = datetime.now(UTC)
    denied = CollectionError(
        operation="DescribeUsers", code="AccessDenied", message="denied", resource_kind="user"
    )
    inventory = Inventory(account=REACHED, region=HOME, collected_at=now, errors=(denied,))
    unreachable = ScanError(
        account_id=UNREACHED, operation="AssumeRole", code="AccessDenied", message="denied"
    )
    crashed = ScanError(
        account_id=REACHED,
        region=CRASHED,
        operation="CollectInventory",
        code="KeyError",
        message="'Marker'",
    )
    result = ScanResult(
        inventories=(inventory,),
        started=now,
        finished=now,
        api_calls=0,
        api_calls_by_operation={},
        api_attempts=0,
        errors=(unreachable, crashed, ScanError.from_collection(denied, REACHED, HOME)),
    )

    # The DescribeUsers error lives in the inventory: evaluation reports it per rule.
    assert unassessed_errors(result) == [unreachable, crashed]
