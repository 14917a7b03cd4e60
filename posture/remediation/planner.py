"""From a failing finding and a fresh inventory to the plan an approver sees. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType

from posture.base import ResourceKind
from posture.catalog import get_rule
from posture.evaluate import evaluate
from posture.findings import Finding
from posture.policy import OrgPolicy
from posture.remediation.access_fixes import plan_attach_user_group, plan_close_ingress
from posture.remediation.global_datastore import global_member_refusal
from posture.remediation.iac import drift_plan, iac_owner, template_plan
from posture.remediation.in_place import (
    plan_availability,
    plan_backups,
    plan_in_transit,
    plan_in_transit_required,
    plan_minor_upgrades,
    tls_in_place_refusal,
)
from posture.remediation.model import FixPlan, PlanKind, Runbook, RunbookStep, fingerprint
from posture.remediation.rebuild import needs_rebuild, rebuild_plan
from posture.remediation.target import Target, find_resource
from posture.resources import Inventory
from posture.rules.context import RuleContext

Planner = Callable[[Target], FixPlan]

IN_PLACE_PLANNERS: Mapping[str, Planner] = MappingProxyType(
    {
        "CW-101": plan_in_transit,
        "CW-102": plan_in_transit_required,
        "CW-202": plan_attach_user_group,
        "CW-304": plan_close_ingress,
        "CW-401": plan_backups,
        "CW-402": plan_backups,
        "CW-403": plan_availability,
        "CW-404": plan_availability,
        "CW-405": plan_minor_upgrades,
    }
)
AUTOMATED_RULES = frozenset(IN_PLACE_PLANNERS)
# Codes with which AWS refuses TLS in place; the fix then falls back to a rebuild.
IN_PLACE_REFUSALS = frozenset({"InvalidParameterCombination", "InvalidParameterValue"})
CACHE_KINDS = frozenset(
    {ResourceKind.REPLICATION_GROUP, ResourceKind.CACHE_CLUSTER, ResourceKind.SERVERLESS_CACHE}
)
_PLACEHOLDERS = {
    ResourceKind.SNAPSHOT: "<snapshot-name>",
    ResourceKind.REPLICATION_GROUP: "<replication-group-id>",
    ResourceKind.CACHE_CLUSTER: "<cache-cluster-id>",
    ResourceKind.SERVERLESS_CACHE: "<serverless-cache-name>",
}


def current_finding(
    rule_id: str,
    kind: ResourceKind,
    resource_id: str,
    inventory: Inventory,
    policy: OrgPolicy,
    now: datetime,
) -> Finding | None:
    """The rule's verdict on the resource in this inventory (None when it does not apply)."""
    for finding in evaluate(inventory, policy, now=now):
        if (finding.rule_id, finding.resource_kind, finding.resource_id) == (
            rule_id,
            kind,
            resource_id,
        ):
            return finding
    return None


def _missing(rule_id: str, kind: ResourceKind, resource_id: str, inventory: Inventory) -> FixPlan:
    return FixPlan(
        rule_id=rule_id,
        resource_kind=kind,
        resource_id=resource_id,
        account=inventory.account,
        region=inventory.region,
        kind=PlanKind.BLOCKED,
        change="Nothing can change: the resource was not found.",
        reason=f"{str(kind).replace('_', ' ')} {resource_id} no longer exists in {inventory.account}/{inventory.region}.",
        fingerprint=fingerprint({"missing": resource_id}),
    )


def _catalog_runbook(
    rule_id: str, kind: ResourceKind, resource_id: str, region: str, subject: str
) -> Runbook:
    rule = get_rule(rule_id)
    cli = rule.remediation.cli.replace(_PLACEHOLDERS.get(kind, "<id>"), resource_id)
    return Runbook(
        title=f"Fix {rule_id} on {resource_id} by hand",
        summary=f"cachewarden has no automated fix for {rule_id} here; these are the catalog's steps for {subject}.",
        steps=(
            RunbookStep(title=f"Run (in region {region})", commands=tuple(cli.splitlines())),
            RunbookStep(title="Or in the console", note=" ".join(rule.remediation.console)),
        ),
        backout=rule.backout,
    )


def manual_plan(target: Target) -> FixPlan:
    """No automated fix: the catalog's steps with this resource's id filled in."""
    rule = get_rule(target.rule_id)
    runbook = _catalog_runbook(
        target.rule_id, target.kind, target.resource_id, target.region, target.subject
    )
    return target.plan(
        PlanKind.MANUAL,
        f"Fix {target.rule_id} ({rule.title}) on {target.subject} by hand.",
        state={"manual": target.rule_id},
        runbook=runbook,
        backout=rule.backout,
    )


def catalog_plan(
    rule_id: str, kind: ResourceKind, resource_id: str, account: str, region: str
) -> FixPlan:
    """For findings on things that are not caches (snapshots, accounts): the catalog's steps."""
    rule = get_rule(rule_id)
    subject = f"{str(kind).replace('_', ' ')} {resource_id}"
    return FixPlan(
        rule_id=rule_id,
        resource_kind=kind,
        resource_id=resource_id,
        account=account,
        region=region,
        kind=PlanKind.MANUAL,
        change=f"Fix {rule_id} ({rule.title}) on {subject} by hand.",
        runbook=_catalog_runbook(rule_id, kind, resource_id, region, subject),
        backout=rule.backout,
        fingerprint=fingerprint({"catalog": rule_id, "id": resource_id}),
    )


def plan_fix(
    rule_id: str,
    kind: ResourceKind,
    resource_id: str,
    inventory: Inventory,
    policy: OrgPolicy,
    now: datetime,
    *,
    allow_drift: bool = False,
) -> FixPlan:
    """The plan for one failing rule on one resource, built from `inventory` as it is now.

    A resource a template manages gets a template change instead of live calls, unless
    the requester accepted that the stack will drift (`allow_drift`).
    """
    resource = find_resource(inventory, kind, resource_id)
    if resource is None:
        return _missing(rule_id, kind, resource_id, inventory)
    target = Target(rule_id, resource, RuleContext.build(inventory, policy, now))
    plan = _plan_for(target, rule_id, kind)
    owner = iac_owner(target.ctx.tags_of(getattr(resource, "arn", "") or ""), policy.iac)
    if owner is None or not plan.runs_calls or policy.iac.live_fix_by_default:
        return plan
    return drift_plan(plan, owner) if allow_drift else template_plan(plan, owner)


def _plan_for(target: Target, rule_id: str, kind: ResourceKind) -> FixPlan:
    if needs_rebuild(rule_id, kind):
        return rebuild_plan(target)
    refused = global_member_refusal(target)
    if refused is not None:
        return refused
    too_old = tls_in_place_refusal(target) if rule_id == "CW-101" else None
    if too_old:
        return rebuild_plan(target, why=too_old)
    planner = IN_PLACE_PLANNERS.get(rule_id)
    return planner(target) if planner else manual_plan(target)


def rebuild_fallback(
    plan: FixPlan, inventory: Inventory, policy: OrgPolicy, now: datetime, why: str
) -> FixPlan | None:
    """AWS refused an in-place TLS change: the rebuild runbook for the same resource."""
    resource = find_resource(inventory, plan.resource_kind, plan.resource_id)
    if resource is None or plan.rule_id not in ("CW-101", "CW-102"):
        return None
    return rebuild_plan(
        Target(plan.rule_id, resource, RuleContext.build(inventory, policy, now)), why=why
    )
