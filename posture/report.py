"""Turn a run's findings into the neutral messages the chat renderers draw.

Pure functions: findings in, `AuditSummary` / `FindingsThread` out. Both show one line per
root cause (posture.overlaps folds a weaker rule under a stronger one on the same resource),
list accepted risks with who and until when, and show fixed findings as resolved.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from posture.findings import Finding, Status
from posture.messages import (
    AcceptedLine,
    AuditSummary,
    FindingAction,
    FindingLine,
    FindingsThread,
    ResourceFindings,
    SeverityCounts,
    TopFinding,
)
from posture.overlaps import ResourceKey, RootCause, resource_key, root_causes
from posture.remediation.rebuild import ALWAYS_REBUILT
from posture.suppressions import AcceptedRisk

_FINDING_ID_HEX_CHARS = 24  # 96 bits: collisions within one run are not a practical concern
TOP_SHOWN = 3

FindingKey = tuple[str, str, str, str, str]
Resolved = Mapping[FindingKey, str]  # finding key -> who fixed it (the fix was verified)


def finding_id(run_id: str, finding: Finding) -> str:
    """A short opaque id for a button value: hex digits only, stable for (run, finding key)."""
    return key_finding_id(run_id, finding.key)


def key_finding_id(run_id: str, key: FindingKey) -> str:
    """`finding_id` from the key alone (to find a posted line again without the finding)."""
    # JSON framing keeps ("a", "bc") and ("ab", "c") apart.
    material = json.dumps([run_id, *key], ensure_ascii=False)
    digest = hashlib.sha256(material.encode("utf-8")).hexdigest()
    return digest[:_FINDING_ID_HEX_CHARS]


_ENGINE_NOTE = re.compile(r"^\s*\([^()]*\)")


def key_evidence(finding: Finding) -> str:
    """The evidence without its leading subject ("replication group x (redis 7.1)"): a thread
    line sits under its resource's heading, so the name would only be repeated."""
    text = finding.evidence.strip()
    kind = str(finding.resource_kind).replace("_", " ")
    for subject in (f"{kind} {finding.resource_id}", finding.resource_id):
        if subject and text.casefold().startswith(subject.casefold()):
            rest = _ENGINE_NOTE.sub("", text[len(subject) :]).lstrip(" :;,")
            return rest or text
    return text


def finding_actions(
    rule_id: str, fixable_rules: frozenset[str], status: Status = Status.FAIL
) -> tuple[FindingAction, ...]:
    """Only actions that apply: a fixed or accepted finding can still be explained, no more."""
    if status is not Status.FAIL:
        return (FindingAction.EXPLAIN,)
    if rule_id in fixable_rules:
        return (FindingAction.EXPLAIN, FindingAction.REQUEST_FIX, FindingAction.ACCEPT_RISK)
    if rule_id in ALWAYS_REBUILT:  # the fix is a migration to a rebuilt copy (issue 17)
        return (FindingAction.EXPLAIN, FindingAction.REQUEST_REBUILD, FindingAction.ACCEPT_RISK)
    return (FindingAction.EXPLAIN, FindingAction.ACCEPT_RISK)


def _accepted_by_key(accepted: Iterable[AcceptedRisk]) -> dict[FindingKey, AcceptedRisk]:
    return {risk.key: risk for risk in accepted}


def _line(
    run_id: str,
    cause: RootCause,
    fixable_rules: frozenset[str],
    accepted: Mapping[FindingKey, AcceptedRisk],
    resolved: Resolved,
) -> FindingLine:
    finding = cause.lead
    risk = accepted.get(finding.key) if finding.status is Status.SUPPRESSED else None
    fixed_by = resolved.get(finding.key) if finding.status is Status.FAIL else None
    status = Status.PASS if fixed_by is not None else finding.status
    return FindingLine(
        finding_id=finding_id(run_id, finding),
        rule_id=finding.rule_id,
        title=finding.title,
        headline=finding.failure or finding.title,
        category=finding.category,
        severity=finding.severity,
        aliases=finding.aliases,
        evidence=key_evidence(finding),
        status=status,
        actions=finding_actions(finding.rule_id, fixable_rules, status),
        also=cause.also,
        accepted_by=risk.accepted_by if risk else None,
        accepted_until=risk.until if risk else None,
        resolved_by=fixed_by,
    )


def _unique_failing(findings: Iterable[Finding]) -> list[Finding]:
    """Failing and suppressed findings; a repeated (rule, resource) key is kept once."""
    seen: set[FindingKey] = set()
    kept = []
    for finding in findings:
        if finding.status not in (Status.FAIL, Status.SUPPRESSED) or finding.key in seen:
            continue
        seen.add(finding.key)
        kept.append(finding)
    return kept


def _line_order(line: FindingLine) -> tuple[int, int, str]:
    return (0 if line.is_open else 1, -line.severity.rank, line.rule_id)


def _resource(key: ResourceKey, lines: list[FindingLine], engine: str | None) -> ResourceFindings:
    kind, resource_id, account, region = key
    return ResourceFindings(
        resource_kind=kind,
        resource_id=resource_id,
        account=account,
        region=region,
        engine=engine,
        findings=tuple(sorted(lines, key=_line_order)),
    )


