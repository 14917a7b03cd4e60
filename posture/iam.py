"""Least-privilege IAM policies generated from what the rules and fixes declare."""

from __future__ import annotations

import json
from typing import Any

from posture.catalog import all_rules
from posture.privileges import (
    FIX_READS,
    REBUILD_READS,
    ROTATION_READS,
    iam_actions,
    remediation_writes,
)

# What the collector itself calls beyond the rules' own reads: identity, regions, accounts.
COLLECTOR_ACTIONS = (
    "sts:GetCallerIdentity",
    "ec2:DescribeRegions",
    "elasticache:DescribeReplicationGroups",
    "elasticache:DescribeCacheClusters",
    "elasticache:DescribeServerlessCaches",
    "tag:GetResources",
)
ORGANIZATION_ACTIONS = ("organizations:ListAccounts", "sts:AssumeRole")


def _statement(sid: str, actions: set[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": "*"}


def _policy(sid: str, actions: set[str]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [_statement(sid, actions)]}


def audit_policy() -> dict[str, Any]:
    """Read-only: every action any rule's evaluation needs."""
    actions = set(COLLECTOR_ACTIONS)
    for rule in all_rules():
        actions.update(rule.permissions)
    return _policy("CachewardenAuditReadOnly", actions)


def remediation_policy() -> dict[str, Any]:
    """The remediation role: exactly the writes fixes, token rotation and approved rebuilds
    make, and their reads (a rebuild reads its copy's tags to find what it created).

    Generated from `posture.privileges`, the same list the runtime guard enforces. Manual
    runbook steps stay with people, so their calls are not here.
    """
    writes = iam_actions(remediation_writes())
    reads = iam_actions(FIX_READS | ROTATION_READS | REBUILD_READS) - writes
    return {
        "Version": "2012-10-17",
        "Statement": [
            _statement("CachewardenRemediationWrites", writes),
            _statement("CachewardenRemediationReads", reads),
        ],
    }


def organization_policy() -> dict[str, Any]:
    """For the management-account principal that lists accounts and assumes the audit role."""
    return _policy("CachewardenOrganizationScan", set(ORGANIZATION_ACTIONS))


POLICIES = {
    "audit": audit_policy,
    "remediation": remediation_policy,
    "organization": organization_policy,
}


def render_policy(kind: str) -> str:
    return json.dumps(POLICIES[kind](), indent=2)
