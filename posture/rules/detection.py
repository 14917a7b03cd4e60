"""Detection and response checks: CW-501 to CW-505."""

from __future__ import annotations

from packaging.version import Version

from posture.resources import CacheCluster, IamPolicyFact, Inventory, ReplicationGroup, Trail
from posture.rules.context import (
    RuleContext,
    Verdict,
    check,
    errored,
    failed,
    not_applicable,
    passed,
)
from posture.rules.facts import (
    CacheResource,
    describe,
    engine_name,
    engine_version,
    missing_members_reason,
    node_clusters,
    parse_version,
)

REQUIRED_LOG_TYPES = ("slow-log", "engine-log")
# Redis OSS gained slow-log delivery in 6.0 and engine-log delivery in 6.2; Valkey has both.
LOG_MINIMUM_REDIS = {"slow-log": Version("6.0"), "engine-log": Version("6.2")}


def _deliverable_logs(
    resource: ReplicationGroup | CacheCluster, ctx: RuleContext
) -> tuple[tuple[str, ...], Verdict | None]:
    """The log types this engine version can deliver, or the verdict when none or unknown."""
    subject = describe(resource, ctx)
    engine = engine_name(resource)
    if engine == "memcached":
        return (), not_applicable(f"{subject}: Memcached has no slow-log or engine-log delivery")
    if engine != "redis":
        return REQUIRED_LOG_TYPES, None
    version = parse_version(engine_version(resource, ctx))
    if version is None:
        reason = (
            missing_members_reason(resource, ctx)
            if isinstance(resource, ReplicationGroup)
            else None
        )
        return (), errored(reason or f"{subject} reports no engine version")
    possible = tuple(t for t in REQUIRED_LOG_TYPES if version >= LOG_MINIMUM_REDIS[t])
    if not possible:
        return (), not_applicable(
            f"{subject}: log delivery needs Redis OSS 6.0 (slow log) or 6.2 (engine log)"
        )
    return possible, None


@check("CW-501")
def check_logs_delivered(resource: ReplicationGroup | CacheCluster, ctx: RuleContext) -> Verdict:
    """CW-501: slow and engine logs are the trail an incident responder follows."""
    subject = describe(resource, ctx)
    wanted, verdict = _deliverable_logs(resource, ctx)
    if verdict:
        return verdict
    active = {c.log_type for c in resource.log_delivery_configurations if c.status == "active"}
    missing = [log_type for log_type in wanted if log_type not in active]
    skipped = [t for t in REQUIRED_LOG_TYPES if t not in wanted]
    note = f" ({' and '.join(skipped)} needs Redis OSS 6.2)" if skipped else ""
    if missing:
        return failed(
            f"{subject} does not deliver {' and '.join(missing)} (no active configuration){note}"
        )
    return passed(f"{subject} delivers {' and '.join(wanted)}{note}")


def _tag_problems(tags: dict[str, str], ctx: RuleContext) -> list[str]:
    problems: list[str] = []
    for key in ctx.policy.tags.required:
        allowed = ctx.policy.tags.allowed_values.get(key, ())
        if key not in tags:
            problems.append(f"tag {key} is missing")
        elif allowed and tags[key] not in allowed:
            problems.append(f"tag {key}={tags[key]!r} is not one of {', '.join(allowed)}")
    return problems


@check("CW-502")
def check_required_tags(resource: CacheResource, ctx: RuleContext) -> Verdict:
    """CW-502: ownership and data-class tags route findings to the right people."""
    subject = describe(resource, ctx)
    if not ctx.policy.tags.required:
        return not_applicable(f"{subject}: the policy requires no tags")
    if not resource.arn:
        return errored(f"{subject} has no ARN to look its tags up by")
    problems = _tag_problems(dict(ctx.tags_of(resource.arn)), ctx)
    if problems:
        return failed(f"{subject}: {'; '.join(problems)}")
    return passed(f"{subject} carries every required tag ({', '.join(ctx.policy.tags.required)})")


def _covers_region(trail: Trail, region: str) -> bool:
    return trail.is_multi_region_trail or trail.home_region == region


def _has_trails(inventory: Inventory, ctx: RuleContext) -> bool:
    """No trail data (not collected): CW-503 produces no finding rather than a wrong one."""
    return inventory.trails is not None


@check("CW-503", applies=_has_trails)
def check_api_activity_recorded(inventory: Inventory, ctx: RuleContext) -> Verdict:
    """CW-503: without a trail, nobody can tell who changed or deleted a cache."""
    where = f"account {inventory.account} region {inventory.region}"
    trails = inventory.trails or ()
    covering = [t for t in trails if _covers_region(t, inventory.region)]
    recording = [t.name for t in covering if t.is_logging and t.records_management_events]
    if recording:
        return passed(f"{where}: trail {', '.join(recording)} records management events")
    if covering:
        names = ", ".join(t.name for t in covering)
        return failed(
            f"{where}: trail {names} covers the region but is stopped or skips management events"
        )
    return failed(f"{where}: no CloudTrail trail covers this region")


@check("CW-504")
def check_event_notifications(
    resource: ReplicationGroup | CacheCluster, ctx: RuleContext
) -> Verdict:
    """CW-504: SNS events tell the team about failovers, node replacements and errors."""
    subject = describe(resource, ctx)
    if isinstance(resource, ReplicationGroup):
        reason = missing_members_reason(resource, ctx)
        if reason:
            return errored(reason)
    silent = [
        c.cache_cluster_id
        for c in node_clusters(resource, ctx)
        if not (
            c.notification_configuration and c.notification_configuration.topic_status == "active"
        )
    ]
    if silent:
        return failed(f"{subject} has no active SNS notification topic on {', '.join(silent)}")
    topics = {
        c.notification_configuration.topic_arn
        for c in node_clusters(resource, ctx)
        if c.notification_configuration and c.notification_configuration.topic_arn
    }
    return passed(f"{subject} sends events to {', '.join(sorted(topics)) or 'an active topic'}")


def _is_admin(principal: str, admins: tuple[str, ...]) -> bool:
    """Admins may be listed by full ARN or by the name after the last slash."""
    name = principal.rsplit("/", 1)[-1]
    return principal in admins or name in admins


def _broad_grants(policies: tuple[IamPolicyFact, ...], admins: tuple[str, ...]) -> list[str]:
    grants: list[str] = []
    for policy in policies:
        if not policy.allows_broad_elasticache:
            continue
        outsiders = [p for p in policy.attached_to if not _is_admin(p, admins)]
        if outsiders:
            actions = ", ".join(policy.broad_actions) or "broad ElastiCache actions"
            name = policy.policy_name or policy.policy_arn
            grants.append(f"{name} ({actions}) attached to {', '.join(outsiders)}")
    return grants


def _has_iam_policies(inventory: Inventory, ctx: RuleContext) -> bool:
    return inventory.iam_policies is not None


@check("CW-505", applies=_has_iam_policies)
def check_least_privilege(inventory: Inventory, ctx: RuleContext) -> Verdict:
    """CW-505: `elasticache:*` on `*` lets any holder delete or open every cache."""
    where = f"account {inventory.account}"
    grants = _broad_grants(inventory.iam_policies or (), ctx.policy.access.admin_principals)
    if grants:
        return failed(
            f"{where}: customer-managed policy {'; '.join(grants)}, outside the admin list"
        )
    return passed(
        f"{where}: no customer-managed policy grants broad ElastiCache access beyond admins"
    )
