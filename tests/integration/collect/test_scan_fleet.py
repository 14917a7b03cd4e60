"""Fleet scans over HTTP: accounts through assumed roles, regions in parallel, injected faults."""

from __future__ import annotations

import json

import pytest

from sandbox.fake_aws import inject_fault
from tests.integration.collect.seed import (
    ADMIN_POLICY,
    Credentials,
    account_credentials,
    seed_groups,
)
from workers.aws.scan import ScanResult, scan
from workers.aws.session import CallCounter, default_chain_session
from workers.aws.targets import ScanScope, resolve_targets

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("collect_fake_aws")]

BASE_ACCOUNT = "123456789012"
ACCOUNTS = ("111111111111", "222222222222")
REGIONS = ("us-east-1", "eu-west-1")


def _role(account: str) -> str:
    return f"arn:aws:iam::{account}:role/cachewarden-scan"


def _seed_account(url: str, creds: Credentials, label: str) -> None:
    for region in REGIONS:
        seed_groups(url, region, 1, creds, prefix=f"{label}-{region}-")
    iam = creds.client(url, "iam", "us-east-1")
    policy = iam.create_policy(PolicyName="wide", PolicyDocument=json.dumps(ADMIN_POLICY))
    iam.create_user(UserName=f"{label}-ops")
    iam.attach_user_policy(UserName=f"{label}-ops", PolicyArn=policy["Policy"]["Arn"])


def _groups(result: ScanResult) -> dict[tuple[str, str], list[str]]:
    return {
        (inv.account, inv.region): [g.replication_group_id for g in inv.replication_groups]
        for inv in result.inventories
    }


def test_two_accounts_and_two_regions_through_assumed_roles(aws: str) -> None:
    for account in ACCOUNTS:
        _seed_account(aws, account_credentials(aws, account), account[:3])
    counter = CallCounter()
    progress: list[tuple[str, str, int, int]] = []
    resolved = resolve_targets(
        ScanScope(role_arns=tuple(_role(a) for a in ACCOUNTS), regions=REGIONS),
        default_chain_session(counter=counter),
        counter=counter,
    )
    result = scan(
        resolved, max_workers=4, counter=counter, on_progress=lambda *p: progress.append(p)
    )

    assert result.errors == ()
    assert _groups(result) == {
        (account, region): [f"{account[:3]}-{region}-0000"]
        for account in ACCOUNTS
        for region in REGIONS
    }
    # IAM is account-wide: read once per account, in the first region listed.
    iam_read = {(i.account, i.region) for i in result.inventories if i.iam_policies is not None}
    assert iam_read == {(account, "us-east-1") for account in ACCOUNTS}
    users = {i.account: i.iam_policies[0].attached_to for i in result.inventories if i.iam_policies}
    assert users == {"111111111111": ("user/111-ops",), "222222222222": ("user/222-ops",)}
    assert [p[2:] for p in progress] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert {(p[0], p[1]) for p in progress} == {(a, r) for a in ACCOUNTS for r in REGIONS}
    assert result.api_calls_by_operation["sts.AssumeRole"] == 2
    assert result.api_calls_by_operation["iam.ListPolicies"] == 2
    assert result.api_calls == sum(result.api_calls_by_operation.values())
    assert result.started <= result.finished


def test_a_region_answering_access_denied_leaves_the_rest_complete(aws: str) -> None:
    for region in REGIONS:
        seed_groups(aws, region, 3, prefix=f"{region}-")
    inject_fault(aws, "elasticache", "AccessDenied", region="eu-west-1", status=403, count=None)
    base = default_chain_session()
    result = scan(resolve_targets(ScanScope(regions=REGIONS), base), max_workers=2)

    by_region = {inv.region: inv for inv in result.inventories}
    assert len(by_region["us-east-1"].replication_groups) == 3
    assert by_region["us-east-1"].errors == ()
    assert by_region["us-east-1"].iam_policies is not None
    denied = by_region["eu-west-1"]
    assert denied.replication_groups == () and denied.cache_clusters == ()
    assert {e.code for e in denied.errors} == {"AccessDenied"}
    assert {e.operation for e in denied.errors} >= {
        "DescribeReplicationGroups",
        "DescribeCacheClusters",
        "DescribeServerlessCaches",
        "DescribeReservedCacheNodes",
    }
    # Non-ElastiCache parts of the denied region still answered.
    assert denied.trails == ()
    assert {(e.region, e.code) for e in result.errors} == {("eu-west-1", "AccessDenied")}
    assert all("testing" not in e.message for e in result.errors)


def test_throttling_is_retried_and_the_retries_are_counted(aws: str) -> None:
    seed_groups(aws, "us-east-1", 2)
    # The region's last ElastiCache call: adaptive retries then slow that client's later calls.
    inject_fault(aws, "elasticache", "Throttling", operation="DescribeReservedCacheNodes", count=1)
    base = default_chain_session()
    result = scan(resolve_targets(ScanScope(regions=("us-east-1",)), base))

    assert result.errors == ()
    assert len(result.inventories[0].replication_groups) == 2
    assert result.api_calls_by_operation["elasticache.DescribeReservedCacheNodes"] == 1
    assert result.api_attempts - result.api_calls == 1


def test_a_role_that_cannot_be_assumed_is_an_error_not_a_crash(aws: str) -> None:
    inject_fault(aws, "sts", "AccessDenied", operation="AssumeRole", status=403, count=1)
    resolved = resolve_targets(
        ScanScope(role_arns=tuple(_role(a) for a in ACCOUNTS), regions=("us-east-1",)),
        default_chain_session(),
    )

    assert [(e.account_id, e.operation, e.code) for e in resolved.errors] == [
        ("111111111111", "AssumeRole", "AccessDenied")
    ]
    assert [(t.account_id, t.region) for t in resolved.targets] == [("222222222222", "us-east-1")]
    result = scan(resolved)
    assert [e.account_id for e in result.errors] == ["111111111111"]
    assert [i.account for i in result.inventories] == ["222222222222"]


def test_organization_scope_covers_every_active_account(aws: str) -> None:
    organizations = Credentials().client(aws, "organizations", "us-east-1")
    organizations.create_organization(FeatureSet="ALL")
    for name in ("team-a", "team-b"):
        organizations.create_account(AccountName=name, Email=f"{name}@example.com")
    resolved = resolve_targets(
        ScanScope(organization_role_name="OrganizationAccountAccessRole", regions=("us-east-1",)),
        default_chain_session(),
    )

    accounts = [t.account_id for t in resolved.targets]
    assert resolved.errors == ()
    assert len(accounts) == 3 and BASE_ACCOUNT in accounts
    members = [t.session for t in resolved.targets if t.account_id != BASE_ACCOUNT]
    assert all(
        s.role_arn and s.role_arn.endswith(":role/OrganizationAccountAccessRole") for s in members
    )


def test_without_configured_regions_every_enabled_region_is_a_target(aws: str) -> None:
    resolved = resolve_targets(ScanScope(), default_chain_session())

    regions = [t.region for t in resolved.targets]
    assert {"us-east-1", "eu-west-1", "ap-southeast-2"} <= set(regions)
    assert {t.account_id for t in resolved.targets} == {BASE_ACCOUNT}
    assert regions == sorted(regions)
