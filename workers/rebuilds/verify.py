"""Rescanning one cache (replication group or serverless cache) for a rebuild's verification."""

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
) -> Callable[[str, ResourceKind], Mapping[str, Status]]:
    """A function: (cache id, kind) -> each rule's verdict on it now (one fresh collection)."""

    def verdicts(group_id: str, kind: ResourceKind) -> Mapping[str, Status]:
        inventory = read_for_fix(session, account, region, kind, group_id, now=now())
        return {
            finding.rule_id: finding.status
            for finding in evaluate(inventory, policy, now=now())
            if (finding.resource_kind, finding.resource_id) == (kind, group_id)
        }

    return verdicts
