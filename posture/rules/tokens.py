"""AUTH tokens: required before RBAC (CW-201) and rotated in time (CW-204), each entry
with its check below it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from posture.base import Engine, Severity
from posture.catalog import _access_snippets as snip
from posture.catalog.access import (
    AUTHN_STANDARDS,
    DOCS,
    FAMILY,
    KEY_VALUE_ENGINES,
    NODE_BASED,
    TOKEN_FIX_PERMISSIONS,
)
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory
from posture.resources import ReplicationGroup
from posture.rules.access import NodeResource, auth_scope
from posture.rules.context import (
    RuleContext,
    Verdict,
    as_utc,
    check,
    failed,
    not_applicable,
    passed,
)
from posture.rules.facts import describe, engine_name

CW_201 = Rule(
    id="CW-201",
    title="Redis OSS caches before 6.0 require an AUTH token",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Redis OSS before 6.0 accepts clients without an AUTH token",
    family=FAMILY,
    resource_kinds=NODE_BASED,
    engines=(Engine.REDIS,),
    rationale=(
        "Redis OSS before 6.0 has no user accounts, so the AUTH token is the only thing "
        "between a network connection and every key. Without it, any host that can reach "
        "the port (a compromised instance, a peered VPC, a VPN user) can read, change or "
        "flush the whole dataset. The group's engine version is read from a member "
        "cluster, since the replication group does not report it."
    ),
    audit=snip.AUTH_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=snip.AUTH_ROTATE_THEN_SET_CLI,
        cloudformation=snip.AUTH_ENABLE_CFN,
        terraform=snip.AUTH_ENABLE_TERRAFORM,
        console=(
            "Make sure encryption in transit is on (CW-101): AUTH cannot be enabled without it.",
            "Generate a token of 16 to 128 characters from letters, digits and the "
            "specials ! & # $ ^ < > - only, and store it in Secrets Manager.",
            "In the ElastiCache console, select the cache, choose Actions, then Modify; "
            "under Security choose AUTH with the Rotate strategy, enter the token and "
            "apply immediately.",
            "Configure every client to send the token and confirm they connect.",
            "Modify again with the Set strategy and the same token, so it becomes the "
            "only credential the cache accepts.",
            "Plan an upgrade to 6.0 or later and move to RBAC users (CW-202).",
        ),
        permissions=TOKEN_FIX_PERMISSIONS,
    ),
    backout=(
        "ROTATE keeps the previous way in valid next to the new token and only SET "
        "removes it, so if clients fail after ROTATE, hold off SET and fix them first. "
        "After SET there is no switch back to an open cache (the DELETE strategy exists "
        "only for moving to RBAC): restore a broken client by giving it the token."
    ),
    compliance=AUTHN_STANDARDS,
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
    ),
    references=(
        f"{DOCS}/dg/auth.html",
        f"{DOCS}/APIReference/API_ModifyReplicationGroup.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html",
    ),
    aliases={
        Framework.SECURITY_HUB: ("ElastiCache.6",),
        Framework.PROWLER: ("elasticache_redis_replication_group_auth_enabled",),
        Framework.STEAMPIPE: ("elasticache_replication_group_redis_auth_enabled",),
        Framework.CHECKOV: ("CKV_AWS_31",),
        Framework.AWS_CONFIG: ("elasticache-repl-grp-redis-auth-enabled",),
    },
    alias_notes={
        "CKV_AWS_31": (
            "Checkov passes a replication group only when transit encryption is on and an AUTH "
            "token is set, whatever the engine version: it also fails TLS-less groups (our "
            "CW-101) and Redis OSS 6.0+ or Valkey groups that use RBAC user groups instead of a "
            "token, which CW-202 accepts."
        ),
        "elasticache_redis_replication_group_auth_enabled": (
            "Prowler reads replication groups only; for Redis OSS 6.0 and later it answers "
            "MANUAL, where we decide with CW-202."
        ),
    },
)


@check(CW_201)
def check_auth_token(resource: NodeResource, ctx: RuleContext) -> Verdict:
    """CW-201: Redis OSS before 6.0 has no users, so the AUTH token is its only password."""
    scope = auth_scope(resource, ctx)
    if isinstance(scope, Verdict):
        return scope
    subject = describe(resource, ctx)
    if scope:
        return not_applicable(
            f"{subject} supports RBAC (Redis OSS >= 6.0 or Valkey); CW-202 covers it"
        )
    if resource.auth_token_enabled:
        return passed(f"{subject} has an AUTH token")
    return failed(f"{subject} has no AUTH token: any client that reaches the port can connect")


def _token_changed_at(resource: NodeResource) -> tuple[datetime | None, str]:
    """When the token last changed; a token never rotated dates from the resource's creation."""
    if resource.auth_token_last_modified_date:
        return resource.auth_token_last_modified_date, "last changed"
    if isinstance(resource, ReplicationGroup):
        created = resource.replication_group_create_time
    else:
        created = resource.cache_cluster_create_time
    return created, "never rotated since creation on"


