"""RBAC access: CW-202, CW-203 and CW-205, each catalog entry with its check below it."""

from __future__ import annotations

from dataclasses import dataclass

from posture.base import ResourceKind, Severity
from posture.catalog import _access_snippets as snip
from posture.catalog.access import (
    AUTHN_STANDARDS,
    CREATE_USERS_PERMISSIONS,
    CREATE_USERS_STEPS,
    DOCS,
    FAMILY,
    KEY_VALUE_ENGINES,
    NODE_BASED,
)
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory
from posture.resources import CacheCluster, ReplicationGroup, ServerlessCache, User
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
    GroupMembers,
    attached_user_groups,
    describe,
    engine_name,
    group_members,
    missing_members_reason,
    supports_rbac,
)

NodeResource = ReplicationGroup | CacheCluster


def _unknown_version(resource: NodeResource | ServerlessCache, ctx: RuleContext) -> Verdict:
    reason = None
    if isinstance(resource, ReplicationGroup):
        reason = missing_members_reason(resource, ctx)
    return errored(reason or f"{describe(resource, ctx)} reports no engine version")


def auth_scope(resource: NodeResource | ServerlessCache, ctx: RuleContext) -> Verdict | bool:
    """Whether the resource can use RBAC, or the verdict when the engine decides it."""
    if engine_name(resource) == "memcached":
        return not_applicable(
            f"{describe(resource, ctx)}: Memcached has no AUTH token or RBAC users"
        )
    rbac = supports_rbac(resource, ctx)
    return _unknown_version(resource, ctx) if rbac is None else rbac


def _group_verdict(subject: str, groups: tuple[str, ...], ctx: RuleContext) -> Verdict:
    allowed = ctx.policy.auth.allowed_user_groups
    outside = [group for group in groups if allowed and group not in allowed]
    if outside:
        return failed(
            f"{subject} uses RBAC user group {', '.join(outside)}, "
            f"which is not in the policy's allowed list ({', '.join(allowed)})"
        )
    return passed(f"{subject} authenticates through RBAC user group {', '.join(groups)}")


CW_202 = Rule(
    id="CW-202",
    title="Redis OSS 6.0+ and Valkey caches authenticate every client",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Cache accepts clients with neither an AUTH token nor an RBAC user group",
    family=FAMILY,
    resource_kinds=NODE_BASED,
    engines=KEY_VALUE_ENGINES,
    rationale=(
        "A cache with neither an AUTH token nor an RBAC user group lets any connection "
        "run any command as the all-powerful default user. Network controls are then the "
        "only barrier, and one security group mistake or compromised neighbour exposes "
        "all data. RBAC adds per-application users with scoped keys and commands, and "
        "passwords that can be rotated without downtime."
    ),
    audit=snip.RBAC_GROUP_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=snip.RBAC_ATTACH_CLI,
        cloudformation=snip.RBAC_ATTACH_CFN,
        terraform=snip.RBAC_ATTACH_TERRAFORM,
        console=(
            "Make sure encryption in transit is on (CW-101): user groups require it.",
            *CREATE_USERS_STEPS,
            "Give each application its credentials before the next step: from then on, "
            "unauthenticated connections are refused.",
            "Select the cache, choose Actions, then Modify; under Security choose User "
            "group access control, pick the group and apply immediately.",
        ),
        permissions=(
            *CREATE_USERS_PERMISSIONS,
            "elasticache:ModifyReplicationGroup",
            "elasticache:DescribeReplicationGroups",
        ),
    ),
    backout=(
        "Modify the group with --user-group-ids-to-remove <user-group-id> and "
        "--apply-immediately to detach the user group; clients connect without "
        "credentials again. Prefer fixing a broken client's user or access string with "
        "modify-user, which keeps the cache protected."
    ),
    compliance=AUTHN_STANDARDS,
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeUserGroups",
    ),
    references=(
        f"{DOCS}/dg/Clusters.RBAC.html",
        f"{DOCS}/dg/auth.html",
    ),
    aliases={Framework.AWS_CONFIG: ("elasticache-rbac-auth-enabled",)},
    alias_notes={
        "elasticache-rbac-auth-enabled": (
            "AWS Config is stricter: a Redis 6+ replication group passes only with an RBAC user "
            "group (optionally one on its allowedUserGroupIDs list), so a group that relies on "
            "an AUTH token alone is non-compliant there but passes CW-202, which accepts either "
            "form of client authentication."
        ),
    },
)


