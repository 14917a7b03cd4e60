"""`posture.rules.coverage` names exactly the calls a full scan makes against the fake AWS.

A call missing from the map would turn its failure into "every rule is suspect"; an
entry for a call nobody makes is a fact that has drifted. Both fail here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from posture.iam import audit_policy
from posture.resources import CollectionError
from posture.rules.coverage import affected_rules, covered_operations, normalise_operation
from posture.rules.registry import rule_ids
from tests.integration.collect.seed import (
    Credentials,
    seed_caches,
    seed_detection,
    seed_network,
)
from workers.aws.collect import collect_inventory
from workers.aws.filters import ScanFilters
from workers.aws.session import CallCounter, default_chain_session

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("collect_fake_aws")]

ACCOUNT = "123456789012"
REGION = "us-east-1"


def _seed_everything(url: str) -> None:
    """Every kind of resource the collector reads, a prefix list source included."""
    net = seed_network(url, REGION)
    seed_caches(url, REGION, net)
    seed_detection(url, REGION)
    ec2 = Credentials().client(url, "ec2", REGION)
    office = ec2.create_managed_prefix_list(
        PrefixListName="office", MaxEntries=2, AddressFamily="IPv4",
        Entries=[{"Cidr": "198.51.100.0/24"}],
    )["PrefixList"]["PrefixListId"]  # fmt: skip
    ec2.authorize_security_group_ingress(
        GroupId=net.security_group,
        IpPermissions=[
            {
                "IpProtocol": "tcp", "FromPort": 6380, "ToPort": 6380,
                "PrefixListIds": [{"PrefixListId": office}],
            }
        ],
    )  # fmt: skip


def test_coverage_map_equals_the_calls_of_a_full_scan(aws: str) -> None:
    _seed_everything(aws)
    counter = CallCounter()
    inventory = collect_inventory(
        default_chain_session(), ACCOUNT, REGION, ScanFilters(), counter=counter,
        now=datetime.now(UTC),
    )  # fmt: skip

    assert inventory.errors == ()
    recorded = {normalise_operation(operation) for _, operation in counter.calls()}
    assert recorded - covered_operations() == set(), "calls the coverage map does not know"
    assert covered_operations() - recorded == set(), "coverage entries no scan makes"


def test_every_recorded_call_starves_only_some_rules(aws: str) -> None:
    _seed_everything(aws)
    counter = CallCounter()
    collect_inventory(
        default_chain_session(), ACCOUNT, REGION, ScanFilters(), counter=counter,
        now=datetime.now(UTC),
    )  # fmt: skip
    everything = frozenset(rule_ids())
    for service, operation in counter.calls():
        failure = CollectionError(operation=operation, code="AccessDenied", message="denied")
        affected = affected_rules(failure)
        assert affected, f"{service}.{operation} feeds no rule"
        assert affected != everything, f"{service}.{operation} falls back to every rule"


# The CLI's service ids where IAM uses another prefix.
IAM_PREFIX = {"resource-groups-tagging-api": "tag"}


def test_the_audit_policy_allows_every_call_of_a_full_scan(aws: str) -> None:
    _seed_everything(aws)
    counter = CallCounter()
    collect_inventory(
        default_chain_session(), ACCOUNT, REGION, ScanFilters(), counter=counter,
        now=datetime.now(UTC),
    )  # fmt: skip
    allowed = set(audit_policy()["Statement"][0]["Action"])
    needed = {f"{IAM_PREFIX.get(service, service)}:{op}" for service, op in counter.calls()}
    assert needed - allowed == set()
