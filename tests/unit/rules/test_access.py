"""CW-201 to CW-205: AUTH tokens, RBAC user groups, open users and token age."""

from __future__ import annotations

import pytest

from posture.rules import access, tokens
from tests.unit.rules.table import ERROR, FAIL, NA, PASS, assert_verdict, case
from tests.unit.rules.world import (
    access_sections,
    policy,
    replication_group,
    serverless_cache,
    standalone_cluster,
)

VALKEY_VERSIONS = ("7.2.4", "8.0.1", "8.1.0")
NO_RBAC = {"UserGroupIds": []}
WITH_TOKEN = {"AuthTokenEnabled": True, "UserGroupIds": []}


def group(version: str = "7.1.0", engine: str = "redis", **changes: object):
    return lambda: replication_group(version, engine=engine, group=changes)


def unlisted_group(version: str, **changes: object):
    """A group with no RBAC user group on either side of the link."""
    return lambda: replication_group(version, group={**NO_RBAC, **changes}, UserGroups=[])


AUTH_TOKEN = [
    case(
        "redis-5-no-token",
        unlisted_group("5.0.6"),
        FAIL,
        "replication group orders (redis 5.0.6) has no AUTH token",
    ),
    case(
        "redis-5-token", unlisted_group("5.0.6", AuthTokenEnabled=True), PASS, "has an AUTH token"
    ),
    case("redis-6.2-is-cw202", group("6.2.6"), NA, "CW-202"),
    case("redis-6.x-string-reads-as-6", group("6.x"), NA, "CW-202"),
    *(case(f"valkey-{v}-is-cw202", group(v, "valkey"), NA, "CW-202") for v in VALKEY_VERSIONS),
    case(
        "members-not-collected",
        lambda: replication_group("5.0.6", members=0, group={"MemberClusters": ["orders-001"]}),
        ERROR,
        "orders-001",
    ),
    case(
        "standalone-redis-4-no-token",
        lambda: standalone_cluster("redis", "4.0.10", cluster={"AuthTokenEnabled": False}),
        FAIL,
        "no AUTH token",
    ),
    case("memcached", lambda: standalone_cluster("memcached", "1.6.22"), NA, "Memcached"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), AUTH_TOKEN)
def test_cw201_auth_token(build, status, fragment, policy) -> None:
    assert_verdict(tokens.check_auth_token, build, status, fragment, policy)


CLIENT_AUTH = [
    case("redis-7-user-group", group(), PASS, "RBAC user group app-users"),
    *(
        case(f"valkey-{v}-user-group", group(v, "valkey"), PASS, "app-users")
        for v in VALKEY_VERSIONS
    ),
    case("redis-6.2-token", unlisted_group("6.2.6", AuthTokenEnabled=True), PASS, "AUTH token"),
    case(
        "redis-7-neither",
        unlisted_group("7.1.0"),
        FAIL,
        "neither an AUTH token nor an RBAC user group",
    ),
    case(
        "group-named-only-by-user-group",
        lambda: replication_group(group=NO_RBAC),
        PASS,
        "app-users",
    ),
    case(
        "user-group-outside-allow-list",
        group(),
        FAIL,
        "not in the policy's allowed list",
        policy(auth={"allowed_user_groups": ["platform-users"]}),
    ),
    case(
        "user-group-in-allow-list",
        group(),
        PASS,
        "app-users",
        policy(auth={"allowed_user_groups": ["app-users"]}),
    ),
    case("redis-5-is-cw201", group("5.0.6"), NA, "CW-201"),
    case("memcached", lambda: standalone_cluster("memcached", "1.6.22"), NA, "Memcached"),
    case(
        "standalone-redis-7-no-token",
        lambda: standalone_cluster(cluster={"AuthTokenEnabled": False}),
        FAIL,
        "neither",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), CLIENT_AUTH)
def test_cw202_client_authentication(build, status, fragment, policy) -> None:
    assert_verdict(access.check_client_authentication, build, status, fragment, policy)


def users_with_default(
    access_string: str, auth_type: str = "no-password"
) -> list[dict[str, object]]:
    users = access_sections()["Users"]
    users[0] = {**users[0], "AccessString": access_string, "Authentication": {"Type": auth_type}}
    return users


