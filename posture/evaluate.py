"""Evaluation: every applicable (rule, resource) pair of an inventory becomes a finding."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from posture.base import ResourceKind, Severity
from posture.catalog import Control, UnknownIdError, finding_aliases, get_rule, resolve
from posture.findings import Finding, Status
from posture.policy import OrgPolicy
from posture.resources import Inventory
from posture.rules.context import RuleCheck, RuleContext, Verdict
from posture.rules.coverage import affected_rules
from posture.rules.facts import engine_label
from posture.rules.registry import (
    REGISTRY,
    ResourceIdentity,
    identify,
    identify_scope,
    resources_of_kind,
)

SCOPE_KINDS = (ResourceKind.ACCOUNT, ResourceKind.ACCOUNT_REGION)


def _rule_ids_named(name: str) -> tuple[str, ...]:
    """The CW ids a policy key means: a rule id, any alias, or a multi-rule control."""
    try:
        found = resolve(name)
    except UnknownIdError:
        return ()
    return found.rules if isinstance(found, Control) else (found.id,)


@dataclass(frozen=True)
class RuleSettings:
    """The policy's per-rule switches, with aliases already resolved to CW ids."""

    disabled: frozenset[str]
    severity: dict[str, Severity]

    @classmethod
    def from_policy(cls, policy: OrgPolicy) -> RuleSettings:
        disabled = {rid for name in policy.rules.disabled for rid in _rule_ids_named(name)}
        severity: dict[str, Severity] = {}
        # Aliases first, so an override keyed by the CW id itself wins.
        ordered = sorted(
            policy.rules.severity.items(), key=lambda item: item[0].upper().startswith("CW-")
        )
        for name, level in ordered:
            for rule_id in _rule_ids_named(name):
                severity[rule_id] = level
        return cls(frozenset(disabled), severity)


@dataclass(frozen=True)
class _Scope:
    """Everything a finding needs besides the rule and the verdict."""

    kind: ResourceKind
    identity: ResourceIdentity
    account: str
    engine: str | None


def _finding(rule_id: str, settings: RuleSettings, scope: _Scope, verdict: Verdict) -> Finding:
    rule = get_rule(rule_id)
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        failure=rule.failure,
        category=rule.category,
        aliases=finding_aliases(rule.id),
        severity=settings.severity.get(rule.id, rule.severity),
        status=verdict.status,
        resource_kind=scope.kind,
        resource_id=scope.identity.resource_id,
        resource_arn=scope.identity.resource_arn,
        account=scope.account,
        region=scope.identity.region,
        engine=scope.engine,
        evidence=verdict.evidence,
    )


def _scope_of(entry: RuleCheck, resource: object, ctx: RuleContext) -> _Scope:
    inventory = ctx.inventory
    if entry.kind in SCOPE_KINDS:
        return _Scope(entry.kind, identify_scope(entry.kind, inventory), inventory.account, None)
    identity = identify(resource, inventory)
    return _Scope(entry.kind, identity, inventory.account, engine_label(resource, ctx))


def _run_check(entry: RuleCheck, ctx: RuleContext, settings: RuleSettings) -> list[Finding]:
    findings: list[Finding] = []
    for resource in resources_of_kind(ctx.inventory, entry.kind):
        if entry.applies(resource, ctx):
            verdict = entry.check(resource, ctx)
            findings.append(
                _finding(entry.rule_id, settings, _scope_of(entry, resource, ctx), verdict)
            )
    return findings


def blocked_rules(inventory: Inventory) -> dict[str, list[str]]:
    """Rules that collection errors left without data, with the reasons, in rule order."""
    reasons: dict[str, list[str]] = {}
    for error in inventory.errors:
        reason = f"{error.operation} failed with {error.code}: {error.message}"
        for rule_id in sorted(affected_rules(error)):
            reasons.setdefault(rule_id, [])
            if reason not in reasons[rule_id]:
                reasons[rule_id].append(reason)
    return dict(sorted(reasons.items()))


def _error_finding(
    rule_id: str, reasons: list[str], inventory: Inventory, settings: RuleSettings
) -> Finding:
    kind = ResourceKind.ACCOUNT_REGION
    scope = _Scope(kind, identify_scope(kind, inventory), inventory.account, None)
    where = f"account {inventory.account} region {inventory.region}"
    verdict = Verdict(
        Status.ERROR, f"{rule_id} could not be assessed in {where}: {'; '.join(reasons)}"
    )
    return _finding(rule_id, settings, scope, verdict)


def evaluate(
    inventory: Inventory, policy: OrgPolicy, *, now: datetime | None = None
) -> list[Finding]:
    """Findings for one account and region.

    `now` defaults to when the inventory was collected, so re-evaluating a stored
    inventory gives the same answer; rules a collection error starved of data yield
    one `error` finding for the region instead of pass or fail on missing facts.
    """
    moment = now or inventory.collected_at or datetime.now(UTC)
    ctx = RuleContext.build(inventory, policy, moment)
    settings = RuleSettings.from_policy(policy)
    blocked = blocked_rules(inventory)
    findings: list[Finding] = []
    for entry in REGISTRY:
        if entry.rule_id not in settings.disabled and entry.rule_id not in blocked:
            findings.extend(_run_check(entry, ctx, settings))
    for rule_id, reasons in blocked.items():
        if rule_id not in settings.disabled:
            findings.append(_error_finding(rule_id, reasons, inventory, settings))
    return findings
