"""Turn a run's findings into the neutral messages the chat renderers draw.

Pure functions: findings in, `AuditSummary` / `FindingsThread` out.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from posture.catalog.model import RuleCategory
from posture.findings import Finding, Status
from posture.messages import (
    AuditSummary,
    FindingAction,
    FindingLine,
    FindingsThread,
    ResourceFindings,
    SeverityCounts,
)

_FINDING_ID_HEX_CHARS = 24  # 96 bits: collisions within one run are not a practical concern

ResourceKey = tuple[str, str, str, str]  # (kind, id, account, region)


def finding_id(run_id: str, finding: Finding) -> str:
    """A short opaque id for a button value: hex digits only, stable for (run, finding key)."""
    # JSON framing keeps ("a", "bc") and ("ab", "c") apart.
    material = json.dumps([run_id, *finding.key], ensure_ascii=False)
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()
    return digest[:_FINDING_ID_HEX_CHARS]


def finding_actions(rule_id: str, fixable_rules: frozenset[str]) -> tuple[FindingAction, ...]:
    if rule_id in fixable_rules:
        return (FindingAction.EXPLAIN, FindingAction.REQUEST_FIX, FindingAction.ACCEPT_RISK)
    return (FindingAction.EXPLAIN, FindingAction.ACCEPT_RISK)


def _resource_key(finding: Finding) -> ResourceKey:
    return (str(finding.resource_kind), finding.resource_id, finding.account, finding.region)


def _line(run_id: str, finding: Finding, fixable_rules: frozenset[str]) -> FindingLine:
    return FindingLine(
        finding_id=finding_id(run_id, finding),
        rule_id=finding.rule_id,
        title=finding.title,
        headline=finding.headline,
        category=finding.category,
        severity=finding.severity,
        aliases=finding.aliases,
        evidence=finding.evidence,
        status=finding.status,
        actions=finding_actions(finding.rule_id, fixable_rules),
    )


def _group(findings: Iterable[Finding]) -> dict[ResourceKey, list[Finding]]:
    """Failing findings by resource; a repeated (rule, resource) key is kept once."""
    groups: dict[ResourceKey, list[Finding]] = {}
    seen: set[tuple[str, str, str, str, str]] = set()
    for finding in findings:
        if finding.status is not Status.FAIL or finding.key in seen:
            continue
        seen.add(finding.key)
        groups.setdefault(_resource_key(finding), []).append(finding)
    return groups


def _resource(
    run_id: str, key: ResourceKey, findings: list[Finding], fixable_rules: frozenset[str]
) -> ResourceFindings:
    ordered = sorted(findings, key=lambda f: (-f.severity.rank, f.rule_id))
    engine = next((f.engine for f in ordered if f.engine), None)
    kind, resource_id, account, region = key
    return ResourceFindings(
        resource_kind=kind,
        resource_id=resource_id,
        account=account,
        region=region,
        engine=engine,
        findings=tuple(_line(run_id, f, fixable_rules) for f in ordered),
    )


def _resource_order(resource: ResourceFindings) -> tuple[int, str, str, str, str]:
    return (
        -resource.worst.rank,
        resource.resource_id,
        resource.account,
        resource.region,
        resource.resource_kind,
    )


def describe_error(finding: Finding) -> str:
    """One readable line for a check that could not be evaluated."""
    kind = str(finding.resource_kind).replace("_", " ")
    where = f"{kind} {finding.resource_id} ({finding.account}, {finding.region})"
    detail = finding.evidence.strip() or "no detail recorded"
    return f"{finding.rule_id} on {where}: {detail}"


def build_findings_thread(
    run_id: str, findings: Iterable[Finding], *, fixable_rules: frozenset[str]
) -> FindingsThread:
    """Failing findings grouped by resource, most severe first; errors as readable lines.

    Cost findings are grouped apart, so a cost finding never sits among security ones.
    """
    items = tuple(findings)
    security = [f for f in items if not f.is_cost]
    cost = [f for f in items if f.is_cost]

    def grouped(part: list[Finding]) -> tuple[ResourceFindings, ...]:
        resources = [
            _resource(run_id, key, group, fixable_rules) for key, group in _group(part).items()
        ]
        return tuple(sorted(resources, key=_resource_order))

    errored = sorted(
        (f for f in items if f.status is Status.ERROR),
        key=lambda f: (f.rule_id, f.resource_id, f.account, f.region),
    )
    return FindingsThread(
        run_id=run_id,
        resources=grouped(security),
        cost_resources=grouped(cost),
        errors=tuple(describe_error(f) for f in errored),
    )


def summarise(run_id: str, findings: Iterable[Finding], **meta: Any) -> AuditSummary:
    """Count a run's findings; `meta` supplies scope, state, requested_by and the rest.

    `accounts` and `regions` default to the distinct values seen in the findings.
    """
    items = tuple(findings)
    by_status = Counter(f.status for f in items)
    meta.setdefault("accounts", len({f.account for f in items}))
    meta.setdefault("regions", len({f.region for f in items}))
    return AuditSummary(
        run_id=run_id,
        failing=SeverityCounts.of(items, RuleCategory.SECURITY),
        cost=SeverityCounts.of(items, RuleCategory.COST),
        passed=by_status[Status.PASS],
        not_applicable=by_status[Status.NOT_APPLICABLE],
        errors=by_status[Status.ERROR],
        suppressed=by_status[Status.SUPPRESSED],
        **meta,
    )