CW_204 = Rule(
    id="CW-204",
    title="AUTH tokens are rotated within the policy's maximum age",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="AUTH token is older than the policy's maximum age",
    family=FAMILY,
    resource_kinds=NODE_BASED,
    engines=KEY_VALUE_ENGINES,
    rationale=(
        "An AUTH token is a shared secret copied into every client's configuration, "
        "deployment pipeline and often logs; the longer it lives, the more places it "
        "leaks to and the longer a leaked copy stays useful. Regular rotation bounds that "
        "window. The maximum age comes from the organisation's policy (90 days unless set)."
    ),
    audit=snip.AUTH_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=snip.AUTH_ROTATE_THEN_SET_CLI,
        cloudformation=snip.AUTH_ROTATE_CFN,
        terraform=snip.AUTH_ROTATE_TERRAFORM,
        console=(
            "Generate a new token of 16 to 128 characters from letters, digits and "
            "! & # $ ^ < > - that does not resemble recent tokens.",
            "In the ElastiCache console, select the cache, choose Actions, then Modify; "
            "under Security set the AUTH token with the Rotate strategy and apply "
            "immediately. Old and new tokens are both accepted now.",
            "Roll the new token out to every client (through Secrets Manager).",
            "Modify again with the Set strategy and the new token so the old one stops working.",
        ),
        permissions=TOKEN_FIX_PERMISSIONS,
    ),
    backout=(
        "After ROTATE the old token still works, so a client that fails can keep using "
        "it while the rollout is fixed. After SET, rotate the previous token back in with "
        "ROTATE (the group holds at most two tokens) and continue from there."
    ),
    compliance=(
        "PCI DSS v4.0 8.6.3",
        "NIST SP 800-53 IA-5",
        "NIST SP 800-53 IA-5(1)",
        "HIPAA 164.308(a)(5)(ii)(D)",
        "SOC 2 CC6.1",
    ),
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
    ),
    references=(
        f"{DOCS}/dg/auth.html",
        f"{DOCS}/APIReference/API_ModifyReplicationGroup.html",
    ),
)


@check(CW_204)
def check_token_age(resource: NodeResource, ctx: RuleContext) -> Verdict:
    """CW-204: a token older than the policy's maximum age is due for rotation."""
    subject = describe(resource, ctx)
    if engine_name(resource) == "memcached":
        return not_applicable(f"{subject}: Memcached has no AUTH token")
    if not resource.auth_token_enabled:
        return not_applicable(f"{subject} has no AUTH token to rotate")
    changed, wording = _token_changed_at(resource)
    if changed is None:
        # No date means no evidence of rotation; rotating through the bot records one.
        return failed(f"{subject} has an AUTH token of unknown age (no change date reported)")
    maximum = ctx.policy.auth.maximum_token_age_days
    age = ctx.now - as_utc(changed)
    stamp = f"{wording} {changed.date().isoformat()}, {age.days} days ago"
    if age > timedelta(days=maximum):
        return failed(f"{subject} has an AUTH token {stamp}; the policy allows {maximum} days")
    return passed(f"{subject} has an AUTH token {stamp}, within {maximum} days")
