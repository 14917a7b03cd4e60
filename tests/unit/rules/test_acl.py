"""CW-206: password users that can run every or dangerous command on every key."""

from __future__ import annotations

import pytest

from posture.rules import acl
from tests.unit.rules.table import ERROR, FAIL, NA, PASS, assert_verdict, case
from tests.unit.rules.world import access_sections, policy, replication_group, serverless_cache


def with_app_access(access: str, auth_type: str = "password"):
    """The compliant group whose app user has `access` and `auth_type`."""
    sections = access_sections()
    app = sections["Users"][1]
    app["AccessString"] = access
    app["Authentication"] = {"Type": auth_type, "PasswordCount": 1}
    return lambda: replication_group(Users=sections["Users"])


BROAD_USERS = [
    case("prefix-read-write", lambda: replication_group(), PASS, "no password user in app-users"),
    case(
        "everything",
        with_app_access("on ~* +@all"),
        FAIL,
        "user app (app) can run every command on every key (access 'on ~* +@all')",
    ),
    case("allcommands-allkeys", with_app_access("on allkeys allcommands"), FAIL, "every command"),
    case("dangerous-category", with_app_access("on ~* +@read +@dangerous"), FAIL, "FLUSHALL"),
    case("one-command", with_app_access("on ~* +get +flushall"), FAIL, "can run FLUSHALL on"),
    case("keys-command", with_app_access("on ~* +@read"), FAIL, "can run KEYS"),
    case("write-category-flushes", with_app_access("on ~* +@write"), FAIL, "FLUSHALL, FLUSHDB"),
    case(
        "all-minus-dangerous",
        with_app_access("on ~* +@all -@dangerous"),
        PASS,
        "no password user",
    ),
    case(
        "read-minus-keys",
        with_app_access("on ~* -@all +get +set +@hash"),
        PASS,
        "no password user",
    ),
    case(
        "subcommand-of-config",
        with_app_access("on ~* +get +config|get"),
        FAIL,
        "CONFIG",
    ),
    case("prefix-only", with_app_access("on ~app:* +@all"), PASS, "no password user"),
    case("rw-all-keys", with_app_access("on %RW~* +@all"), FAIL, "every command"),
    case("keys-reset", with_app_access("on ~* resetkeys ~app:* +@all"), PASS, "no password"),
    case("disabled-user", with_app_access("off ~* +@all"), PASS, "no password user"),
    case("iam-user-is-not-password", with_app_access("on ~* +@all", "iam"), PASS, "no password"),
    case(
        "admin-listed-in-policy",
        with_app_access("on ~* +@all"),
        PASS,
        "no password user",
        policy(auth={"admin_users": ["app"]}),
    ),
    case(
        "user-not-collected",
        lambda: replication_group(Users=access_sections()["Users"][:1]),
        ERROR,
        "user app could not be read",
    ),
    case(
        "no-user-group",
        lambda: replication_group(group={"UserGroupIds": []}, UserGroups=[]),
        NA,
        "no RBAC user group",
    ),
    case("redis-5-has-no-users", lambda: replication_group("5.0.6"), NA, "predates RBAC"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), BROAD_USERS)
def test_cw206_no_broad_password_user(build, status, fragment, policy) -> None:
    assert_verdict(acl.check_no_broad_password_user, build, status, fragment, policy)


def test_cw206_reported_on_a_serverless_cache() -> None:
    sections = access_sections()
    sections["Users"][1]["AccessString"] = "on ~* +@all"
    sections["UserGroups"][0]["ServerlessCaches"] = ["api"]
    build = lambda: serverless_cache(Users=sections["Users"], UserGroups=sections["UserGroups"])  # noqa: E731
    assert_verdict(acl.check_no_broad_password_user, build, FAIL, "serverless cache api", None)


@pytest.mark.parametrize(
    ("access", "expected"),
    [
        ("on ~* +@all", ("FLUSHALL", "FLUSHDB", "KEYS", "CONFIG", "DEBUG", "SHUTDOWN")),
        ("on ~* +@all -flushall", ("FLUSHDB", "KEYS", "CONFIG", "DEBUG", "SHUTDOWN")),
        ("on ~* -flushall +@all", ("FLUSHALL", "FLUSHDB", "KEYS", "CONFIG", "DEBUG", "SHUTDOWN")),
        ("on ~* +@admin", ("CONFIG", "DEBUG", "SHUTDOWN")),
        ("on ~* +@all nocommands +get", ()),
    ],
)
def test_last_rule_wins(access: str, expected: tuple[str, ...]) -> None:
    assert acl.allowed_dangerous_commands(access) == expected
