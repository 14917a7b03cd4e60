"""Explain one finding: the rule's audit and fix commands with this resource's values filled in.

The catalog writes commands with placeholders (`<replication-group-id>`,
`<security-group-id>`) so they fit every resource. A finding knows many of those values
(its id, kind, engine, region, ARN, and what its evidence names: the security group, the
port), so the person reading it can copy a command that runs as it is. Commands written
for another kind of resource (a serverless variant beside a node-based one) are left out;
placeholders nobody knows (a new password, the app's security group) stay for the reader
to fill. `/cache-explain` keeps the catalog's full, generic text.
"""

from __future__ import annotations

import re
from typing import Any

from posture.base import ResourceKind
from posture.catalog import Rule, finding_aliases
from posture.findings import Finding

_PLACEHOLDER = re.compile(r"<([a-z][a-z0-9-]*)>")
_SECURITY_GROUP = re.compile(r"\bsg-[0-9a-f]{8,17}\b")
_PORT = re.compile(r"\bport (\d{2,5})\b")
_KMS_ARN = re.compile(r"\barn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}\b")

# Placeholders that name the resource itself, by the kind of resource a finding is about.
_ID_PLACEHOLDERS: dict[ResourceKind, tuple[str, ...]] = {
    ResourceKind.REPLICATION_GROUP: ("replication-group-id",),
    ResourceKind.CACHE_CLUSTER: ("cache-cluster-id", "memcached-cluster-id"),
    ResourceKind.SERVERLESS_CACHE: ("serverless-cache-name",),
    ResourceKind.SNAPSHOT: ("snapshot-name", "serverless-snapshot-name"),
    ResourceKind.USER: ("user-id", "open-user-id"),
}
_OTHER_KIND_IDS = frozenset(p for ids in _ID_PLACEHOLDERS.values() for p in ids)


def known_values(finding: Finding) -> dict[str, str]:
    """Placeholder name -> value, for what this finding can vouch for."""
    values = dict.fromkeys(_ID_PLACEHOLDERS.get(finding.resource_kind, ()), finding.resource_id)
    if finding.engine:
        values["engine"] = finding.engine
    if finding.resource_arn:
        values["resource-arn"] = finding.resource_arn
    groups = sorted(set(_SECURITY_GROUP.findall(finding.evidence)))
    if len(groups) == 1:  # with several, which one a command means is the reader's call
        values["security-group-id"] = groups[0]
    ports = set(_PORT.findall(finding.evidence))
    if len(ports) == 1:
        values["cache-port"] = ports.pop()
    keys = set(_KMS_ARN.findall(finding.evidence))
    if len(keys) == 1:
        values["kms-key-arn"] = keys.pop()
    return values


def split_commands(text: str) -> list[str]:
    """Shell commands, each with its `\\` continuation lines; blank lines dropped."""
    commands: list[str] = []
    current: list[str] = []
    for line in text.strip().splitlines():
        if not line.strip():
            continue
        current.append(line)
        if not line.rstrip().endswith("\\"):
            commands.append("\n".join(current))
            current = []
    if current:
        commands.append("\n".join(current))
    return commands


def _for_this_kind(command: str, values: dict[str, str]) -> bool:
    """False for a command that needs another kind of resource's id than this finding's."""
    wanted = set(_PLACEHOLDER.findall(command)) & _OTHER_KIND_IDS
    return not wanted or bool(wanted & values.keys())


def fill_commands(text: str, values: dict[str, str]) -> str:
    """The commands that apply to this resource, with every known placeholder replaced.

    Variants for other kinds are dropped only when a variant for this kind exists; if none
    does (a rule checked on a group's member clusters), every variant stays, unfilled.
    """
    commands = split_commands(text)
    kept = [c for c in commands if _for_this_kind(c, values)]
    if not any(set(_PLACEHOLDER.findall(c)) & _OTHER_KIND_IDS & values.keys() for c in kept):
        kept = commands
    filled = [_PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), c) for c in kept]
    return "\n".join(filled)


def finding_explanation(rule: Rule, finding: Finding) -> dict[str, Any]:
    """What the Explain modal shows for one finding; pure data, rendered per platform."""
    values = known_values(finding)
    fix = rule.remediation
    return {
        "rule_id": rule.id,
        # What is wrong, when the catalog words it (`failure`), else the rule's desired state.
        "title": rule.failure or rule.title,
        "severity": str(finding.severity),
        "resource_kind": str(finding.resource_kind),
        "resource_id": finding.resource_id,
        "account": finding.account,
        "region": finding.region,
        "evidence": finding.evidence,
        "rationale": rule.rationale,
        "audit": fill_commands(rule.audit, values),
        "fix_kind": str(fix.fix_kind),
        "fix": fill_commands(fix.cli, values),
        "backout": rule.backout,
        "aliases": {fw: list(ids) for fw, ids in finding_aliases(rule.id).items()},
        "unfilled": sorted(
            set(_PLACEHOLDER.findall(fill_commands(rule.audit + "\n" + fix.cli, values)))
        ),
    }