@check(CW_202)
def check_client_authentication(resource: NodeResource, ctx: RuleContext) -> Verdict:
    """CW-202: Redis OSS >= 6.0 and Valkey need an AUTH token or an RBAC user group."""
    scope = auth_scope(resource, ctx)
    if isinstance(scope, Verdict):
        return scope
    subject = describe(resource, ctx)
    if not scope:
        return not_applicable(f"{subject} predates RBAC (Redis OSS < 6.0); CW-201 covers it")
    if resource.auth_token_enabled:
        return passed(f"{subject} authenticates clients with an AUTH token")
    groups = attached_user_groups(resource, ctx) if isinstance(resource, ReplicationGroup) else ()
    if groups:
        return _group_verdict(subject, groups, ctx)
    return failed(f"{subject} has neither an AUTH token nor an RBAC user group")


def access_enabled(access_string: str | None) -> bool:
    """ACL rules apply in order, so the last of `on`/`off` decides."""
    switches = [word for word in (access_string or "").split() if word in ("on", "off")]
    return bool(switches) and switches[-1] == "on"


def is_open_user(user: User) -> bool:
    auth_type = user.authentication.type if user.authentication else None
    return auth_type == "no-password" and access_enabled(user.access_string)


@dataclass(frozen=True)
class RbacUsers:
    """A cache's RBAC user groups and the users in them (CW-203 and CW-206 judge each user)."""

    subject: str
    groups: tuple[str, ...]
    members: GroupMembers


def rbac_users(
    resource: ReplicationGroup | ServerlessCache, ctx: RuleContext
) -> RbacUsers | Verdict:
    """The users behind the cache's user groups, or the verdict when it has no users to judge."""
    scope = auth_scope(resource, ctx)
    if isinstance(scope, Verdict):
        return scope
    subject = describe(resource, ctx)
    if not scope:
        return not_applicable(f"{subject} predates RBAC (Redis OSS < 6.0), so it has no users")
    groups = attached_user_groups(resource, ctx)
    if not groups:
        return not_applicable(f"{subject} has no RBAC user group attached")
    return RbacUsers(subject, groups, group_members(groups, ctx))


CW_203 = Rule(
    id="CW-203",
    title="No enabled RBAC user in a cache's user group connects without a password",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="An enabled RBAC user of the cache connects without a password",
    family=FAMILY,
    # Reported on the cache the user group is attached to (standalone clusters have no RBAC).
    resource_kinds=(ResourceKind.REPLICATION_GROUP, ResourceKind.SERVERLESS_CACHE),
    engines=KEY_VALUE_ENGINES,
    rationale=(
        "A user with authentication type no-password and an access string that starts "
        "with on is an open door: anyone who reaches the endpoint gets that user's rights. "
        "The built-in default user is exactly that (on ~* +@all), so a user group that "
        "still contains it gives the cache no real authentication, whatever other users "
        "it holds."
    ),
    audit=snip.OPEN_USER_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=snip.OPEN_USER_CLI,
        cloudformation=snip.OPEN_USER_CFN,
        terraform=snip.OPEN_USER_TERRAFORM,
        console=(
            "In the ElastiCache console, open User management and create a user named "
            "default with access off and a password.",
            "Open the user group, add that user and remove the built-in default user "
            "(user id default); AWS manages the built-in one, so replace it rather than "
            "edit it.",
            "For any other user without a password, modify it to password authentication "
            "(or IAM) and hand the password to the applications that use it.",
        ),
        permissions=(
            "elasticache:CreateUser",
            "elasticache:ModifyUser",
            "elasticache:ModifyUserGroup",
            "elasticache:DescribeUsers",
            "elasticache:DescribeUserGroups",
        ),
    ),
    backout=(
        "Swap the users back with modify-user-group --user-ids-to-add default "
        "--user-ids-to-remove <disabled-default-user-id>, or return a user to "
        "no-password with modify-user; both reopen anonymous access, so do it only to "
        "restore service while the client gets credentials."
    ),
    compliance=(
        "NIST SP 800-53 IA-2",
        "NIST SP 800-53 AC-6",
        "PCI DSS v4.0 8.3.1",
        "HIPAA 164.312(d)",
        "SOC 2 CC6.1",
    ),
    permissions=(
        "elasticache:DescribeUsers",
        "elasticache:DescribeUserGroups",
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeServerlessCaches",
    ),
    references=(
        f"{DOCS}/dg/Clusters.RBAC.html",
        f"{DOCS}/APIReference/API_ModifyUserGroup.html",
    ),
)