OPEN_USER = [
    case("default-user-off", lambda: replication_group(), PASS, "needs a password or IAM"),
    case(
        "default-user-on-without-password",
        lambda: replication_group(Users=users_with_default("on ~* +@all")),
        FAIL,
        "default-off (user name default, access 'on ~* +@all')",
    ),
    case(
        "last-switch-wins",
        lambda: replication_group(Users=users_with_default("off ~* +@all on")),
        FAIL,
        "passwordless",
    ),
    case(
        "enabled-user-with-iam",
        lambda: replication_group(Users=users_with_default("on ~* +@all", "iam")),
        PASS,
        "app-users",
    ),
    case("no-user-group", unlisted_group("7.1.0"), NA, "no RBAC user group"),
    case(
        "user-group-not-collected",
        lambda: replication_group(group={"UserGroupIds": ["ghost-group"]}, UserGroups=[]),
        ERROR,
        "user group ghost-group",
    ),
    case(
        "user-not-collected",
        lambda: replication_group(Users=access_sections()["Users"][:1]),
        ERROR,
        "user app",
    ),
    case("redis-5-has-no-users", group("5.0.6"), NA, "predates RBAC"),
    case(
        "serverless-open-default",
        lambda: serverless_cache(
            Users=users_with_default("on ~* +@all"),
            UserGroups=[{"UserGroupId": "app-users", "UserIds": ["default-off", "app"]}],
        ),
        FAIL,
        "serverless cache api (valkey 8.0)",
    ),
    case("serverless-memcached", lambda: serverless_cache("memcached"), NA, "Memcached"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), OPEN_USER)
def test_cw203_no_open_user(build, status, fragment, policy) -> None:
    assert_verdict(access.check_no_open_user, build, status, fragment, policy)


def token_changed(date: str | None, **changes: object):
    return lambda: replication_group(
        group={
            "AuthTokenEnabled": True,
            "UserGroupIds": [],
            "AuthTokenLastModifiedDate": date,
            **changes,
        }
    )


TOKEN_AGE = [
    case("rotated-10-days-ago", token_changed("2025-05-22T12:00:00Z"), PASS, "10 days ago"),
    case("exactly-90-days-passes", token_changed("2025-03-03T12:00:00Z"), PASS, "90 days ago"),
    case("91-days-fails", token_changed("2025-03-02T12:00:00Z"), FAIL, "the policy allows 90 days"),
    case(
        "naive-date-read-as-utc",
        token_changed("2025-05-01T00:00:00"),
        PASS,
        "last changed 2025-05-01",
    ),
    case(
        "stricter-policy",
        token_changed("2025-04-15T00:00:00Z"),
        FAIL,
        "allows 30 days",
        policy(auth={"maximum_token_age_days": 30}),
    ),
    case(
        "no-date-falls-back-to-creation",
        token_changed(None),
        FAIL,
        "never rotated since creation on 2025-01-01",
    ),
    case(
        "no-date-and-no-creation-time",
        token_changed(None, ReplicationGroupCreateTime=None),
        FAIL,
        "unknown age",
    ),
    case("no-token", lambda: replication_group(), NA, "no AUTH token to rotate"),
    case("memcached", lambda: standalone_cluster("memcached", "1.6.22"), NA, "Memcached"),
    case("standalone-redis", lambda: standalone_cluster(), PASS, "cache cluster sessions"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), TOKEN_AGE)
def test_cw204_token_age(build, status, fragment, policy) -> None:
    assert_verdict(tokens.check_token_age, build, status, fragment, policy)


SERVERLESS_USER_GROUP = [
    case("valkey-with-group", lambda: serverless_cache(), PASS, "user group app-users"),
    case(
        "redis-without-group",
        lambda: serverless_cache("redis", cache={"UserGroupId": None}),
        FAIL,
        "no user group",
    ),
    case(
        "memcached",
        lambda: serverless_cache("memcached", cache={"UserGroupId": None}),
        NA,
        "Memcached",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), SERVERLESS_USER_GROUP)
def test_cw205_serverless_user_group(build, status, fragment, policy) -> None:
    assert_verdict(access.check_serverless_user_group, build, status, fragment, policy)


@pytest.mark.parametrize(
    ("access_string", "enabled"),
    [
        pytest.param("on ~* +@all", True, id="on-first"),
        pytest.param("off ~* +@all", False, id="off-first"),
        pytest.param("~* +@all", False, id="no-switch-means-off"),
        pytest.param("on ~* off", False, id="last-switch-off"),
        pytest.param(None, False, id="missing"),
    ],
)
def test_access_string_switch(access_string: str | None, enabled: bool) -> None:
    assert access.access_enabled(access_string) is enabled
