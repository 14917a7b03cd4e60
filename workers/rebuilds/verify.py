"""Rescanning one replication group for a rebuild's verification step."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from posture.base import ResourceKind
from posture.evaluate import evaluate
from posture.findings import Status
from posture.policy import OrgPolicy
from workers.aws.session import AccountSession
from workers.fixes.reads import read_for_fix


def verdicts_reader(
    session: AccountSession,
    account: str,
    region: str,
    policy: OrgPolicy,
    now: Callable[[], datetime],
) -> Callable[[str], Mapping[str, Status]]:
    """A function: group id -> each rule's verdict on it right now (one fresh collection)."""

    def verdicts(group_id: str) -> Mapping[str, Status]:
        kind = ResourceKind.REPLICATION_GROUP
        inventory = read_for_fix(session, account, region, kind, group_id, now=now())
        return {
            finding.rule_id: finding.status
            for finding in evaluate(inventory, policy, now=now())
            if (finding.resource_kind, finding.resource_id) == (kind, group_id)
        }

    return verdicts
