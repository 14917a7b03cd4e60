"""The facts behind the newer verdicts, over HTTP against the fake AWS, then evaluated.

Default VPC placement (CW-307), prefix lists and cross-account groups as sources (CW-304,
CW-305), serverless reader ports, manual backups of deleted caches (CW-407), password users
with every command (CW-206) and global datastore membership all travel from the fake
through the real collector into the real rules.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from posture.evaluate import evaluate
from posture.findings import Finding, Status
from posture.policy import OrgPolicy
from sandbox.fake_aws import patch_group
from tests.integration.collect.seed import (
    Credentials,
    Network,
    seed_network,
)
from workers.aws.collect import collect_inventory
from workers.aws.filters import ScanFilters
from workers.aws.session import CallCounter, default_chain_session

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("collect_fake_aws")]

ACCOUNT = "123456789012"
REGION = "us-east-1"
OTHER_ACCOUNT = "999988887777"


def _private_group(url: str, net: Network) -> tuple[str, str]:
    """A security group in the app VPC admitting 6379-6380 from a prefix list and another account."""
    ec2 = Credentials().client(url, "ec2", REGION)
    # moto resolves referenced groups only inside the caller's account, so the partner's
    # group is created here and referenced under the partner's account id: the pair then
    # reads back the way AWS reports a cross-account reference (UserId = the owner).
    partner = ec2.create_security_group(GroupName="partner", Description="partner")
    office = ec2.create_managed_prefix_list(
        PrefixListName="office", MaxEntries=5, AddressFamily="IPv4",
        Entries=[{"Cidr": "198.51.100.0/24", "Description": "office"}],
    )["PrefixList"]["PrefixListId"]  # fmt: skip
    group = ec2.create_security_group(GroupName="strict", Description="strict", VpcId=net.vpc_id)
    ec2.authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {
                "IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6380,
                "PrefixListIds": [{"PrefixListId": office}],
                "UserIdGroupPairs": [{"GroupId": partner["GroupId"], "UserId": OTHER_ACCOUNT}],
            }
        ],
    )  # fmt: skip
    return str(group["GroupId"]), str(partner["GroupId"])


def _seed(url: str) -> dict[str, str]:
    net = seed_network(url, REGION)
    strict, partner = _private_group(url, net)
    ec2 = Credentials().client(url, "ec2", REGION)
    elasticache = Credentials().client(url, "elasticache", REGION)
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    default_subnets = ec2.describe_subnets(
        Filters=[{"Name": "vpc-id", "Values": [default_vpc["VpcId"]]}]
    )["Subnets"]
    # A subnet group with its own name, built from default-VPC subnets: CW-302 passes it.
    elasticache.create_cache_subnet_group(
        CacheSubnetGroupName="legacy", CacheSubnetGroupDescription="legacy",
        SubnetIds=[s["SubnetId"] for s in default_subnets[:2]],
    )  # fmt: skip
    elasticache.create_replication_group(
        ReplicationGroupId="legacy", ReplicationGroupDescription="legacy", Engine="redis",
        CacheNodeType="cache.t4g.micro", NumCacheClusters=1, CacheSubnetGroupName="legacy",
    )  # fmt: skip
    elasticache.create_user(
        UserId="ops", UserName="ops", Engine="redis", AccessString="on ~* +@all",
        Passwords=["correct-horse-battery-9"],
    )  # fmt: skip
    elasticache.create_user_group(
        UserGroupId="ops-users", Engine="redis", UserIds=["default", "ops"]
    )
    elasticache.create_serverless_cache(
        ServerlessCacheName="carts", Engine="valkey", SubnetIds=[net.private_subnet],
        SecurityGroupIds=[strict], UserGroupId="ops-users",
    )  # fmt: skip
    # A manual backup that outlives its group.
    elasticache.create_replication_group(
        ReplicationGroupId="retired", ReplicationGroupDescription="retired", Engine="redis",
        CacheNodeType="cache.t4g.micro", NumCacheClusters=1, CacheSubnetGroupName="cache-subnets",
    )  # fmt: skip
    elasticache.create_snapshot(ReplicationGroupId="retired", SnapshotName="retired-final")
    elasticache.delete_replication_group(ReplicationGroupId="retired")
    elasticache.create_serverless_cache(
        ServerlessCacheName="scratch", Engine="valkey", SubnetIds=[net.private_subnet],
        SecurityGroupIds=[strict],
    )  # fmt: skip
    elasticache.create_serverless_cache_snapshot(
        ServerlessCacheSnapshotName="scratch-keep", ServerlessCacheName="scratch"
    )
    elasticache.delete_serverless_cache(ServerlessCacheName="scratch")
    patch_group(
        url,
        ACCOUNT,
        REGION,
        "legacy",
        {
            "global_replication_group_info": {
                "GlobalReplicationGroupId": "ldgnf-legacy",
                "GlobalReplicationGroupMemberRole": "SECONDARY",
            }
        },
    )
    return {
        "strict": strict,
        "partner": partner,
        "default_vpc": default_vpc["VpcId"],
        "app_vpc": net.vpc_id,
    }


def _findings(findings: list[Finding], rule_id: str, resource_id: str) -> Finding:
    (found,) = [f for f in findings if f.rule_id == rule_id and f.resource_id == resource_id]
    return found


def test_new_facts_reach_the_rules(aws: str) -> None:
    seeded = _seed(aws)
    counter = CallCounter()
    inventory = collect_inventory(
        default_chain_session(), ACCOUNT, REGION, ScanFilters(), counter=counter,
        now=datetime.now(UTC),
    )  # fmt: skip

    assert inventory.errors == ()
    vpcs = {vpc.vpc_id: vpc for vpc in inventory.vpcs}
    assert vpcs[seeded["default_vpc"]].is_default
    assert vpcs[seeded["app_vpc"]].cidr_blocks() == ("10.0.0.0/16",)
    (office,) = inventory.prefix_lists
    assert office.entries is not None and [e.cidr for e in office.entries] == ["198.51.100.0/24"]
    (carts,) = inventory.serverless_caches
    assert carts.reader_endpoint is not None and carts.reader_endpoint.port == 6380
    assert carts.security_group_ids == (seeded["strict"],)
    legacy = next(g for g in inventory.replication_groups if g.replication_group_id == "legacy")
    assert legacy.global_datastore_id == "ldgnf-legacy"
    assert [s.snapshot_name for s in inventory.snapshots] == ["retired-final", "scratch-keep"]
    assert inventory.snapshots[1].serverless_cache_name == "scratch"
    calls = counter.calls()
    assert calls[("ec2", "DescribeVpcs")] == 1
    assert calls[("ec2", "DescribeManagedPrefixLists")] == 1

    findings = evaluate(inventory, OrgPolicy())
    assert _findings(findings, "CW-307", "legacy").status is Status.FAIL
    assert _findings(findings, "CW-302", "legacy").status is Status.PASS
    assert _findings(findings, "CW-307", "carts").status is Status.PASS
    cross = _findings(findings, "CW-305", "carts")
    assert cross.status is Status.FAIL
    assert f"security group {seeded['partner']} of account {OTHER_ACCOUNT}" in cross.evidence
    assert "prefix list" in cross.evidence  # the office range is outside the VPC
    assert _findings(findings, "CW-304", "carts").status is Status.PASS
    assert _findings(findings, "CW-407", "retired-final").status is Status.FAIL
    assert _findings(findings, "CW-407", "scratch-keep").status is Status.FAIL
    assert _findings(findings, "CW-206", "carts").status is Status.FAIL


def test_trusting_the_partner_and_the_office_passes_cw305(aws: str) -> None:
    _seed(aws)
    inventory = collect_inventory(
        default_chain_session(), ACCOUNT, REGION, ScanFilters(), now=datetime.now(UTC)
    )
    office = inventory.prefix_lists[0].prefix_list_id
    policy = OrgPolicy.model_validate(
        {"network": {"trusted_accounts": [OTHER_ACCOUNT], "trusted_prefix_lists": [office]}}
    )
    assert _findings(evaluate(inventory, policy), "CW-305", "carts").status is Status.PASS
