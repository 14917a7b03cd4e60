"""CW-501 to CW-505: logs, tags, CloudTrail, notifications, broad IAM grants."""

from __future__ import annotations

import pytest

from posture.base import ResourceKind
from posture.rules import accounts, detection
from posture.rules.context import RuleContext
from posture.rules.registry import REGISTRY
from tests.unit.rules.table import ERROR, FAIL, NA, PASS, assert_verdict, case
from tests.unit.rules.world import (
    ACCOUNT,
    NOW,
    REGION,
    arn,
    inventory,
    policy,
    replication_group,
    serverless_cache,
    standalone_cluster,
)


def logs(*entries: tuple[str, str]):
    configs = [{"LogType": log_type, "Status": status} for log_type, status in entries]
    return lambda: replication_group(group={"LogDeliveryConfigurations": configs})


LOGS_DELIVERED = [
    case(
        "both-active",
        logs(("slow-log", "active"), ("engine-log", "active")),
        PASS,
        "delivers slow-log and engine-log",
    ),
    case("slow-log-only", logs(("slow-log", "active")), FAIL, "does not deliver engine-log"),
    case(
        "engine-log-in-error",
        logs(("slow-log", "active"), ("engine-log", "error")),
        FAIL,
        "engine-log",
    ),
    case("none", logs(), FAIL, "slow-log and engine-log"),
    case("memcached", lambda: standalone_cluster("memcached", "1.6.22"), NA, "Memcached"),
    case(
        "standalone-valkey",
        lambda: standalone_cluster("valkey", "8.1.0"),
        PASS,
        "cache cluster sessions",
    ),
    # Redis OSS delivers the slow log from 6.0 and the engine log from 6.2.
    case(
        "redis-5-has-no-log-delivery",
        lambda: replication_group("5.0.6", group={"LogDeliveryConfigurations": []}),
        NA,
        "log delivery needs Redis OSS 6.0",
    ),
    case(
        "redis-6.0-needs-only-the-slow-log",
        lambda: replication_group(
            "6.0.5",
            group={"LogDeliveryConfigurations": [{"LogType": "slow-log", "Status": "active"}]},
        ),
        PASS,
        "delivers slow-log (engine-log needs Redis OSS 6.2)",
    ),
    case(
        "redis-6.0-without-slow-log",
        lambda: replication_group("6.0.5", group={"LogDeliveryConfigurations": []}),
        FAIL,
        "does not deliver slow-log (no active configuration) (engine-log needs",
    ),
    case(
        "redis-6.2-needs-both",
        lambda: replication_group(
            "6.2.6",
            group={"LogDeliveryConfigurations": [{"LogType": "slow-log", "Status": "active"}]},
        ),
        FAIL,
        "does not deliver engine-log",
    ),
    case(
        "redis-version-unknown",
        lambda: replication_group(members=0, group={"MemberClusters": ["orders-001"]}),
        ERROR,
        "orders-001",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), LOGS_DELIVERED)
def test_cw501_logs_delivered(build, status, fragment, policy) -> None:
    assert_verdict(detection.check_logs_delivered, build, status, fragment, policy)


OWNER_AND_ENV = policy(
    tags={"required": ["owner", "env"], "allowed_values": {"env": ["prod", "staging"]}}
)


def tagged(resource_arn: str, **tags: str):
    entry = {"ResourceARN": resource_arn, "Tags": [{"Key": k, "Value": v} for k, v in tags.items()]}
    return lambda: replication_group(Tags=[entry])


GROUP_ARN = arn("replicationgroup", "orders")
REQUIRED_TAGS = [
    case("policy-requires-none", lambda: replication_group(), NA, "requires no tags"),
    case(
        "all-present",
        tagged(GROUP_ARN, owner="payments", env="prod"),
        PASS,
        "owner, env",
        OWNER_AND_ENV,
    ),
    case(
        "one-missing",
        tagged(GROUP_ARN, owner="payments"),
        FAIL,
        "tag env is missing",
        OWNER_AND_ENV,
    ),
    case(
        "value-not-allowed",
        tagged(GROUP_ARN, owner="payments", env="dev"),
        FAIL,
        "tag env='dev' is not one of prod, staging",
        OWNER_AND_ENV,
    ),
    case(
        "untagged-resource",
        tagged(arn("cluster", "other"), owner="x"),
        FAIL,
        "tag owner is missing",
        OWNER_AND_ENV,
    ),
    case("no-arn", lambda: replication_group(group={"ARN": ""}), ERROR, "no ARN", OWNER_AND_ENV),
    case(
        "serverless-tagged",
        lambda: serverless_cache(
            Tags=[
                {
                    "ResourceARN": arn("serverlesscache", "api"),
                    "Tags": [{"Key": "owner", "Value": "a"}, {"Key": "env", "Value": "staging"}],
                }
            ]
        ),
        PASS,
        "serverless cache api",
        OWNER_AND_ENV,
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), REQUIRED_TAGS)
def test_cw502_required_tags(build, status, fragment, policy) -> None:
    assert_verdict(detection.check_required_tags, build, status, fragment, policy)


