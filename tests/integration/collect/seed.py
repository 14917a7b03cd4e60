"""Build AWS state in the fake through boto3, the way an operator would create it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

ADMIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "elasticache:*", "Resource": "*"}],
}
TRUST_ANYONE_IN_ACCOUNT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
    }
)


@dataclass(frozen=True)
class Credentials:
    """Keys for one fake account (moto maps assumed-role keys to the role's account)."""

    access_key: str = "testing"
    secret_key: str = "testing"
    token: str | None = None

    def client(self, url: str, service: str, region: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=url,
            region_name=region,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            aws_session_token=self.token,
        )


def account_credentials(
    url: str, account_id: str, role_name: str = "cachewarden-scan"
) -> Credentials:
    """Keys acting inside `account_id`, obtained the way the scanner gets them."""
    answer = (
        Credentials()
        .client(url, "sts", "us-east-1")
        .assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{role_name}", RoleSessionName="seed")[
            "Credentials"
        ]
    )
    return Credentials(answer["AccessKeyId"], answer["SecretAccessKey"], answer["SessionToken"])


@dataclass(frozen=True)
class Network:
    vpc_id: str
    public_subnet: str
    private_subnet: str
    security_group: str
    subnet_group: str


def seed_network(url: str, region: str, creds: Credentials = Credentials()) -> Network:
    """A VPC with one public subnet (IGW route) and one private, an open SG, a subnet group."""
    ec2 = creds.client(url, "ec2", region)
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    zones = [f"{region}a", f"{region}b"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone=zones[0])
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone=zones[1])
    public_id, private_id = public["Subnet"]["SubnetId"], private["Subnet"]["SubnetId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=gateway)
    ec2.associate_route_table(RouteTableId=table, SubnetId=public_id)
    group = ec2.create_security_group(GroupName="cache", Description="cache", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 6379,
                "ToPort": 6379,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
    )
    creds.client(url, "elasticache", region).create_cache_subnet_group(
        CacheSubnetGroupName="cache-subnets",
        CacheSubnetGroupDescription="cache subnets",
        SubnetIds=[public_id, private_id],
    )
    return Network(vpc, public_id, private_id, group, "cache-subnets")


def seed_caches(url: str, region: str, net: Network, creds: Credentials = Credentials()) -> str:
    """A TLS+CMK Redis group with RBAC, a Memcached cluster, a serverless Valkey; returns the key."""
    elasticache = creds.client(url, "elasticache", region)
    key = creds.client(url, "kms", region).create_key(Description="cache key")["KeyMetadata"]["Arn"]
    elasticache.create_user(
        UserId="app", UserName="app", Engine="redis", AccessString="on ~app:* +@all",
        Passwords=["correct-horse-battery-1"],
    )  # fmt: skip
    elasticache.create_user_group(
        UserGroupId="app-users", Engine="redis", UserIds=["default", "app"]
    )
    elasticache.create_replication_group(
        ReplicationGroupId="orders", ReplicationGroupDescription="orders", Engine="redis",
        CacheNodeType="cache.r6g.large", NumCacheClusters=2, CacheSubnetGroupName=net.subnet_group,
        SecurityGroupIds=[net.security_group], AtRestEncryptionEnabled=True, KmsKeyId=key,
        TransitEncryptionEnabled=True, UserGroupIds=["app-users"], SnapshotRetentionLimit=3,
        Tags=[{"Key": "team", "Value": "payments"}],
    )  # fmt: skip
    elasticache.create_cache_cluster(
        CacheClusterId="sessions", Engine="memcached", CacheNodeType="cache.m3.medium",
        NumCacheNodes=2, CacheSubnetGroupName=net.subnet_group,
        SecurityGroupIds=[net.security_group],
        NotificationTopicArn=f"arn:aws:sns:{region}:123456789012:cache-events",
        Tags=[{"Key": "team", "Value": "web"}],
    )  # fmt: skip
    elasticache.create_serverless_cache(
        ServerlessCacheName="carts", Engine="valkey", SubnetIds=[net.private_subnet],
        SecurityGroupIds=[net.security_group], UserGroupId="app-users", KmsKeyId=key,
    )  # fmt: skip
    elasticache.create_snapshot(
        ReplicationGroupId="orders", SnapshotName="orders-manual", KmsKeyId=key
    )
    return key


def seed_detection(url: str, region: str, creds: Credentials = Credentials()) -> None:
    """A logging multi-region trail, one CPU datapoint, and a broad IAM policy on a role."""
    # A bucket name is global; us-east-1 needs no location constraint.
    creds.client(url, "s3", "us-east-1").create_bucket(Bucket=f"trail-{region}")
    cloudtrail = creds.client(url, "cloudtrail", region)
    cloudtrail.create_trail(Name="main", S3BucketName=f"trail-{region}", IsMultiRegionTrail=True)
    cloudtrail.start_logging(Name="main")
    cloudtrail.put_event_selectors(
        TrailName="main",
        EventSelectors=[{"ReadWriteType": "All", "IncludeManagementEvents": True}],
    )
    creds.client(url, "cloudwatch", region).put_metric_data(
        Namespace="AWS/ElastiCache",
        MetricData=[
            {
                "MetricName": "CPUUtilization",
                "Dimensions": [{"Name": "CacheClusterId", "Value": "orders-001"}],
                "Value": value,
                "Timestamp": datetime.now(UTC) - timedelta(hours=hours),
            }
            for hours, value in ((3, 1.0), (30, 2.0))
        ],
    )
    iam = creds.client(url, "iam", region)
    policy = iam.create_policy(PolicyName="cache-admin", PolicyDocument=json.dumps(ADMIN_POLICY))
    iam.create_role(RoleName="deployer", AssumeRolePolicyDocument=TRUST_ANYONE_IN_ACCOUNT)
    iam.attach_role_policy(RoleName="deployer", PolicyArn=policy["Policy"]["Arn"])


def seed_groups(
    url: str, region: str, count: int, creds: Credentials = Credentials(), prefix: str = "g"
) -> list[str]:
    """`count` small replication groups, each tagged (so the tag listing pages too)."""
    elasticache = creds.client(url, "elasticache", region)
    ids = [f"{prefix}{index:04d}" for index in range(count)]
    for group_id in ids:
        elasticache.create_replication_group(
            ReplicationGroupId=group_id, ReplicationGroupDescription=group_id,
            Engine="redis", CacheNodeType="cache.t4g.micro", NumCacheClusters=1,
            Tags=[{"Key": "fleet", "Value": "yes"}],
        )  # fmt: skip
    return ids
