"""Per account and region: the network, keys, topic and RBAC users a fleet's caches use.

One application VPC with private subnets, a NAT-routed subnet (still private: a NAT
gateway does not make a subnet public) and public subnets behind an internet gateway;
world-open and trusted security groups in it and in the default VPC; a KMS CMK; an SNS
topic; users and user groups (secure, and one holding the open built-in default user).
The default VPC gets an internet gateway route like on AWS (moto omits it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.fake_aws.fleet_model import TRUSTED_CIDR

CACHE_PORTS = ((6379, 6390), (11211, 11222))
USER_PASSWORD = "Fleet-Passw0rd-0001!"


@dataclass
class Network:
    vpc_id: str
    default_vpc_id: str
    subnet_groups: dict[str, str] = field(default_factory=dict)
    private_subnets: list[str] = field(default_factory=list)
    security_groups: dict[str, str] = field(default_factory=dict)
    kms_key_arn: str = ""
    topic_arn: str = ""
    log_group: str = "/cachewarden/fleet"
    user_groups: dict[str, str] = field(default_factory=dict)


def _subnet(ec2: Any, vpc_id: str, cidr: str, zone: str) -> str:
    return str(
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
    )


def _route_table(ec2: Any, vpc_id: str, subnets: list[str], **route: str) -> None:
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    if route:
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", **route)
    for subnet in subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)


def _internet_gateway(ec2: Any, vpc_id: str) -> str:
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    return str(gateway)


def _make_default_vpc_public(ec2: Any, vpc_id: str) -> None:
    gateway = _internet_gateway(ec2, vpc_id)
    tables = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"]
    for table in tables:
        ec2.create_route(
            RouteTableId=table["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway
        )


def _subnets(ec2: Any, vpc_id: str, octet: int, zones: list[str]) -> dict[str, list[str]]:
    base = f"10.{octet}"
    private = [_subnet(ec2, vpc_id, f"{base}.{i + 1}.0/24", zone) for i, zone in enumerate(zones)]
    public = [_subnet(ec2, vpc_id, f"{base}.{i + 101}.0/24", zone) for i, zone in enumerate(zones)]
    natted = [_subnet(ec2, vpc_id, f"{base}.50.0/24", zones[0])]
    gateway = _internet_gateway(ec2, vpc_id)
    _route_table(ec2, vpc_id, public, GatewayId=gateway)
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public[0], AllocationId=allocation)["NatGateway"]
    _route_table(ec2, vpc_id, natted, NatGatewayId=nat["NatGatewayId"])
    _route_table(ec2, vpc_id, private)
    return {"private": private, "public": public, "natted": natted}


def _security_group(ec2: Any, vpc_id: str, name: str, permissions: list[dict[str, Any]]) -> str:
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=permissions)
    return str(group)


def _open_rules() -> list[dict[str, Any]]:
    redis, memcached = CACHE_PORTS
    return [
        {"IpProtocol": "tcp", "FromPort": redis[0], "ToPort": redis[1], "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": memcached[0], "ToPort": memcached[1], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]},
    ]  # fmt: skip


def _trusted_rules(app_group: str) -> list[dict[str, Any]]:
    return [
        {
            "IpProtocol": "tcp", "FromPort": low, "ToPort": high,
            "IpRanges": [{"CidrIp": TRUSTED_CIDR}], "UserIdGroupPairs": [{"GroupId": app_group}],
        }
        for low, high in CACHE_PORTS
    ]  # fmt: skip


def _security_groups(ec2: Any, vpc_id: str, prefix: str) -> dict[str, str]:
    app = str(
        ec2.create_security_group(GroupName=f"{prefix}app", Description="app", VpcId=vpc_id)[
            "GroupId"
        ]
    )
    return {
        f"{prefix}open": _security_group(ec2, vpc_id, f"{prefix}cache-open", _open_rules()),
        f"{prefix}trusted": _security_group(
            ec2, vpc_id, f"{prefix}cache-trusted", _trusted_rules(app)
        ),
    }


def _subnet_groups(elasticache: Any, subnets: dict[str, list[str]]) -> dict[str, str]:
    layout = {
        "cw-private": subnets["private"],
        "cw-private-nat": subnets["natted"] + subnets["private"][:1],
        "cw-public": subnets["public"],
    }
    for name, ids in layout.items():
        elasticache.create_cache_subnet_group(
            CacheSubnetGroupName=name, CacheSubnetGroupDescription=name, SubnetIds=ids
        )
    return {name: name for name in layout} | {"default": "default"}


def _rbac(elasticache: Any) -> dict[str, str]:
    elasticache.create_user(
        UserId="cw-app", UserName="cw-app", Engine="redis", Passwords=[USER_PASSWORD],
        AccessString="on ~app:* +@read +@write",
    )  # fmt: skip
    elasticache.create_user(
        UserId="cw-default-locked", UserName="default", Engine="redis",
        Passwords=[USER_PASSWORD], AccessString="off ~* -@all",
    )  # fmt: skip
    layout = {
        "redis-secure": ("cw-secure", "redis", ["cw-default-locked", "cw-app"]),
        "redis-open": ("cw-open", "redis", ["default", "cw-app"]),
        "valkey-secure": ("cw-secure-valkey", "valkey", ["cw-app"]),
        "valkey-open": ("cw-open-valkey", "valkey", ["default", "cw-app"]),
    }
    for group_id, engine, users in layout.values():
        elasticache.create_user_group(UserGroupId=group_id, Engine=engine, UserIds=users)
    return {key: group_id for key, (group_id, _, _) in layout.items()}


def build_network(clients: Any, octet: int) -> Network:
    """Everything shared by the caches of one account and region."""
    ec2 = clients.client("ec2")
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][
        0
    ]["VpcId"]
    _make_default_vpc_public(ec2, default_vpc)
    vpc_id = ec2.create_vpc(CidrBlock=f"10.{octet}.0.0/16")["Vpc"]["VpcId"]
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    subnets = _subnets(ec2, vpc_id, octet, zones)
    network = Network(vpc_id=vpc_id, default_vpc_id=default_vpc, private_subnets=subnets["private"])
    network.security_groups = _security_groups(ec2, vpc_id, "") | _security_groups(
        ec2, default_vpc, "default-"
    )
    elasticache = clients.client("elasticache")
    network.subnet_groups = _subnet_groups(elasticache, subnets)
    kms = clients.client("kms")
    key = kms.create_key(Description="cachewarden fleet CMK")["KeyMetadata"]
    kms.create_alias(AliasName="alias/cachewarden-fleet", TargetKeyId=key["KeyId"])
    network.kms_key_arn = key["Arn"]
    network.topic_arn = clients.client("sns").create_topic(Name="cachewarden-events")["TopicArn"]
    clients.client("logs").create_log_group(logGroupName=network.log_group)
    network.user_groups = _rbac(elasticache)
    return network
