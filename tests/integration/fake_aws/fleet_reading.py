"""Read a replication group's posture back through the APIs, independently of the fleet
code, and name its bad settings with the manifest's vocabulary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.fake_aws.fleet_model import (
    MIN_RETENTION_DAYS,
    REQUIRED_TAGS,
    TOKEN_MAX_AGE_DAYS,
)
from tests.integration.fake_aws.helpers import ACCOUNT, client

PREVIOUS_GENERATIONS = (
    "cache.m1.",
    "cache.m2.",
    "cache.m3.",
    "cache.c1.",
    "cache.t1.",
    "cache.r3.",
)
IDLE_CPU_PERCENT = 2.0


class GroupReader:
    def __init__(self, url: str, account: str, region: str) -> None:
        self.url, self.region = url, region
        self.keys: dict[str, str] = {}
        if account != ACCOUNT:
            role = f"arn:aws:iam::{account}:role/CachewardenAudit"
            creds = client(url, "sts").assume_role(RoleArn=role, RoleSessionName="reader")
            creds = creds["Credentials"]
            self.keys = {
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            }
        self.elasticache = self.client("elasticache")
        self.ec2 = self.client("ec2")

    def client(self, service: str) -> Any:
        return client(self.url, service, self.region, **self.keys)

    def bad_settings(self, group_id: str) -> set[str]:
        group = self.elasticache.describe_replication_groups(ReplicationGroupId=group_id)
        group = group["ReplicationGroups"][0]
        member = self.elasticache.describe_cache_clusters(
            CacheClusterId=group["MemberClusters"][0], ShowCacheNodeInfo=True
        )["CacheClusters"][0]
        bad = self._encryption(group) | self._access(group, member) | self._network(member)
        bad |= self._resilience(group, member) | self._operations(group, member)
        return bad

    def _encryption(self, group: dict[str, Any]) -> set[str]:
        bad = set()
        if not group["TransitEncryptionEnabled"]:
            bad.add("in_transit_off")
        elif group["TransitEncryptionMode"] != "required":
            bad.add("in_transit_not_required")
        storage = group.get("StorageEncryptionType")
        if storage is None:
            bad.add("at_rest_off")
        elif storage != "sse-kms" or not self._customer_key(group["KmsKeyId"]):
            bad.add("at_rest_not_cmk")
        return bad

    def _customer_key(self, key_id: str) -> bool:
        key = self.client("kms").describe_key(KeyId=key_id)["KeyMetadata"]
        return bool(key["KeyManager"] == "CUSTOMER" and key["KeyState"] == "Enabled")

    def _access(self, group: dict[str, Any], member: dict[str, Any]) -> set[str]:
        legacy = member["EngineVersion"].startswith("5.")
        bad = {"old_engine_version"} if legacy else set()
        if group["AuthTokenEnabled"]:
            age = datetime.now(UTC) - group["AuthTokenLastModifiedDate"]
            if age > timedelta(days=TOKEN_MAX_AGE_DAYS):
                bad.add("auth_token_old")
        elif group["UserGroupIds"]:
            if self._has_open_user(group["UserGroupIds"]):
                bad.add("open_rbac_user")
        else:
            bad.add("no_auth_token" if legacy else "no_client_auth")
        return bad

    def _has_open_user(self, user_group_ids: list[str]) -> bool:
        for user_group_id in user_group_ids:
            group = self.elasticache.describe_user_groups(UserGroupId=user_group_id)
            for user_id in group["UserGroups"][0]["UserIds"]:
                user = self.elasticache.describe_users(UserId=user_id)["Users"][0]
                if user["Authentication"]["Type"] == "no-password" and user[
                    "AccessString"
                ].startswith("on"):
                    return True
        return False

    def _network(self, member: dict[str, Any]) -> set[str]:
        bad = set()
        subnet_group = member["CacheSubnetGroupName"]
        if subnet_group == "default":
            bad.add("default_subnet_group")
        if self._public(subnet_group):
            bad.add("public_subnet")
        port = member["CacheNodes"][0]["Endpoint"]["Port"]
        if port == 6379:
            bad.add("default_port")
        groups = [g["SecurityGroupId"] for g in member["SecurityGroups"]]
        if self.open_to_internet(groups, port):
            bad.add("open_to_internet")
        return bad

    def _public(self, subnet_group: str) -> bool:
        described = self.elasticache.describe_cache_subnet_groups(CacheSubnetGroupName=subnet_group)
        subnet_ids = [s["SubnetIdentifier"] for s in described["CacheSubnetGroups"][0]["Subnets"]]
        return any(self._subnet_public(subnet_id) for subnet_id in subnet_ids)

    def _subnet_public(self, subnet_id: str) -> bool:
        tables = self.ec2.describe_route_tables(
            Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}]
        )["RouteTables"]
        if not tables:
            vpc = self.ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]["VpcId"]
            tables = self.ec2.describe_route_tables(
                Filters=[
                    {"Name": "vpc-id", "Values": [vpc]},
                    {"Name": "association.main", "Values": ["true"]},
                ]
            )["RouteTables"]
        routes = [route for table in tables for route in table["Routes"]]
        return any(
            route.get("DestinationCidrBlock") == "0.0.0.0/0"
            and route.get("GatewayId", "").startswith("igw-")
            for route in routes
        )

    def open_to_internet(self, group_ids: list[str], port: int) -> bool:
        groups = self.ec2.describe_security_groups(GroupIds=group_ids)["SecurityGroups"]
        for permission in (p for g in groups for p in g["IpPermissions"]):
            covers = permission["IpProtocol"] == "-1" or (
                permission.get("FromPort", 0) <= port <= permission.get("ToPort", 65535)
            )
            world = {r["CidrIp"] for r in permission.get("IpRanges", [])} | {
                r["CidrIpv6"] for r in permission.get("Ipv6Ranges", [])
            }
            if covers and world & {"0.0.0.0/0", "::/0"}:
                return True
        return False

    def _resilience(self, group: dict[str, Any], member: dict[str, Any]) -> set[str]:
        bad = set()
        retention = group["SnapshotRetentionLimit"]
        if retention == 0:
            bad.add("backups_off")
        elif retention < MIN_RETENTION_DAYS:
            bad.add("backup_retention_short")
        if group["AutomaticFailover"] != "enabled":
            bad.add("no_automatic_failover")
        elif group["MultiAZ"] != "enabled":
            bad.add("no_multi_az")
        if not group["AutoMinorVersionUpgrade"]:
            bad.add("auto_minor_upgrade_off")
        if member["CacheNodeType"].startswith(PREVIOUS_GENERATIONS):
            bad.add("previous_generation_node")
        return bad

    def _operations(self, group: dict[str, Any], member: dict[str, Any]) -> set[str]:
        bad = set()
        active = {
            c["LogType"] for c in group["LogDeliveryConfigurations"] if c["Status"] == "active"
        }
        if active != {"slow-log", "engine-log"}:
            bad.add("logs_off")
        if member.get("NotificationConfiguration", {}).get("TopicStatus") != "active":
            bad.add("no_notifications")
        tags = self.elasticache.list_tags_for_resource(ResourceName=group["ARN"])["TagList"]
        if not REQUIRED_TAGS.items() <= {t["Key"]: t["Value"] for t in tags}.items():
            bad.add("missing_tags")
        if self._idle(group["MemberClusters"]):
            bad.add("idle")
        return bad

    def _idle(self, members: list[str]) -> bool:
        now = datetime.now(UTC)
        queries = [
            {
                "Id": f"m{index}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/ElastiCache",
                        "MetricName": "CPUUtilization",
                        "Dimensions": [{"Name": "CacheClusterId", "Value": member}],
                    },
                    "Period": 86400,
                    "Stat": "Average",
                },
            }
            for index, member in enumerate(members)
        ]
        results = self.client("cloudwatch").get_metric_data(
            MetricDataQueries=queries, StartTime=now - timedelta(days=8), EndTime=now
        )["MetricDataResults"]
        values = [value for result in results for value in result["Values"]]
        return bool(values) and sum(values) / len(values) < IDLE_CPU_PERCENT
