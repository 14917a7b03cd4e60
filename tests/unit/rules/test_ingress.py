"""CW-304 to CW-306: open ports, trusted sources, default ports."""

from __future__ import annotations

import pytest

from posture.rules import ingress
from tests.unit.rules.table import ERROR, FAIL, NA, PASS, assert_verdict, case
from tests.unit.rules.world import (
    ACCOUNT,
    PORT,
    judge,
    policy,
    replication_group,
    serverless_cache,
    standalone_cluster,
)


def group_with_rules(*permissions: dict[str, object]):
    """The compliant group whose only security group holds `permissions`."""
    security_group = {
        "GroupId": "sg-cache",
        "GroupName": "cache",
        "VpcId": "vpc-app",
        "IpPermissions": list(permissions),
    }
    return lambda: replication_group(SecurityGroups=[security_group])


def pair(group_id: str, **fields: object) -> dict[str, object]:
    return {"GroupId": group_id, **fields}


def with_prefix_list(cidrs: list[str]):
    """The group admits the cache port from prefix list pl-123 holding `cidrs`."""
    security_group = {
        "GroupId": "sg-cache",
        "VpcId": "vpc-app",
        "IpPermissions": [tcp(PORT, PORT, PrefixListIds=[{"PrefixListId": "pl-123"}])],
    }
    prefix_list = {
        "PrefixListId": "pl-123",
        "PrefixListName": "office",
        "Entries": [{"Cidr": cidr} for cidr in cidrs],
    }
    return lambda: replication_group(SecurityGroups=[security_group], PrefixLists=[prefix_list])