def _resource_order(resource: ResourceFindings) -> tuple[int, int, str, str, str, str]:
    has_open = any(line.is_open for line in resource.findings)
    return (
        0 if has_open else 1,
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


def _grouped(
    run_id: str,
    part: list[Finding],
    fixable_rules: frozenset[str],
    accepted: Mapping[FindingKey, AcceptedRisk],
    resolved: Resolved,
) -> tuple[ResourceFindings, ...]:
    lines: dict[ResourceKey, list[FindingLine]] = {}
    engines: dict[ResourceKey, str | None] = {}
    for cause in root_causes(_unique_failing(part)):
        key = resource_key(cause.lead)
        lines.setdefault(key, []).append(_line(run_id, cause, fixable_rules, accepted, resolved))
        engines[key] = engines.get(key) or cause.lead.engine
    resources = [_resource(key, group, engines[key]) for key, group in lines.items()]
    return tuple(sorted(resources, key=_resource_order))


def build_findings_thread(
    run_id: str,
    findings: Iterable[Finding],
    *,
    fixable_rules: frozenset[str],
    accepted: Iterable[AcceptedRisk] = (),
    resolved: Resolved | None = None,
) -> FindingsThread:
    """Failing, accepted and fixed findings grouped by resource, open and worst first.

    One line per root cause; cost findings are grouped apart, so a cost finding never
    sits among security ones; checks that could not run become readable error lines.
    """
    items = tuple(findings)
    by_key = _accepted_by_key(accepted)
    done = resolved or {}
    security = [f for f in items if not f.is_cost]
    cost = [f for f in items if f.is_cost]
    errored = sorted(
        (f for f in items if f.status is Status.ERROR),
        key=lambda f: (f.rule_id, f.resource_id, f.account, f.region),
    )
    return FindingsThread(
        run_id=run_id,
        resources=_grouped(run_id, security, fixable_rules, by_key, done),
        cost_resources=_grouped(run_id, cost, fixable_rules, by_key, done),
        errors=tuple(describe_error(f) for f in errored),
    )


def _top(causes: list[RootCause]) -> tuple[TopFinding, ...]:
    """The worst root causes, one per rule: the first resource named, the others counted."""
    ordered = sorted(
        causes,
        key=lambda c: (-c.lead.severity.rank, c.lead.rule_id, c.lead.resource_id, c.lead.region),
    )
    by_rule: dict[str, list[RootCause]] = {}
    for cause in ordered:
        by_rule.setdefault(cause.lead.rule_id, []).append(cause)
    tops = []
    for same in list(by_rule.values())[:TOP_SHOWN]:
        first = same[0].lead
        tops.append(
            TopFinding(
                severity=first.severity,
                headline=first.headline,
                rule_id=first.rule_id,
                also=same[0].also,
                resource_kind=str(first.resource_kind),
                resource_id=first.resource_id,
                account=first.account,
                region=first.region,
                others=len(same) - 1,
            )
        )
    return tuple(tops)


def _accepted_lines(
    suppressed: list[Finding], accepted: Mapping[FindingKey, AcceptedRisk]
) -> tuple[AcceptedLine, ...]:
    lines = []
    for finding in sorted(suppressed, key=lambda f: (-f.severity.rank, f.rule_id, f.resource_id)):
        risk = accepted.get(finding.key)
        if risk is None:
            continue
        lines.append(
            AcceptedLine(
                headline=finding.headline,
                rule_id=finding.rule_id,
                resource_kind=str(finding.resource_kind),
                resource_id=finding.resource_id,
                accepted_by=risk.accepted_by,
                until=risk.until,
            )
        )
    return tuple(lines)


def summarise(
    run_id: str,
    findings: Iterable[Finding],
    *,
    accepted: Iterable[AcceptedRisk] = (),
    resolved: Resolved | None = None,
    **meta: Any,
) -> AuditSummary:
    """Count a run's root causes; `meta` supplies scope, state, requested_by and the rest.

    A fixed finding (its key in `resolved`) counts as resolved, not failing; a suppressed
    one counts as suppressed, never as resolved. `accounts` and `regions` default to the
    distinct values seen in the findings.
    """
    items = tuple(findings)
    done = resolved or {}
    unique = _unique_failing(items)
    still_failing = [f for f in unique if f.status is Status.FAIL and f.key not in done]
    causes = root_causes(still_failing)
    leads = [c.lead for c in causes]
    by_status = Counter(f.status for f in items)
    suppressed = [f for f in unique if f.status is Status.SUPPRESSED]
    meta.setdefault("accounts", len({f.account for f in items}))
    meta.setdefault("regions", len({f.region for f in items}))
    return AuditSummary(
        run_id=run_id,
        failing=SeverityCounts.of(f for f in leads if not f.is_cost),
        cost=SeverityCounts.of(f for f in leads if f.is_cost),
        passed=by_status[Status.PASS],
        not_applicable=by_status[Status.NOT_APPLICABLE],
        errors=by_status[Status.ERROR],
        suppressed=len(suppressed),
        resolved=sum(1 for f in unique if f.status is Status.FAIL and f.key in done),
        folded=len(still_failing) - len(leads),
        top=_top([c for c in causes if not c.lead.is_cost]),
        cost_top=_top([c for c in causes if c.lead.is_cost]),
        accepted=_accepted_lines(suppressed, _accepted_by_key(accepted)),
        **meta,
    )
