"""Rules of the authentication family: CW-201..CW-205 (AUTH tokens, RBAC users)."""

from __future__ import annotations

from posture.base import Engine, ResourceKind, Severity
from posture.catalog import _access_snippets as snip
from posture.catalog.model import FixKind, Framework, Remediation, Rule, RuleCategory

FAMILY = "authentication"
_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest"
_KEY_VALUE_ENGINES = (Engine.REDIS, Engine.VALKEY)
_NODE_BASED = (ResourceKind.REPLICATION_GROUP, ResourceKind.CACHE_CLUSTER)
_AUTHN_STANDARDS = (
    "NIST SP 800-53 IA-2",
    "NIST SP 800-53 AC-3",
    "PCI DSS v4.0 8.3.1",
    "HIPAA 164.312(d)",
    "SOC 2 CC6.1",
)
_TOKEN_FIX_PERMISSIONS = (
    "elasticache:ModifyReplicationGroup",
    "elasticache:DescribeReplicationGroups",
)
_CREATE_USERS_PERMISSIONS = (
    "elasticache:CreateUser",
    "elasticache:CreateUserGroup",
    "elasticache:DescribeUserGroups",
)
_CREATE_USERS_STEPS = (
    "In the ElastiCache console, open User management and create a user named default "
    "with access off (a replacement for the built-in open default user).",
    "Create one user per application with a password (or IAM authentication) and an "
    "access string limited to its key prefix and the commands it needs.",
    "Open User group management and create a group with the same engine holding the "
    "disabled default user and the application users.",
)

