"""Least-privilege IAM policies generated from what the rules and fixes declare."""

from __future__ import annotations

import json
from typing import Any

from posture.catalog import FixKind, all_rules
from posture.rotation_plan import ROTATION_ACTIONS

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


def _policy(sid: str, actions: set[str]) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": "*"}],
    }


def audit_policy() -> dict[str, Any]:
    """Read-only: every action any rule's evaluation needs."""
    actions = set(COLLECTOR_ACTIONS)
    for rule in all_rules():
        actions.update(rule.permissions)
    return _policy("CachewardenAuditReadOnly", actions)


def remediation_policy() -> dict[str, Any]:
    """Only the calls of fixes that run in place; rebuilds and manual steps stay with people."""
    actions: set[str] = set()
    for rule in all_rules():
        if rule.remediation.fix_kind is FixKind.IN_PLACE:
            actions.update(rule.remediation.permissions)
    return _policy("CachewardenRemediation", actions)


def rotation_policy() -> dict[str, Any]:
    """Every call an AUTH token or RBAC password rotation makes, and nothing else."""
    return _policy("CachewardenTokenRotation", set(ROTATION_ACTIONS))


def organization_policy() -> dict[str, Any]:
    """For the management-account principal that lists accounts and assumes the audit role."""
    return _policy("CachewardenOrganizationScan", set(ORGANIZATION_ACTIONS))


POLICIES = {
    "audit": audit_policy,
    "remediation": remediation_policy,
    "rotation": rotation_policy,
    "organization": organization_policy,
}


def render_policy(kind: str) -> str:
    return json.dumps(POLICIES[kind](), indent=2)
