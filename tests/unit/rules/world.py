"""A small, fully compliant ElastiCache estate in boto3's own shape, for table tests.

Every builder returns AWS-style PascalCase dicts validated through the real models, so
the tests also prove the aliases. Each test breaks one fact of the compliant world.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from posture.policy import OrgPolicy
from posture.resources import CacheCluster, Inventory, ReplicationGroup, ServerlessCache
from posture.rules.context import RuleContext, Verdict

ACCOUNT = "111122223333"
REGION = "eu-west-1"
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
PORT = 7000
CMK_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/key-cmk"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:cache-events"

Dict = dict[str, Any]


def arn(kind: str, name: str) -> str:
    return f"arn:aws:elasticache:{REGION}:{ACCOUNT}:{kind}:{name}"


def network_sections() -> Dict:
    """One private subnet (NAT only) in vpc-app and a group open to the VPC and an app group."""
    return {
        "SubnetGroups": [
            {
                "CacheSubnetGroupName": "private",
                "VpcId": "vpc-app",
                "Subnets": [{"SubnetIdentifier": "subnet-a"}, {"SubnetIdentifier": "subnet-b"}],
            }
        ],
        "Subnets": [
            {"SubnetId": "subnet-a", "VpcId": "vpc-app"},
            {"SubnetId": "subnet-b", "VpcId": "vpc-app"},
        ],
        "RouteTables": [
            {
                "RouteTableId": "rtb-private",
                "VpcId": "vpc-app",
                "Routes": [
                    {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local"},
                    {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1"},
                ],
                "Associations": [{"Main": True, "RouteTableId": "rtb-private"}],
            }
        ],
        "Vpcs": [
            {
                "VpcId": "vpc-app",
                "CidrBlock": "10.0.0.0/16",
                "IsDefault": False,
                "CidrBlockAssociationSet": [
                    {"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}}
                ],
            }
        ],
        "SecurityGroups": [
            {
                "GroupId": "sg-cache",
                "GroupName": "cache",
                "VpcId": "vpc-app",
                "IpPermissions": [
                    {
                        "IpProtocol": "tcp",
                        "FromPort": PORT,
                        "ToPort": PORT,
                        "IpRanges": [{"CidrIp": "10.0.0.0/16"}],
                        "UserIdGroupPairs": [{"GroupId": "sg-app"}],
                    }
                ],
            }
        ],
    }


def access_sections() -> Dict:
    """A user group whose default user is switched off and whose app user has a password."""
    return {
        "UserGroups": [
            {
                "UserGroupId": "app-users",
                "UserIds": ["default-off", "app"],
                "ReplicationGroups": ["orders"],
            }
        ],
        "Users": [
            {
                "UserId": "default-off",
                "UserName": "default",
                "AccessString": "off ~* +@all",
                "Authentication": {"Type": "no-password"},
            },
            {
                "UserId": "app",
                "UserName": "app",
                "AccessString": "on ~app:* +@read",
                "Authentication": {"Type": "password", "PasswordCount": 1},
            },
        ],
        "KmsKeys": [
            {"KeyId": "key-cmk", "Arn": CMK_ARN, "KeyManager": "CUSTOMER", "KeyState": "Enabled"}
        ],
    }


def base_sections() -> Dict:
    return {**network_sections(), **access_sections()}


def member_cluster(group_id: str, number: int, engine: str, version: str, **overrides: Any) -> Dict:
    cluster_id = f"{group_id}-{number:03d}"
    return {
        "CacheClusterId": cluster_id,
        "ARN": arn("cluster", cluster_id),
        "Engine": engine,
        "EngineVersion": version,
        "ReplicationGroupId": group_id,
        "CacheNodeType": "cache.r7g.large",
        "NumCacheNodes": 1,
        "CacheSubnetGroupName": "private",
        "SecurityGroups": [{"SecurityGroupId": "sg-cache", "Status": "active"}],
        "CacheNodes": [
            {"CacheNodeId": "0001", "Endpoint": {"Address": f"{cluster_id}.cache", "Port": PORT}}
        ],
        "AutoMinorVersionUpgrade": True,
        "NotificationConfiguration": {"TopicArn": TOPIC_ARN, "TopicStatus": "active"},
        **overrides,
    }


def group_dict(group_id: str, engine: str, member_ids: list[str], **overrides: Any) -> Dict:
    return {
        "ReplicationGroupId": group_id,
        "ARN": arn("replicationgroup", group_id),
        "Engine": engine,
        "MemberClusters": member_ids,
        "NodeGroups": [
            {
                "NodeGroupId": "0001",
                "PrimaryEndpoint": {"Address": f"{group_id}.cache", "Port": PORT},
                "NodeGroupMembers": [{"CacheClusterId": m} for m in member_ids],
            }
        ],
        "AutomaticFailover": "enabled",
        "MultiAZ": "enabled",
        "SnapshotRetentionLimit": 7,
        "CacheNodeType": "cache.r7g.large",
        "AuthTokenEnabled": False,
        "TransitEncryptionEnabled": True,
        "TransitEncryptionMode": "required",
        "AtRestEncryptionEnabled": True,
        "KmsKeyId": CMK_ARN,
        "UserGroupIds": ["app-users"],
        "LogDeliveryConfigurations": [
            {"LogType": "slow-log", "DestinationType": "cloudwatch-logs", "Status": "active"},
            {"LogType": "engine-log", "DestinationType": "cloudwatch-logs", "Status": "active"},
        ],
        "AutoMinorVersionUpgrade": True,
        "ReplicationGroupCreateTime": "2025-01-01T00:00:00Z",
        **overrides,
    }


def inventory(**sections: Any) -> Inventory:
    return Inventory.model_validate(
        {"Account": ACCOUNT, "Region": REGION, "CollectedAt": NOW.isoformat(), **sections}
    )


def replication_group(
    version: str = "7.1.0",
    *,
    engine: str = "redis",
    members: int = 2,
    group: Dict | None = None,
    member: Dict | None = None,
    **sections: Any,
) -> tuple[ReplicationGroup, Inventory]:
    """The group "orders" with `members` member clusters, in the compliant world."""
    clusters = [
        member_cluster("orders", n, engine, version, **(member or {}))
        for n in range(1, members + 1)
    ]
    ids = [c["CacheClusterId"] for c in clusters]
    merged = {**base_sections(), **sections}
    extra_clusters = merged.pop("CacheClusters", [])
    inv = inventory(
        ReplicationGroups=[group_dict("orders", engine, ids, **(group or {}))],
        CacheClusters=[*clusters, *extra_clusters],
        **merged,
    )
    return inv.replication_groups[0], inv


def standalone_cluster(
    engine: str = "redis", version: str = "7.1.0", *, cluster: Dict | None = None, **sections: Any
) -> tuple[CacheCluster, Inventory]:
    """The standalone cluster "sessions" (no replication group) in the compliant world."""
    default_port = 11211 if engine == "memcached" else PORT
    data = member_cluster("sessions", 1, engine, version)
    data.pop("ReplicationGroupId")
    data.update(
        CacheClusterId="sessions",
        ARN=arn("cluster", "sessions"),
        CacheNodes=[
            {"CacheNodeId": "0001", "Endpoint": {"Address": "sessions.cache", "Port": default_port}}
        ],
        SnapshotRetentionLimit=7,
        TransitEncryptionEnabled=True,
        TransitEncryptionMode="required",
        AtRestEncryptionEnabled=True,
        AuthTokenEnabled=True,
        AuthTokenLastModifiedDate="2025-05-01T00:00:00Z",
        LogDeliveryConfigurations=group_dict("x", engine, [])["LogDeliveryConfigurations"],
    )
    data.update(cluster or {})
    inv = inventory(CacheClusters=[data], **{**base_sections(), **sections})
    return inv.cache_clusters[0], inv


def serverless_cache(
    engine: str = "valkey", *, cache: Dict | None = None, **sections: Any
) -> tuple[ServerlessCache, Inventory]:
    data = {
        "ServerlessCacheName": "api",
        "ARN": arn("serverlesscache", "api"),
        "Engine": engine,
        "MajorEngineVersion": "8",
        "FullEngineVersion": "8.0",
        "KmsKeyId": CMK_ARN,
        "SecurityGroupIds": ["sg-cache"],
        "SubnetIds": ["subnet-a", "subnet-b"],
        "Endpoint": {"Address": "api.serverless.cache", "Port": PORT},
        "UserGroupId": "app-users",
        "SnapshotRetentionLimit": 7,
        **(cache or {}),
    }
    inv = inventory(ServerlessCaches=[data], **{**base_sections(), **sections})
    return inv.serverless_caches[0], inv


def judge(
    check: Callable[[Any, RuleContext], Verdict],
    resource: object,
    inv: Inventory,
    policy: OrgPolicy | None = None,
    now: datetime = NOW,
) -> Verdict:
    return check(resource, RuleContext.build(inv, policy or OrgPolicy(), now))


def policy(**sections: Any) -> OrgPolicy:
    return OrgPolicy.model_validate(sections)