CW_201 = Rule(
    id="CW-201",
    title="Redis OSS caches before 6.0 require an AUTH token",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Redis OSS before 6.0 accepts clients without an AUTH token",
    family=FAMILY,
    resource_kinds=_NODE_BASED,
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
        fix_kind=FixKind.IN_PLACE,
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
        permissions=_TOKEN_FIX_PERMISSIONS,
    ),
    backout=(
        "ROTATE keeps the previous way in valid next to the new token and only SET "
        "removes it, so if clients fail after ROTATE, hold off SET and fix them first. "
        "After SET there is no switch back to an open cache (the DELETE strategy exists "
        "only for moving to RBAC): restore a broken client by giving it the token."
    ),
    compliance=_AUTHN_STANDARDS,
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
    ),
    references=(
        f"{_DOCS}/dg/auth.html",
        f"{_DOCS}/APIReference/API_ModifyReplicationGroup.html",
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

CW_202 = Rule(
    id="CW-202",
    title="Redis OSS 6.0+ and Valkey caches authenticate every client",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Cache accepts clients with neither an AUTH token nor an RBAC user group",
    family=FAMILY,
    resource_kinds=_NODE_BASED,
    engines=_KEY_VALUE_ENGINES,
    rationale=(
        "A cache with neither an AUTH token nor an RBAC user group lets any connection "
        "run any command as the all-powerful default user. Network controls are then the "
        "only barrier, and one security group mistake or compromised neighbour exposes "
        "all data. RBAC adds per-application users with scoped keys and commands, and "
        "passwords that can be rotated without downtime."
    ),
    audit=snip.RBAC_GROUP_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
        cli=snip.RBAC_ATTACH_CLI,
        cloudformation=snip.RBAC_ATTACH_CFN,
        terraform=snip.RBAC_ATTACH_TERRAFORM,
        console=(
            "Make sure encryption in transit is on (CW-101): user groups require it.",
            *_CREATE_USERS_STEPS,
            "Give each application its credentials before the next step: from then on, "
            "unauthenticated connections are refused.",
            "Select the cache, choose Actions, then Modify; under Security choose User "
            "group access control, pick the group and apply immediately.",
        ),
        permissions=(
            *_CREATE_USERS_PERMISSIONS,
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
    compliance=_AUTHN_STANDARDS,
    permissions=(
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeUserGroups",
    ),
    references=(
        f"{_DOCS}/dg/Clusters.RBAC.html",
        f"{_DOCS}/dg/auth.html",
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

CW_203 = Rule(
    id="CW-203",
    title="No enabled RBAC user in a cache's user group connects without a password",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="An enabled RBAC user of the cache connects without a password",
    family=FAMILY,
    # Reported on the cache the user group is attached to (standalone clusters have no RBAC).
    resource_kinds=(ResourceKind.REPLICATION_GROUP, ResourceKind.SERVERLESS_CACHE),
    engines=_KEY_VALUE_ENGINES,
    rationale=(
        "A user with authentication type no-password and an access string that starts "
        "with on is an open door: anyone who reaches the endpoint gets that user's rights. "
        "The built-in default user is exactly that (on ~* +@all), so a user group that "
        "still contains it gives the cache no real authentication, whatever other users "
        "it holds."
    ),
    audit=snip.OPEN_USER_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
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
        f"{_DOCS}/dg/Clusters.RBAC.html",
        f"{_DOCS}/APIReference/API_ModifyUserGroup.html",
    ),
)

CW_204 = Rule(
    id="CW-204",
    title="AUTH tokens are rotated within the policy's maximum age",
    severity=Severity.MEDIUM,
    category=RuleCategory.SECURITY,
    failure="AUTH token is older than the policy's maximum age",
    family=FAMILY,
    resource_kinds=_NODE_BASED,
    engines=_KEY_VALUE_ENGINES,
    rationale=(
        "An AUTH token is a shared secret copied into every client's configuration, "
        "deployment pipeline and often logs; the longer it lives, the more places it "
        "leaks to and the longer a leaked copy stays useful. Regular rotation bounds that "
        "window. The maximum age comes from the organisation's policy (90 days unless set)."
    ),
    audit=snip.AUTH_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
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
        permissions=_TOKEN_FIX_PERMISSIONS,
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
        f"{_DOCS}/dg/auth.html",
        f"{_DOCS}/APIReference/API_ModifyReplicationGroup.html",
    ),
)

CW_205 = Rule(
    id="CW-205",
    title="Serverless caches authenticate clients through an RBAC user group",
    severity=Severity.HIGH,
    category=RuleCategory.SECURITY,
    failure="Serverless cache has no RBAC user group",
    family=FAMILY,
    resource_kinds=(ResourceKind.SERVERLESS_CACHE,),
    engines=_KEY_VALUE_ENGINES,
    rationale=(
        "Serverless caches do not support AUTH tokens: RBAC is their only access control. "
        "Without a user group, any client that reaches the endpoint acts as the default "
        "user with full rights over every key, so a single network mistake exposes and "
        "lets anyone wipe the data."
    ),
    audit=snip.SERVERLESS_GROUP_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
        cli=snip.SERVERLESS_GROUP_CLI,
        cloudformation=snip.SERVERLESS_GROUP_CFN,
        terraform=snip.SERVERLESS_GROUP_TERRAFORM,
        console=(
            *_CREATE_USERS_STEPS,
            "Give each application its credentials before the next step.",
            "Select the serverless cache, choose Actions, then Modify, pick the user "
            "group under access control and save.",
        ),
        permissions=(
            *_CREATE_USERS_PERMISSIONS,
            "elasticache:ModifyServerlessCache",
            "elasticache:DescribeServerlessCaches",
        ),
    ),
    backout=(
        "Run modify-serverless-cache with --remove-user-group to detach the group; the "
        "cache is open again, so use it only while a broken client is given credentials."
    ),
    compliance=_AUTHN_STANDARDS,
    permissions=(
        "elasticache:DescribeServerlessCaches",
        "elasticache:DescribeUserGroups",
    ),
    references=(
        f"{_DOCS}/dg/Clusters.RBAC.html",
        f"{_DOCS}/APIReference/API_ModifyServerlessCache.html",
    ),
)

CW_206 = Rule(
    id="CW-206",
    title="No password user in a cache's user group can run dangerous commands on every key",
    severity=Severity.HIGH,
    family=FAMILY,
    resource_kinds=(ResourceKind.REPLICATION_GROUP, ResourceKind.SERVERLESS_CACHE),
    engines=_KEY_VALUE_ENGINES,
    rationale=(
        "RBAC only limits damage when each user gets the commands and keys its job needs. "
        "A password user whose access string grants +@all, allcommands or +@dangerous (or "
        "FLUSHALL, FLUSHDB, KEYS, CONFIG, DEBUG, SHUTDOWN one by one) on every key turns one "
        "leaked application password into the power to wipe the cache, list every key or "
        "read out all of its data. Limit each user to its key prefix and drop the dangerous "
        "category; list true administrators in the policy's [auth] admin_users."
    ),
    audit=snip.BROAD_USER_AUDIT,
    remediation=Remediation(
        fix_kind=FixKind.IN_PLACE,
        cli=snip.BROAD_USER_CLI,
        cloudformation=snip.BROAD_USER_CFN,
        terraform=snip.BROAD_USER_TERRAFORM,
        console=(
            "In the ElastiCache console, open User management and select the user.",
            "Choose Modify and replace the access string with one limited to the "
            "application's key prefix, for example on ~app:* -@all +@read +@write -@dangerous.",
            "Check the application against a test copy first: a command the new string "
            "denies fails straight away with a NOPERM error.",
        ),
        permissions=("elasticache:ModifyUser", "elasticache:DescribeUsers"),
    ),
    backout=(
        "Run modify-user --access-string with the user's previous access string (kept in "
        "the finding's evidence); the user gets its broad rights back at once."
    ),
    compliance=(
        "NIST SP 800-53 AC-6",
        "NIST SP 800-53 AC-3",
        "PCI DSS v4.0 7.2.1",
        "HIPAA 164.312(a)(1)",
        "SOC 2 CC6.3",
    ),
    permissions=(
        "elasticache:DescribeUsers",
        "elasticache:DescribeUserGroups",
        "elasticache:DescribeReplicationGroups",
        "elasticache:DescribeServerlessCaches",
    ),
    references=(
        f"{_DOCS}/dg/Clusters.RBAC.html",
        f"{_DOCS}/APIReference/API_ModifyUser.html",
        "https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/",
    ),
    category=RuleCategory.SECURITY,
    failure="A password user can run every or dangerous command on every key",
)
