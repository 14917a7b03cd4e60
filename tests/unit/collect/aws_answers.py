"""Canned AWS answers for one region, in the shapes AWS documents (moto omits many of them).

Covers what vanilla moto never returns: member clusters with security groups and node
ports, RBAC user groups, serverless caches and their snapshots, pending modifications,
log delivery, notification topics, reserved nodes, advanced event selectors.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from tests.unit.collect.stubs import ACCOUNT, REGION

CMK = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1111aaaa-2222-bbbb-3333-cccc4444dddd"
SNAPSHOT_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/9999ffff-8888-eeee-7777-dddd6666cccc"
RG_ARN = f"arn:aws:elasticache:{REGION}:{ACCOUNT}:replicationgroup:orders"
MEMBER_ARN = f"arn:aws:elasticache:{REGION}:{ACCOUNT}:cluster:orders-001"
MEMCACHED_ARN = f"arn:aws:elasticache:{REGION}:{ACCOUNT}:cluster:sessions"
SERVERLESS_ARN = f"arn:aws:elasticache:{REGION}:{ACCOUNT}:serverlesscache:carts"
BROAD_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/cache-admin"
NARROW_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/cache-reader"
CREATED = datetime(2024, 3, 1, tzinfo=UTC)


def replication_group() -> dict[str, Any]:
    return {
        "ReplicationGroupId": "orders",
        "ARN": RG_ARN,
        "Description": "orders cache",
        "GlobalReplicationGroupInfo": {
            "GlobalReplicationGroupId": "ldgnf-orders-global",
            "GlobalReplicationGroupMemberRole": "PRIMARY",
        },
        "Status": "modifying",
        "Engine": "redis",
        "MemberClusters": ["orders-001"],
        "NodeGroups": [
            {
                "NodeGroupId": "0001",
                "Status": "available",
                "PrimaryEndpoint": {"Address": "orders.abc.cache.amazonaws.com", "Port": 6380},
                "NodeGroupMembers": [
                    {
                        "CacheClusterId": "orders-001",
                        "CacheNodeId": "0001",
                        "CurrentRole": "primary",
                    }
                ],
            }
        ],
        "AutomaticFailover": "disabled",
        "MultiAZ": "disabled",
        "SnapshotRetentionLimit": 1,
        "ClusterEnabled": False,
        "CacheNodeType": "cache.r6g.large",
        "AuthTokenEnabled": True,
        "AuthTokenLastModifiedDate": CREATED,
        "TransitEncryptionEnabled": True,
        "TransitEncryptionMode": "preferred",
        "AtRestEncryptionEnabled": True,
        "KmsKeyId": CMK,
        "UserGroupIds": ["app-users"],
        "LogDeliveryConfigurations": [
            {
                "LogType": "slow-log",
                "DestinationType": "cloudwatch-logs",
                "LogFormat": "json",
                "Status": "active",
            }
        ],
        "AutoMinorVersionUpgrade": True,
        "PendingModifiedValues": {
            "AuthTokenStatus": "ROTATING",
            "TransitEncryptionMode": "required",
        },
        "ReplicationGroupCreateTime": CREATED,
    }


def member_cluster() -> dict[str, Any]:
    return {
        "CacheClusterId": "orders-001",
        "ARN": MEMBER_ARN,
        "ReplicationGroupId": "orders",
        "Engine": "redis",
        "EngineVersion": "7.1.0",
        "CacheClusterStatus": "available",
        "CacheNodeType": "cache.r6g.large",
        "NumCacheNodes": 1,
        "CacheSubnetGroupName": "private-cache",
        "CacheNodes": [
            {
                "CacheNodeId": "0001",
                "CacheNodeStatus": "available",
                "Endpoint": {"Address": "orders-001.abc.cache.amazonaws.com", "Port": 6380},
                "CustomerAvailabilityZone": "us-east-1a",
            }
        ],
        "SecurityGroups": [{"SecurityGroupId": "sg-0cache", "Status": "active"}],
        "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True,
        "NotificationConfiguration": {
            "TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:cache-events",
            "TopicStatus": "active",
        },
    }


def memcached_cluster() -> dict[str, Any]:
    return {
        "CacheClusterId": "sessions",
        "ARN": MEMCACHED_ARN,
        "Engine": "memcached",
        "EngineVersion": "1.6.22",
        "CacheNodeType": "cache.m3.medium",
        "NumCacheNodes": 1,
        "CacheSubnetGroupName": "default",
        "ConfigurationEndpoint": {"Address": "sessions.cfg.cache.amazonaws.com", "Port": 11211},
        "CacheNodes": [{"CacheNodeId": "0001", "Endpoint": {"Port": 11211}}],
        "SecurityGroups": [{"SecurityGroupId": "sg-0open", "Status": "active"}],
        "TransitEncryptionEnabled": False,
    }


def serverless_cache() -> dict[str, Any]:
    return {
        "ServerlessCacheName": "carts",
        "ARN": SERVERLESS_ARN,
        "Status": "available",
        "Engine": "valkey",
        "MajorEngineVersion": "8",
        "FullEngineVersion": "8.0",
        "KmsKeyId": CMK,
        "SecurityGroupIds": ["sg-0cache"],
        "SubnetIds": ["subnet-0serverless"],
        "UserGroupId": "app-users",
        "SnapshotRetentionLimit": 3,
        "Endpoint": {"Address": "carts.serverless.cache.amazonaws.com", "Port": 6379},
        "ReaderEndpoint": {"Address": "carts-ro.serverless.cache.amazonaws.com", "Port": 6380},
    }


def user_group() -> dict[str, Any]:
    return {
        "UserGroupId": "app-users",
        "Status": "active",
        "Engine": "redis",
        "UserIds": ["default", "app"],
        "ReplicationGroups": ["orders"],
        "ServerlessCaches": ["carts"],
        "ARN": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:usergroup:app-users",
    }


def users() -> list[dict[str, Any]]:
    return [
        {
            "UserId": "default",
            "UserName": "default",
            "Status": "active",
            "Engine": "redis",
            "AccessString": "on ~* +@all",
            "UserGroupIds": ["app-users"],
            "Authentication": {"Type": "no-password"},
            "ARN": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:user:default",
        },
        {
            "UserId": "app",
            "UserName": "app",
            "Status": "active",
            "Engine": "redis",
            "AccessString": "on ~app:* +@read +@write",
            "UserGroupIds": ["app-users"],
            "Authentication": {"Type": "password", "PasswordCount": 2},
            "ARN": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:user:app",
        },
    ]


def subnet_groups() -> list[dict[str, Any]]:
    return [
        {
            "CacheSubnetGroupName": "private-cache",
            "VpcId": "vpc-0main",
            "Subnets": [
                {
                    "SubnetIdentifier": "subnet-0private",
                    "SubnetAvailabilityZone": {"Name": "us-east-1a"},
                }
            ],
        },
        {
            "CacheSubnetGroupName": "default",
            "VpcId": "vpc-0default",
            "Subnets": [{"SubnetIdentifier": "subnet-0public"}],
        },
        {"CacheSubnetGroupName": "unused", "VpcId": "vpc-0main", "Subnets": []},
    ]


def subnets() -> list[dict[str, Any]]:
    return [
        {"SubnetId": sid, "VpcId": vpc, "CidrBlock": cidr, "AvailabilityZone": "us-east-1a"}
        for sid, vpc, cidr in (
            ("subnet-0private", "vpc-0main", "10.0.1.0/24"),
            ("subnet-0public", "vpc-0default", "172.31.0.0/20"),
            ("subnet-0serverless", "vpc-0main", "10.0.2.0/24"),
        )
    ]


def associated_route_tables() -> list[dict[str, Any]]:
    return [
        {
            "RouteTableId": "rtb-0private",
            "VpcId": "vpc-0main",
            "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-0a"}],
            "Associations": [{"Main": False, "SubnetId": "subnet-0private"}],
        }
    ]


def main_route_tables() -> list[dict[str, Any]]:
    return [
        {
            "RouteTableId": "rtb-0defaultmain",
            "VpcId": "vpc-0default",
            "Routes": [{"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0a"}],
            "Associations": [{"Main": True}],
        },
        {
            "RouteTableId": "rtb-0private",  # also returned above: kept once
            "VpcId": "vpc-0main",
            "Routes": [],
            "Associations": [{"Main": True}],
        },
    ]


def security_groups() -> list[dict[str, Any]]:
    return [
        {
            "GroupId": "sg-0cache",
            "GroupName": "cache",
            "VpcId": "vpc-0main",
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 6379,
                    "ToPort": 6380,
                    "UserIdGroupPairs": [{"GroupId": "sg-0app"}],
                    "PrefixListIds": [{"PrefixListId": "pl-0office"}],
                }
            ],
        },
        {
            "GroupId": "sg-0open",
            "GroupName": "open",
            "VpcId": "vpc-0default",
            "IpPermissions": [
                {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": []}
            ],
        },
    ]


def kms_key(arn: str, manager: str) -> dict[str, Any]:
    return {
        "KeyMetadata": {
            "KeyId": arn.rsplit("/", 1)[-1],
            "Arn": arn,
            "KeyManager": manager,
            "KeyState": "Enabled",
        }
    }


def snapshots() -> list[dict[str, Any]]:
    return [
        {"SnapshotName": "orders-daily", "ReplicationGroupId": "orders", "KmsKeyId": SNAPSHOT_KEY},
        {"SnapshotName": "old-orphan", "CacheClusterId": "gone-001", "SnapshotStatus": "available"},
    ]


def serverless_snapshots() -> list[dict[str, Any]]:
    return [
        {
            "ServerlessCacheSnapshotName": "carts-manual",
            "ARN": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:serverlesscachesnapshot:carts-manual",
            "KmsKeyId": CMK,
            "SnapshotType": "manual",
            "Status": "available",
            "ServerlessCacheConfiguration": {
                "ServerlessCacheName": "carts",
                "Engine": "valkey",
                "MajorEngineVersion": "8",
            },
        }
    ]


def reserved_nodes() -> list[dict[str, Any]]:
    return [
        {
            "ReservedCacheNodeId": "ri-orders",
            "ReservationARN": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:reserved-instance:ri-orders",
            "CacheNodeType": "cache.r6g.large",
            "StartTime": CREATED,
            "Duration": 31536000,
            "CacheNodeCount": 1,
            "ProductDescription": "redis",
            "State": "payment-pending",
        }
    ]


def tag_mappings() -> list[dict[str, Any]]:
    return [
        {"ResourceARN": RG_ARN, "Tags": [{"Key": "team", "Value": "payments"}]},
        {"ResourceARN": SERVERLESS_ARN, "Tags": [{"Key": "team", "Value": "web"}]},
    ]


def metric_results() -> list[dict[str, Any]]:
    # Query ids follow the order of the clusters: cpu0 = orders-001, cpu1 = sessions.
    return [
        {
            "Id": "cpu0",
            "Label": "orders-001",
            "Values": [10.0, 20.0, 30.0],
            "StatusCode": "Complete",
        },
        {"Id": "cpu1", "Label": "sessions", "Values": [], "StatusCode": "Complete"},
    ]


def trail() -> dict[str, Any]:
    return {
        "Name": "org-trail",
        "TrailARN": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/org-trail",
        "HomeRegion": REGION,
        "IsMultiRegionTrail": True,
    }


def advanced_selectors() -> dict[str, Any]:
    """Advanced selectors only (no basic ones): management events, writes included."""
    return {
        "TrailARN": trail()["TrailARN"],
        "AdvancedEventSelectors": [
            {
                "Name": "management",
                "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
            }
        ],
    }


def iam_policies() -> list[dict[str, Any]]:
    return [
        {"PolicyName": "cache-admin", "Arn": BROAD_POLICY, "DefaultVersionId": "v3"},
        {"PolicyName": "cache-reader", "Arn": NARROW_POLICY, "DefaultVersionId": "v1"},
    ]


def policy_version(actions: list[str], version: str) -> dict[str, Any]:
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    # On the wire IAM sends the document URL-encoded; botocore decodes it after the call.
    encoded = quote(json.dumps(document))
    return {"PolicyVersion": {"Document": encoded, "VersionId": version, "IsDefaultVersion": True}}


def vpcs() -> list[dict[str, Any]]:
    return [
        {
            "VpcId": "vpc-0main",
            "CidrBlock": "10.0.0.0/16",
            "IsDefault": False,
            "CidrBlockAssociationSet": [
                {"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
                {"CidrBlock": "100.64.0.0/16", "CidrBlockState": {"State": "associated"}},
            ],
        },
        {"VpcId": "vpc-0default", "CidrBlock": "172.31.0.0/16", "IsDefault": True},
    ]


def prefix_lists() -> list[dict[str, Any]]:
    return [
        {
            "PrefixListId": "pl-0office",
            "PrefixListName": "office",
            "AddressFamily": "IPv4",
            "OwnerId": ACCOUNT,
        }
    ]


def prefix_list_entries() -> list[dict[str, Any]]:
    return [{"Cidr": "198.51.100.0/24", "Description": "office"}]
