"""CW-301 to CW-303 and CW-307: VPC placement, the default subnet group, public subnets,
the default VPC."""

from __future__ import annotations

import pytest

from posture.rules import network
from tests.unit.rules.table import ERROR, FAIL, NA, PASS, assert_verdict, case
from tests.unit.rules.world import (
    network_sections,
    replication_group,
    serverless_cache,
    standalone_cluster,
)

NO_SUBNET_GROUP = {"CacheSubnetGroupName": None}


IN_VPC = [
    case("group-in-vpc", lambda: replication_group(), PASS, "subnet group private"),
    case(
        "group-member-outside-vpc",
        lambda: replication_group(member=NO_SUBNET_GROUP),
        FAIL,
        "orders-001, orders-002: it runs outside a VPC",
    ),
    case(
        "standalone-outside-vpc",
        lambda: standalone_cluster(cluster=NO_SUBNET_GROUP),
        FAIL,
        "sessions",
    ),
    case(
        "members-not-collected",
        lambda: replication_group(members=0, group={"MemberClusters": ["orders-001"]}),
        ERROR,
        "not collected",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), IN_VPC)
def test_cw301_in_vpc(build, status, fragment, policy) -> None:
    assert_verdict(network.check_in_vpc, build, status, fragment, policy)


NOT_DEFAULT_GROUP = [
    case("private-group", lambda: replication_group(), PASS, "subnet group private"),
    case(
        "default-group",
        lambda: replication_group(member={"CacheSubnetGroupName": "default"}),
        FAIL,
        "default VPC",
    ),
    case(
        "no-subnet-group-is-cw301", lambda: replication_group(member=NO_SUBNET_GROUP), NA, "CW-301"
    ),
    case(
        "standalone-default-group",
        lambda: standalone_cluster(
            "memcached", "1.6.22", cluster={"CacheSubnetGroupName": "default"}
        ),
        FAIL,
        "cache cluster sessions (memcached 1.6.22)",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), NOT_DEFAULT_GROUP)
def test_cw302_not_default_subnet_group(build, status, fragment, policy) -> None:
    assert_verdict(network.check_not_default_subnet_group, build, status, fragment, policy)


def route_table(
    table_id: str,
    vpc: str,
    routes: list[dict[str, object]],
    *,
    main: bool = False,
    subnet: str | None = None,
):
    association = {
        "Main": main,
        "RouteTableId": table_id,
        **({"SubnetId": subnet} if subnet else {}),
    }
    return {"RouteTableId": table_id, "VpcId": vpc, "Routes": routes, "Associations": [association]}


