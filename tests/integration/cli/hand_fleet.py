"""A small fleet built by hand in us-east-1, whose findings under the default policy are known.

Every cache has a story: a legacy Redis 5 group that does nothing right and is open to the
internet, a Valkey group that does everything right, a Redis 7 group that is right except
for the passwordless built-in `default` user in its user group, a plain Memcached cluster
and a serverless Valkey cache without a user group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.integration.cli.aws_clients import fake_client

REGION = "us-east-1"
ACCOUNT = "123456789012"  # moto's account for the fake's test credentials
SCOPE_ID = f"{ACCOUNT}/{REGION}"

LEGACY = "orders-legacy"
SECURE = "sessions-secure"
RBAC_OPEN = "profiles-rbac"
MEMCACHED = "catalog-memcached"
SERVERLESS = "search-serverless"
OPEN_USER_GROUP = "profiles-users"
SECURE_PORT = 6390
TOKEN = "Aa1!cachewarden-cli-test-token"

# What each seeded resource must fail, and nothing else (default policy).
EXPECTED_FAILS: dict[str, set[str]] = {
    LEGACY: {
        "CW-101", "CW-103", "CW-201", "CW-302", "CW-303", "CW-304", "CW-305", "CW-306",
        "CW-307", "CW-401", "CW-403", "CW-404", "CW-406", "CW-504",
    },  # CW-501 does not apply: Redis OSS 5 has no log delivery
    SECURE: set(),
    RBAC_OPEN: {"CW-203"},
    MEMCACHED: {"CW-101", "CW-302", "CW-303", "CW-306", "CW-307", "CW-504"},
    SERVERLESS: {"CW-104", "CW-205", "CW-401"},
    SCOPE_ID: {"CW-503"},  # no CloudTrail trail in the account
}  # fmt: skip
TAGGED_PAYMENTS = {SECURE, MEMCACHED}
VALKEY_RESOURCES = {SECURE, SERVERLESS}


@dataclass(frozen=True)
class HandNetwork:
    subnet_group: str
    private_subnets: tuple[str, ...]
    trusted_group: str
    open_group: str
    kms_key_arn: str
    topic_arn: str
    log_group: str


def _client(url: str, service: str) -> Any:
    return fake_client(url, service, REGION)


def _public_default_vpc(ec2: Any) -> str:
    """On AWS the default VPC routes to an internet gateway; moto leaves that route out."""
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc["VpcId"])
    main = ec2.describe_route_tables(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc["VpcId"]]},
            {"Name": "association.main", "Values": ["true"]},
        ]
    )["RouteTables"][0]
    ec2.create_route(
        RouteTableId=main["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway
    )
    return str(vpc["VpcId"])


def _security_group(ec2: Any, vpc_id: str, name: str, port: int, cidr: str) -> str:
    group = ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}
        ],
    )
    return str(group)


def build_network(url: str) -> HandNetwork:
    """A private application VPC (no internet route), keys, topic and log group."""
    ec2 = _client(url, "ec2")
    default_vpc = _public_default_vpc(ec2)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = tuple(
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate((f"{REGION}a", f"{REGION}b"), start=1)
    )
    _client(url, "elasticache").create_cache_subnet_group(
        CacheSubnetGroupName="apps-private",
        CacheSubnetGroupDescription="private subnets",
        SubnetIds=list(subnets),
    )
    log_group = "/cachewarden/cli-test"
    _client(url, "logs").create_log_group(logGroupName=log_group)
    return HandNetwork(
        subnet_group="apps-private",
        private_subnets=subnets,
        # The application VPC's own block: trusted by default (all of 10.0.0.0/8 would not be).
        trusted_group=_security_group(ec2, vpc, "cache-trusted", SECURE_PORT, "10.20.0.0/16"),
        open_group=_security_group(ec2, default_vpc, "cache-open", 6379, "0.0.0.0/0"),
        kms_key_arn=_client(url, "kms").create_key(Description="cache CMK")["KeyMetadata"]["Arn"],
        topic_arn=_client(url, "sns").create_topic(Name="cache-events")["TopicArn"],
        log_group=log_group,
    )


def compliant_group(group_id: str, engine: str, version: str, net: HandNetwork) -> dict[str, Any]:
    """A replication group request that passes every resource rule of the default policy."""
    logs = {"CloudWatchLogsDetails": {"LogGroup": net.log_group}}
    return {
        "ReplicationGroupId": group_id,
        "ReplicationGroupDescription": f"{group_id} (compliant)",
        "Engine": engine,
        "EngineVersion": version,
        "CacheNodeType": "cache.r7g.large",
        "NumCacheClusters": 2,
        "AutomaticFailoverEnabled": True,
        "MultiAZEnabled": True,
        "CacheSubnetGroupName": net.subnet_group,
        "SecurityGroupIds": [net.trusted_group],
        "Port": SECURE_PORT,
        "TransitEncryptionEnabled": True,
        "TransitEncryptionMode": "required",
        "AtRestEncryptionEnabled": True,
        "KmsKeyId": net.kms_key_arn,
        "SnapshotRetentionLimit": 7,
        "AutoMinorVersionUpgrade": True,
        "NotificationTopicArn": net.topic_arn,
        "AuthToken": TOKEN,
        "LogDeliveryConfigurations": [
            {"LogType": kind, "DestinationType": "cloudwatch-logs", "LogFormat": "json",
             "DestinationDetails": logs, "Enabled": True}
            for kind in ("slow-log", "engine-log")
        ],
    }  # fmt: skip


def _seed_groups(elasticache: Any, net: HandNetwork) -> None:
    elasticache.create_replication_group(
        ReplicationGroupId=LEGACY,
        ReplicationGroupDescription="legacy orders cache, every default left as is",
        Engine="redis",
        EngineVersion="5.0.6",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=1,
        SecurityGroupIds=[net.open_group],
        Tags=[{"Key": "team", "Value": "search"}],
    )
    secure = compliant_group(SECURE, "valkey", "8.0", net)
    elasticache.create_replication_group(**secure, Tags=[{"Key": "team", "Value": "payments"}])
    # The built-in `default` user is enabled and passwordless; putting it in a group opens it.
    elasticache.create_user_group(UserGroupId=OPEN_USER_GROUP, Engine="redis", UserIds=["default"])
    rbac = compliant_group(RBAC_OPEN, "redis", "7.1", net)
    del rbac["AuthToken"]
    elasticache.create_replication_group(**rbac, UserGroupIds=[OPEN_USER_GROUP])


def _seed_others(elasticache: Any, net: HandNetwork) -> None:
    elasticache.create_cache_cluster(
        CacheClusterId=MEMCACHED,
        Engine="memcached",
        EngineVersion="1.6.22",
        CacheNodeType="cache.t4g.small",
        NumCacheNodes=1,
        Tags=[{"Key": "team", "Value": "payments"}],
    )
    elasticache.create_serverless_cache(
        ServerlessCacheName=SERVERLESS,
        Engine="valkey",
        SubnetIds=list(net.private_subnets),
        SecurityGroupIds=[net.trusted_group],
    )


def seed_hand_fleet(url: str) -> None:
    net = build_network(url)
    elasticache = _client(url, "elasticache")
    _seed_groups(elasticache, net)
    _seed_others(elasticache, net)