def trails(*entries: dict[str, object]):
    def build():
        inv = inventory(Trails=list(entries))
        return inv, inv

    return build


def trail(name: str, **fields: object) -> dict[str, object]:
    return {
        "Name": name,
        "TrailARN": f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/{name}",
        "HomeRegion": "us-east-1",
        "IsMultiRegionTrail": True,
        "IsLogging": True,
        "RecordsManagementEvents": True,
        **fields,
    }


API_ACTIVITY = [
    case("multi-region-trail", trails(trail("org")), PASS, "trail org records management events"),
    case(
        "home-region-trail",
        trails(trail("local", IsMultiRegionTrail=False, HomeRegion=REGION)),
        PASS,
        "local",
    ),
    case(
        "single-region-trail-elsewhere",
        trails(trail("us-only", IsMultiRegionTrail=False)),
        FAIL,
        "no CloudTrail trail covers this region",
    ),
    case(
        "stopped", trails(trail("org", IsLogging=False)), FAIL, "stopped or skips management events"
    ),
    case(
        "data-events-only",
        trails(trail("org", RecordsManagementEvents=False)),
        FAIL,
        "skips management",
    ),
    case("no-trails", trails(), FAIL, f"account {ACCOUNT} region {REGION}: no CloudTrail trail"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), API_ACTIVITY)
def test_cw503_api_activity_recorded(build, status, fragment, policy) -> None:
    assert_verdict(accounts.check_api_activity_recorded, build, status, fragment, policy)


@pytest.mark.parametrize(
    ("rule_id", "kind", "section"),
    [
        pytest.param("CW-503", ResourceKind.ACCOUNT_REGION, "Trails", id="cw503-needs-trails"),
        pytest.param("CW-505", ResourceKind.ACCOUNT, "IamPolicies", id="cw505-needs-iam"),
    ],
)
def test_scope_rules_skip_uncollected_data(rule_id: str, kind: ResourceKind, section: str) -> None:
    entry = next(e for e in REGISTRY if e.rule_id == rule_id and e.kind is kind)
    collected, missing = inventory(**{section: []}), inventory()
    assert entry.applies(collected, RuleContext.build(collected, policy(), NOW))
    assert not entry.applies(missing, RuleContext.build(missing, policy(), NOW))


NOTIFICATIONS = [
    case("members-active", lambda: replication_group(), PASS, "sends events to arn:aws:sns"),
    case(
        "members-inactive",
        lambda: replication_group(
            member={"NotificationConfiguration": {"TopicArn": "t", "TopicStatus": "inactive"}}
        ),
        FAIL,
        "no active SNS notification topic on orders-001, orders-002",
    ),
    case(
        "no-configuration",
        lambda: replication_group(member={"NotificationConfiguration": None}),
        FAIL,
        "no active",
    ),
    case(
        "standalone-memcached",
        lambda: standalone_cluster("memcached", "1.6.22"),
        PASS,
        "cache cluster sessions",
    ),
    case(
        "members-not-collected",
        lambda: replication_group(members=0, group={"MemberClusters": ["orders-001"]}),
        ERROR,
        "not collected",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), NOTIFICATIONS)
def test_cw504_event_notifications(build, status, fragment, policy) -> None:
    assert_verdict(detection.check_event_notifications, build, status, fragment, policy)


ADMIN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/cache-admins"
APP_ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"


def iam(*policies: dict[str, object]):
    def build():
        inv = inventory(IamPolicies=list(policies))
        return inv, inv

    return build


def iam_policy(name: str, attached: list[str], broad: bool = True) -> dict[str, object]:
    return {
        "Arn": f"arn:aws:iam::{ACCOUNT}:policy/{name}",
        "PolicyName": name,
        "AttachedTo": attached,
        "AllowsBroadElasticache": broad,
        "BroadActions": ["elasticache:*"] if broad else [],
    }


ADMINS = policy(access={"admin_principals": [ADMIN_ROLE]})
LEAST_PRIVILEGE = [
    case(
        "broad-on-admin-only",
        iam(iam_policy("cache-admin", [ADMIN_ROLE])),
        PASS,
        "beyond admins",
        ADMINS,
    ),
    case(
        "broad-on-app-role",
        iam(iam_policy("cache-admin", [ADMIN_ROLE, APP_ROLE])),
        FAIL,
        f"cache-admin (elasticache:*) attached to {APP_ROLE}",
        ADMINS,
    ),
    case(
        "admin-listed-by-name",
        iam(iam_policy("cache-admin", [APP_ROLE])),
        PASS,
        "no customer-managed policy",
        policy(access={"admin_principals": ["app"]}),
    ),
    case(
        "narrow-policy",
        iam(iam_policy("reader", [APP_ROLE], broad=False)),
        PASS,
        f"account {ACCOUNT}",
    ),
    case("no-admin-list", iam(iam_policy("ops", [ADMIN_ROLE])), FAIL, "outside the admin list"),
    case("unattached", iam(iam_policy("spare", [])), PASS, "no customer-managed policy"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), LEAST_PRIVILEGE)
def test_cw505_least_privilege(build, status, fragment, policy) -> None:
    assert_verdict(accounts.check_least_privilege, build, status, fragment, policy)