IGW_V4 = {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-1", "State": "active"}
IGW_V6 = {"DestinationIpv6CidrBlock": "::/0", "GatewayId": "igw-1", "State": "active"}
NAT_V4 = {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "active"}
PRIVATE_MAIN = route_table("rtb-private", "vpc-app", [NAT_V4], main=True)


def tables(*route_tables: dict[str, object]):
    return lambda: replication_group(RouteTables=list(route_tables))


PUBLIC_SUBNET = [
    case("nat-only-is-private", tables(PRIVATE_MAIN), PASS, "none of its 2 subnets"),
    case(
        "explicit-table-to-igw",
        tables(PRIVATE_MAIN, route_table("rtb-public", "vpc-app", [IGW_V4], subnet="subnet-a")),
        FAIL,
        "subnet-a (route table rtb-public sends 0.0.0.0/0 to igw-1)",
    ),
    case(
        "ipv6-default-to-igw",
        tables(PRIVATE_MAIN, route_table("rtb-v6", "vpc-app", [IGW_V6], subnet="subnet-b")),
        FAIL,
        "sends ::/0 to igw-1",
    ),
    case(
        "other-vpc-public-main-is-ignored",
        tables(route_table("rtb-other", "vpc-other", [IGW_V4], main=True), PRIVATE_MAIN),
        PASS,
        "none of its",
    ),
    case(
        "own-vpc-public-main-is-used",
        tables(
            route_table("rtb-other", "vpc-other", [NAT_V4], main=True),
            route_table("rtb-main", "vpc-app", [IGW_V4], main=True),
        ),
        FAIL,
        "rtb-main",
    ),
    case(
        "never-borrow-another-vpc-main",
        tables(route_table("rtb-other", "vpc-other", [NAT_V4], main=True)),
        ERROR,
        "no route table found for subnet subnet-a, subnet-b",
    ),
    # Any route to an internet gateway makes the subnet public, not only a default route.
    case(
        "split-default-routes-to-igw",
        tables(
            route_table(
                "rtb-split",
                "vpc-app",
                [
                    {"DestinationCidrBlock": "0.0.0.0/1", "GatewayId": "igw-1", "State": "active"},
                    {
                        "DestinationCidrBlock": "128.0.0.0/1",
                        "GatewayId": "igw-1",
                        "State": "active",
                    },
                ],
                main=True,
            )
        ),
        FAIL,
        "sends 0.0.0.0/1 to igw-1",
    ),
    case(
        "narrow-cidr-to-igw",
        tables(
            route_table(
                "rtb-narrow",
                "vpc-app",
                [{"DestinationCidrBlock": "198.51.100.0/24", "GatewayId": "igw-1"}],
                main=True,
            )
        ),
        FAIL,
        "sends 198.51.100.0/24 to igw-1",
    ),
    case(
        "prefix-list-destination-to-igw",
        tables(
            route_table(
                "rtb-pl",
                "vpc-app",
                [{"DestinationPrefixListId": "pl-0abc", "GatewayId": "igw-1", "State": "active"}],
                main=True,
            )
        ),
        FAIL,
        "sends prefix list pl-0abc to igw-1",
    ),
    case(
        "local-and-transit-gateway-routes-are-private",
        tables(
            route_table(
                "rtb-tgw",
                "vpc-app",
                [
                    {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
                    {"DestinationCidrBlock": "0.0.0.0/0", "TransitGatewayId": "tgw-1"},
                ],
                main=True,
            )
        ),
        PASS,
        "none of its",
    ),
    case(
        "blackholed-igw-route",
        tables(route_table("rtb-main", "vpc-app", [{**IGW_V4, "State": "blackhole"}], main=True)),
        PASS,
        "none of its",
    ),
    case(
        "subnet-group-not-collected",
        lambda: replication_group(SubnetGroups=[]),
        ERROR,
        "subnet group private could not be read",
    ),
    case("not-in-vpc", lambda: replication_group(member=NO_SUBNET_GROUP), NA, "CW-301"),
    case("serverless-private", lambda: serverless_cache(), PASS, "serverless cache api"),
    case(
        "serverless-public",
        lambda: serverless_cache(
            RouteTables=[route_table("rtb-main", "vpc-app", [IGW_V4], main=True)]
        ),
        FAIL,
        "public subnet subnet-a",
    ),
    case(
        "serverless-unknown-subnet",
        lambda: serverless_cache(cache={"SubnetIds": ["subnet-z"]}),
        ERROR,
        "subnet-z",
    ),
    case(
        "standalone-private",
        lambda: standalone_cluster(**network_sections()),
        PASS,
        "cache cluster sessions",
    ),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), PUBLIC_SUBNET)
def test_cw303_no_public_subnet(build, status, fragment, policy) -> None:
    assert_verdict(network.check_no_public_subnet, build, status, fragment, policy)


DEFAULT_VPC = {"VpcId": "vpc-default", "CidrBlock": "172.31.0.0/16", "IsDefault": True}


def in_default_vpc(**sections: object) -> dict[str, object]:
    """The world's subnets moved into the region's default VPC."""
    base = network_sections()
    for group in base["SubnetGroups"]:
        group["VpcId"] = "vpc-default"
    for subnet in base["Subnets"]:
        subnet["VpcId"] = "vpc-default"
    return {**base, "Vpcs": [DEFAULT_VPC], **sections}


DEFAULT_VPC_CASES = [
    case("own-vpc", lambda: replication_group(), PASS, "runs in VPC vpc-app, not the default"),
    case(
        "custom-group-in-default-vpc",
        lambda: replication_group(**in_default_vpc()),
        FAIL,
        "runs in the region's default VPC vpc-default",
    ),
    case(
        "standalone-in-default-vpc",
        lambda: standalone_cluster(**in_default_vpc()),
        FAIL,
        "cache cluster sessions",
    ),
    case(
        "serverless-in-default-vpc",
        lambda: serverless_cache(**in_default_vpc()),
        FAIL,
        "serverless cache api (valkey 8.0) runs in the region's default VPC",
    ),
    case("serverless-own-vpc", lambda: serverless_cache(), PASS, "vpc-app"),
    case(
        "vpc-not-collected",
        lambda: replication_group(Vpcs=[]),
        ERROR,
        "VPC vpc-app could not be read",
    ),
    case("not-in-vpc", lambda: replication_group(member=NO_SUBNET_GROUP), NA, "CW-301"),
]


@pytest.mark.parametrize(("build", "status", "fragment", "policy"), DEFAULT_VPC_CASES)
def test_cw307_not_default_vpc(build, status, fragment, policy) -> None:
    assert_verdict(network.check_not_default_vpc, build, status, fragment, policy)