def secondary_block_source(state: str):
    """vpc-app also holds 100.64.0.0/16 (in `state`); the group admits a /20 of it."""
    vpc = {
        "VpcId": "vpc-app",
        "CidrBlock": "10.0.0.0/16",
        "CidrBlockAssociationSet": [
            {"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
            {"CidrBlock": "100.64.0.0/16", "CidrBlockState": {"State": state}},
        ],
    }
    security_group = {
        "GroupId": "sg-cache",
        "VpcId": "vpc-app",
        "IpPermissions": [tcp(PORT, PORT, IpRanges=[{"CidrIp": "100.64.0.0/20"}])],
    }
    return lambda: replication_group(Vpcs=[vpc], SecurityGroups=[security_group])


def serverless_with_reader(*permissions: dict[str, object]):
    """A Valkey serverless cache (writer 6379, reader 6380) whose group holds `permissions`."""
    security_group = {"GroupId": "sg-cache", "VpcId": "vpc-app", "IpPermissions": list(permissions)}
    endpoints = {
        "Endpoint": {"Address": "api.serverless", "Port": 6379},
        "ReaderEndpoint": {"Address": "api-ro.serverless", "Port": 6380},
    }
    return lambda: serverless_cache(cache=endpoints, SecurityGroups=[security_group])


def tcp(low: int, high: int, **sources: object) -> dict[str, object]:
    return {"IpProtocol": "tcp", "FromPort": low, "ToPort": high, **sources}


WORLD_V4 = {"IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
WORLD_V6 = {"Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
NO_PORTS_GROUP = {"NodeGroups": [{"NodeGroupId": "0001"}], "ConfigurationEndpoint": None}
NO_PORTS_MEMBER = {"CacheNodes": [{"CacheNodeId": "0001"}]}


PORT_NOT_PUBLIC = [
    case(
        "private-sources",
        lambda: replication_group(),
        PASS,
        f"no rule in sg-cache opens port {PORT}",
    ),
    case(
        "range-covering-port-from-anywhere",
        group_with_rules(tcp(6000, 8000, **WORLD_V4)),
        FAIL,
        f"sg-cache allows tcp 6000-8000 from 0.0.0.0/0 (covers port {PORT})",
    ),
    case("anywhere-on-another-port", group_with_rules(tcp(22, 22, **WORLD_V4)), PASS, "no rule"),
    case(
        "protocol-minus-one-covers-port",
        group_with_rules({"IpProtocol": "-1", **WORLD_V4}),
        FAIL,
        "all traffic from 0.0.0.0/0",
    ),
    case("ipv6-anywhere", group_with_rules(tcp(PORT, PORT, **WORLD_V6)), FAIL, "from ::/0"),
    case(
        "udp-does-not-cover-tcp",
        group_with_rules({"IpProtocol": "udp", "FromPort": 0, "ToPort": 65535, **WORLD_V4}),
        PASS,
        "no rule",
    ),
    case(
        "security-group-not-collected",
        lambda: replication_group(SecurityGroups=[]),
        ERROR,
        "sg-cache could not be read",
    ),
    case(
        "no-security-group",
        lambda: standalone_cluster(cluster={"SecurityGroups": []}),
        NA,
        "no VPC security group",
    ),
    case(
        "memcached-default-port",
        lambda: standalone_cluster(
            "memcached",
            "1.6.22",
            SecurityGroups=[
                {"GroupId": "sg-cache", "IpPermissions": [tcp(11211, 11211, **WORLD_V4)]}
            ],
        ),
        FAIL,
        "covers port 11211",
    ),
    case(
        "unreported-port-means-engine-default",
        lambda: replication_group(
            group=NO_PORTS_GROUP,
            member=NO_PORTS_MEMBER,
            SecurityGroups=[
                {"GroupId": "sg-cache", "IpPermissions": [tcp(6379, 6379, **WORLD_V4)]}
            ],
        ),
        FAIL,
        "covers port 6379",
    ),
    case(
        "serverless-open",
        lambda: serverless_cache(
            SecurityGroups=[{"GroupId": "sg-cache", "IpPermissions": [tcp(PORT, PORT, **WORLD_V6)]}]
        ),
        FAIL,
        "serverless cache api",
    ),
    case(
        "serverless-reader-port-open",
        serverless_with_reader(tcp(6380, 6380, **WORLD_V4)),
        FAIL,
        "from 0.0.0.0/0 (covers port 6380)",
    ),
    case(
        "serverless-both-ports-closed",
        serverless_with_reader(tcp(6379, 6380, IpRanges=[{"CidrIp": "10.0.0.0/16"}])),
        PASS,
        "ports 6379, 6380",
    ),
    case(
        "prefix-list-holding-everything",
        lambda: with_prefix_list(["0.0.0.0/0"])(),
        FAIL,
        "from prefix list pl-123, which holds 0.0.0.0/0",
    ),
    case(
        "prefix-list-of-office-ranges",
        lambda: with_prefix_list(["198.51.100.0/24"])(),
        PASS,
        "no rule",
    ),
    case(
        "prefix-list-unread",
        group_with_rules(tcp(PORT, PORT, PrefixListIds=[{"PrefixListId": "pl-9"}])),
        ERROR,
        "prefix list pl-9 could not be read",
    ),
]


def test_cw304_evidence_says_who_can_reach_not_the_internet() -> None:
    group, inv = group_with_rules(tcp(PORT, PORT, **WORLD_V4))()
    verdict = judge(ingress.check_port_not_public, group, inv)
    assert "internet" not in verdict.evidence.lower()
    assert "private addresses only" in verdict.evidence
    assert "peered VPCs, VPN and Direct Connect" in verdict.evidence


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), PORT_NOT_PUBLIC)
def test_cw304_port_not_public(build, status, fragment, policy) -> None:
    assert_verdict(ingress.check_port_not_public, build, status, fragment, policy)


TRUSTED_SOURCES = [
    case(
        "vpc-cidr-and-group",
        lambda: replication_group(),
        PASS,
        "reachable only from its VPC, same-account security groups",
    ),
    case(
        "public-cidr",
        group_with_rules(tcp(PORT, PORT, IpRanges=[{"CidrIp": "203.0.113.0/24"}])),
        FAIL,
        "203.0.113.0/24 via sg-cache (tcp 7000-7000, port 7000)",
    ),
    case(
        "anywhere",
        group_with_rules({"IpProtocol": "-1", **WORLD_V4}),
        FAIL,
        "0.0.0.0/0 via sg-cache",
    ),
    case(
        "ipv6-outside-trusted",
        group_with_rules(tcp(PORT, PORT, Ipv6Ranges=[{"CidrIpv6": "2001:db8:1::/48"}])),
        FAIL,
        "2001:db8:1::/48",
    ),
    case(
        "ipv6-inside-trusted",
        group_with_rules(tcp(PORT, PORT, Ipv6Ranges=[{"CidrIpv6": "2001:db8:1::/48"}])),
        PASS,
        "trusted",
        policy(network={"trusted_cidrs": ["10.0.0.0/8", "2001:db8::/32"]}),
    ),
    case(
        "prefix-list-not-read",
        group_with_rules(tcp(PORT, PORT, PrefixListIds=[{"PrefixListId": "pl-123"}])),
        ERROR,
        "prefix list pl-123 could not be read",
    ),
    case(
        "prefix-list-inside-the-vpc",
        with_prefix_list(["10.0.1.0/24", "10.0.2.0/24"]),
        PASS,
        "trusted",
    ),
    case(
        "prefix-list-with-an-outside-range",
        with_prefix_list(["10.0.1.0/24", "198.51.100.0/24"]),
        FAIL,
        "prefix list pl-123 via sg-cache",
    ),
    case(
        "prefix-list-listed-in-policy",
        with_prefix_list(["198.51.100.0/24"]),
        PASS,
        "trusted",
        policy(network={"trusted_prefix_lists": ["pl-123"]}),
    ),
    case(
        "vpc-cidr-trusted-whatever-the-policy-list",
        lambda: replication_group(),
        PASS,
        "reachable only from its VPC",
        policy(network={"trusted_cidrs": ["192.168.0.0/16"]}),
    ),
    # All of 10.0.0.0/8 is wider than the VPC (10.0.0.0/16): it must be listed to pass.
    case(
        "whole-private-range-is-not-the-vpc",
        group_with_rules(tcp(PORT, PORT, IpRanges=[{"CidrIp": "10.0.0.0/8"}])),
        FAIL,
        "10.0.0.0/8 via sg-cache",
    ),
    case(
        "whole-private-range-listed",
        group_with_rules(tcp(PORT, PORT, IpRanges=[{"CidrIp": "10.0.0.0/8"}])),
        PASS,
        "trusted",
        policy(network={"trusted_cidrs": ["10.0.0.0/8"]}),
    ),
    case("secondary-vpc-block", secondary_block_source("associated"), PASS, "trusted"),
    case(
        "disassociated-vpc-block",
        secondary_block_source("disassociated"),
        FAIL,
        "100.64.0.0/20",
    ),
    case(
        "same-account-group",
        group_with_rules(tcp(PORT, PORT, UserIdGroupPairs=[pair("sg-app", UserId=ACCOUNT)])),
        PASS,
        "trusted",
    ),
    case(
        "cross-account-group",
        group_with_rules(tcp(PORT, PORT, UserIdGroupPairs=[pair("sg-x", UserId="999988887777")])),
        FAIL,
        "security group sg-x of account 999988887777",
    ),
    case(
        "cross-account-listed",
        group_with_rules(tcp(PORT, PORT, UserIdGroupPairs=[pair("sg-x", UserId="999988887777")])),
        PASS,
        "trusted",
        policy(network={"trusted_accounts": ["999988887777"]}),
    ),
    case(
        "peered-group",
        group_with_rules(
            tcp(
                PORT,
                PORT,
                UserIdGroupPairs=[
                    pair("sg-peer", UserId=ACCOUNT, VpcPeeringConnectionId="pcx-1", VpcId="vpc-b")
                ],
            )
        ),
        FAIL,
        "security group sg-peer across peering pcx-1",
    ),
    case(
        "peered-group-listed",
        group_with_rules(
            tcp(PORT, PORT, UserIdGroupPairs=[pair("sg-peer", VpcPeeringConnectionId="pcx-1")])
        ),
        PASS,
        "trusted",
        policy(network={"trusted_security_groups": ["sg-peer"]}),
    ),
    case(
        "serverless-reader-port-from-outside",
        serverless_with_reader(tcp(6380, 6380, IpRanges=[{"CidrIp": "198.51.100.0/24"}])),
        FAIL,
        "port 6380",
    ),
    case(
        "untrusted-source-on-another-port",
        group_with_rules(tcp(443, 443, IpRanges=[{"CidrIp": "203.0.113.0/24"}])),
        PASS,
        "trusted",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), TRUSTED_SOURCES)
def test_cw305_trusted_sources(build, status, fragment, policy) -> None:
    assert_verdict(ingress.check_trusted_sources, build, status, fragment, policy)


def endpoint_port(port: int):
    return {
        "NodeGroups": [{"NodeGroupId": "0001", "PrimaryEndpoint": {"Address": "a", "Port": port}}]
    }


DEFAULT_PORT = [
    case("custom-port", lambda: replication_group(), PASS, f"port {PORT}, not the default 6379"),
    case(
        "redis-default",
        lambda: replication_group(group=endpoint_port(6379)),
        FAIL,
        "default port 6379",
    ),
    case(
        "configuration-endpoint-wins",
        lambda: replication_group(
            group={"ConfigurationEndpoint": {"Address": "cfg", "Port": 6379}}
        ),
        FAIL,
        "6379",
    ),
    case(
        "valkey-default",
        lambda: replication_group("8.0.1", engine="valkey", group=endpoint_port(6379)),
        FAIL,
        "6379",
    ),
    case(
        "memcached-default",
        lambda: standalone_cluster("memcached", "1.6.22"),
        FAIL,
        "default port 11211",
    ),
    case(
        "no-port-reported",
        lambda: replication_group(group=NO_PORTS_GROUP, member=NO_PORTS_MEMBER),
        ERROR,
        "no endpoint port",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), DEFAULT_PORT)
def test_cw306_non_default_port(build, status, fragment, policy) -> None:
    assert_verdict(ingress.check_non_default_port, build, status, fragment, policy)