@check(CW_203)
def check_no_open_user(resource: ReplicationGroup | ServerlessCache, ctx: RuleContext) -> Verdict:
    """CW-203: an enabled user without a password makes the group's other users moot."""
    found = rbac_users(resource, ctx)
    if isinstance(found, Verdict):
        return found
    subject, groups, members = found.subject, found.groups, found.members
    open_users = [
        f"{user.user_id} (user name {user.user_name or user.user_id}, "
        f"access '{user.access_string}')"
        for _group, user in members.users
        if is_open_user(user)
    ]
    if open_users:
        return failed(f"{subject} admits passwordless enabled user {'; '.join(open_users)}")
    if members.unknown:
        return errored(f"{subject}: {', '.join(members.unknown)} could not be read")
    return passed(f"{subject}: every enabled user in {', '.join(groups)} needs a password or IAM")


CW_205 = Rule(
    id="CW-205",
    title="Serverless caches authenticate clients through an RBAC user group",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Serverless cache has no RBAC user group",
    family=FAMILY,
    resource_kinds=(ResourceKind.SERVERLESS_CACHE,),
    engines=KEY_VALUE_ENGINES,
    rationale=(
        "Serverless caches do not support AUTH tokens: RBAC is their only access control. "
        "Without a user group, any client that reaches the endpoint acts as the default "
        "user with full rights over every key, so a single network mistake exposes and "
        "lets anyone wipe the data."
    ),
    audit=snip.SERVERLESS_GROUP_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.MODIFY,
        cli=snip.SERVERLESS_GROUP_CLI,
        cloudformation=snip.SERVERLESS_GROUP_CFN,
        terraform=snip.SERVERLESS_GROUP_TERRAFORM,
        console=(
            *CREATE_USERS_STEPS,
            "Give each application its credentials before the next step.",
            "Select the serverless cache, choose Actions, then Modify, pick the user "
            "group under access control and save.",
        ),
        permissions=(
            *CREATE_USERS_PERMISSIONS,
            "elasticache:ModifyServerlessCache",
            "elasticache:DescribeServerlessCaches",
        ),
    ),
    backout=(
        "Run modify-serverless-cache with --remove-user-group to detach the group; the "
        "cache is open again, so use it only while a broken client is given credentials."
    ),
    compliance=AUTHN_STANDARDS,
    permissions=(
        "elasticache:DescribeServerlessCaches",
        "elasticache:DescribeUserGroups",
    ),
    references=(
        f"{DOCS}/dg/Clusters.RBAC.html",
        f"{DOCS}/APIReference/API_ModifyServerlessCache.html",
    ),
)


@check(CW_205)
def check_serverless_user_group(cache: ServerlessCache, ctx: RuleContext) -> Verdict:
    """CW-205: RBAC is the only access control a serverless cache has."""
    subject = describe(cache, ctx)
    if engine_name(cache) == "memcached":
        return not_applicable(f"{subject}: serverless Memcached has no RBAC user groups")
    if cache.user_group_id:
        return passed(f"{subject} has user group {cache.user_group_id}")
    return failed(f"{subject} has no user group: clients that reach it connect without credentials")
