"""CW-206: RBAC users with a password whose access string reaches dangerous commands on all keys.

An access string is a list of ACL rules applied left to right, so the last rule that
touches a command decides whether the user may run it. We follow that order for the
commands that wipe, enumerate or reconfigure a whole cache. Categories per command
come from Redis's ACL CAT lists (https://redis.io/docs/latest/operate/oss_and_stack/
management/security/acl/), and ElastiCache's access strings follow the same grammar
(https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html).
"""

from __future__ import annotations

import re

from posture.base import ResourceKind, Severity
from posture.catalog import _access_snippets as snip
from posture.catalog.access import DOCS, FAMILY, KEY_VALUE_ENGINES
from posture.catalog.model import FixKind, Remediation, Rule, RuleCategory
from posture.resources import ReplicationGroup, ServerlessCache, User
from posture.rules.access import access_enabled, rbac_users
from posture.rules.context import (
    RuleContext,
    Verdict,
    check,
    errored,
    failed,
    passed,
)

# Command -> the ACL categories that grant it (besides @all).
DANGEROUS_COMMANDS: dict[str, frozenset[str]] = {
    "flushall": frozenset({"keyspace", "write", "slow", "dangerous"}),
    "flushdb": frozenset({"keyspace", "write", "slow", "dangerous"}),
    "keys": frozenset({"keyspace", "read", "slow", "dangerous"}),
    "config": frozenset({"admin", "slow", "dangerous"}),
    "debug": frozenset({"admin", "slow", "dangerous"}),
    "shutdown": frozenset({"admin", "slow", "dangerous"}),
}
_ALL_KEYS = re.compile(r"^(?:~\*|%[RW]{1,2}~\*|allkeys)$", re.IGNORECASE)


def covers_all_keys(access_string: str) -> bool:
    """`~*`, `%RW~*` or `allkeys`, unless a later `resetkeys` takes it back."""
    every = False
    for word in access_string.split():
        if _ALL_KEYS.match(word):
            every = True
        elif word.lower() == "resetkeys":
            every = False
    return every


def _grant(word: str, command: str) -> bool | None:
    """Whether this ACL rule allows (True), denies (False) or leaves alone (None) the command."""
    lowered = word.lower()
    if lowered in ("allcommands", "+@all"):
        return True
    if lowered in ("nocommands", "-@all"):
        return False
    if lowered[:1] not in "+-" or len(lowered) < 2:
        return None
    sign, name = lowered[0] == "+", lowered[1:]
    if name.startswith("@"):
        return sign if name[1:] in DANGEROUS_COMMANDS[command] else None
    if name.split("|", 1)[0] == command:
        return sign
    return None


def allowed_dangerous_commands(access_string: str) -> tuple[str, ...]:
    """The dangerous commands the access string leaves the user able to run."""
    allowed = []
    for command in DANGEROUS_COMMANDS:
        state = False
        for word in access_string.split():
            decided = _grant(word, command)
            if decided is not None:
                state = decided
        if state:
            allowed.append(command.upper())
    return tuple(allowed)


def broad_user_problem(user: User) -> str | None:
    """Why an enabled password user is too powerful, or None when it is not."""
    auth_type = user.authentication.type if user.authentication else None
    access = user.access_string or ""
    if auth_type != "password" or not access_enabled(access) or not covers_all_keys(access):
        return None
    commands = allowed_dangerous_commands(access)
    if not commands:
        return None
    everything = any(w.lower() in ("+@all", "allcommands") for w in access.split())
    reach = "every command" if everything else ", ".join(commands)
    name = user.user_name or user.user_id
    return f"user {name} ({user.user_id}) can run {reach} on every key (access '{access}')"


def _is_admin(user: User, admins: tuple[str, ...]) -> bool:
    return user.user_id in admins or (user.user_name is not None and user.user_name in admins)


CW_206 = Rule(
    id="CW-206",
    title="No password user in a cache's user group can run dangerous commands on every key",
    severity=Severity.HIGH,
    family=FAMILY,
    resource_kinds=(ResourceKind.REPLICATION_GROUP, ResourceKind.SERVERLESS_CACHE),
    engines=KEY_VALUE_ENGINES,
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
        fix_kind=FixKind.MODIFY,
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
        f"{DOCS}/dg/Clusters.RBAC.html",
        f"{DOCS}/APIReference/API_ModifyUser.html",
        "https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/",
    ),
    category=RuleCategory.SECURITY,
    failure="A password user can run every or dangerous command on every key",
)


@check(CW_206)
def check_no_broad_password_user(
    resource: ReplicationGroup | ServerlessCache, ctx: RuleContext
) -> Verdict:
    """CW-206: one leaked password of such a user can wipe or read out the whole cache."""
    found = rbac_users(resource, ctx)
    if isinstance(found, Verdict):
        return found
    subject, groups, members = found.subject, found.groups, found.members
    admins = ctx.policy.auth.admin_users
    problems = [
        f"{problem} in {group_id}"
        for group_id, user in members.users
        if not _is_admin(user, admins) and (problem := broad_user_problem(user))
    ]
    if problems:
        return failed(f"{subject}: {'; '.join(dict.fromkeys(problems))}")
    if members.unknown:
        return errored(f"{subject}: {', '.join(members.unknown)} could not be read")
    return passed(
        f"{subject}: no password user in {', '.join(groups)} can run dangerous commands on every key"
    )
