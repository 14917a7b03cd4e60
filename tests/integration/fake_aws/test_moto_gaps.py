"""One test per row of design/moto.md: where vanilla moto differs from AWS, the fake
now answers like AWS (through the HTTP server, with boto3)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from tests.integration.fake_aws.helpers import (
    NEW_TOKEN,
    client,
    create_group,
    describe_group,
    error_code,
    settle,
    unique,
)

pytestmark = pytest.mark.integration


def test_modify_applies_token_tls_and_minor_upgrade_with_pending_values(fake_aws: str) -> None:
    elasticache = client(fake_aws, "elasticache")
    plain = create_group(elasticache, TransitEncryptionEnabled=False, AuthToken=None)
    with pytest.raises(ClientError) as refused:
        elasticache.modify_replication_group(
            ReplicationGroupId=plain["ReplicationGroupId"],
            AuthToken=NEW_TOKEN,
            AuthTokenUpdateStrategy="ROTATE",
            ApplyImmediately=True,
        )
    assert error_code(refused.value) == "InvalidParameterCombination"

    group_id = create_group(elasticache)["ReplicationGroupId"]
    answer = elasticache.modify_replication_group(
        ReplicationGroupId=group_id,
        AuthToken=NEW_TOKEN,
        AuthTokenUpdateStrategy="ROTATE",
        AutoMinorVersionUpgrade=False,
        ApplyImmediately=True,
    )["ReplicationGroup"]
    assert answer["Status"] == "modifying"
    assert answer["PendingModifiedValues"] == {"AuthTokenStatus": "ROTATING"}
    assert answer["AutoMinorVersionUpgrade"] is False
    assert settle(elasticache, group_id)["PendingModifiedValues"] == {}


def test_modify_applies_retention_multi_az_and_failover(fake_aws: str) -> None:
    elasticache = client(fake_aws, "elasticache")
    group_id = create_group(elasticache)["ReplicationGroupId"]
    elasticache.modify_replication_group(
        ReplicationGroupId=group_id,
        SnapshotRetentionLimit=9,
        AutomaticFailoverEnabled=True,
        MultiAZEnabled=True,
        ApplyImmediately=True,
    )
    group = settle(elasticache, group_id)
    assert group["SnapshotRetentionLimit"] == 9
    assert group["AutomaticFailover"] == "enabled"
    assert group["MultiAZ"] == "enabled"


def test_num_cache_clusters_is_honoured(fake_aws: str) -> None:
    elasticache = client(fake_aws, "elasticache")
    group = create_group(elasticache, NumCacheClusters=3)
    group_id = group["ReplicationGroupId"]
    assert group["MemberClusters"] == [f"{group_id}-001", f"{group_id}-002", f"{group_id}-003"]
    roles = [m["CurrentRole"] for m in group["NodeGroups"][0]["NodeGroupMembers"]]
    assert roles == ["primary", "replica", "replica"]


def test_cluster_mode_shards_and_replicas_are_honoured(fake_aws: str) -> None:
    elasticache = client(fake_aws, "elasticache")
    group = create_group(
        elasticache,
        NumCacheClusters=None,
        NumNodeGroups=2,
        ReplicasPerNodeGroup=1,
        AutomaticFailoverEnabled=True,
    )
    group_id = group["ReplicationGroupId"]
    assert group["ClusterEnabled"] is True
    assert group["MemberClusters"] == [
        f"{group_id}-0001-001",
        f"{group_id}-0001-002",
        f"{group_id}-0002-001",
        f"{group_id}-0002-002",
    ]
    assert [shard["Slots"] for shard in group["NodeGroups"]] == ["0-8191", "8192-16383"]
    assert group["ConfigurationEndpoint"]["Address"].startswith("clustercfg.")
    members = elasticache.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
    assert sum(c.get("ReplicationGroupId") == group_id for c in members) == 4


def test_member_clusters_appear_in_describe_cache_clusters(fake_aws: str) -> None:
    elasticache = client(fake_aws, "elasticache")
    ec2 = client(fake_aws, "ec2")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    sg = ec2.create_security_group(GroupName=unique("sg"), Description="c", VpcId=vpc["VpcId"])
    group = create_group(elasticache, EngineVersion="6.2", SecurityGroupIds=[sg["GroupId"]])
    member = elasticache.describe_cache_clusters(CacheClusterId=group["MemberClusters"][1])
    cluster = member["CacheClusters"][0]
    assert cluster["ReplicationGroupId"] == group["ReplicationGroupId"]
    assert cluster["EngineVersion"] == "6.2.6"
    assert cluster["CacheSubnetGroupName"] == "default"
    assert cluster["SecurityGroups"] == [{"SecurityGroupId": sg["GroupId"], "Status": "active"}]
    assert cluster["TransitEncryptionEnabled"] is True
    assert cluster["AuthTokenEnabled"] is True


def test_describe_cache_clusters_has_security_groups_nodes_and_at_rest(fake_aws: str) -> None:
    elasticache = client(fake_aws, "elasticache")
    valkey = create_group(elasticache, Engine="valkey", EngineVersion="8.0", Port=6390)
    redis = create_group(elasticache)
    plain = elasticache.describe_cache_clusters(CacheClusterId=valkey["MemberClusters"][0])
    assert "CacheNodes" not in plain["CacheClusters"][0]
    detailed = elasticache.describe_cache_clusters(
        CacheClusterId=valkey["MemberClusters"][0], ShowCacheNodeInfo=True
    )["CacheClusters"][0]
    assert detailed["CacheNodes"][0]["Endpoint"]["Port"] == 6390
    assert detailed["SecurityGroups"][0]["SecurityGroupId"].startswith("sg-")
    assert detailed["AtRestEncryptionEnabled"] is True
    other = elasticache.describe_cache_clusters(CacheClusterId=redis["MemberClusters"][0])
    assert other["CacheClusters"][0]["AtRestEncryptionEnabled"] is False


def test_default_subnet_group_lives_in_the_default_vpc(fake_aws: str) -> None:
    elasticache = client(fake_aws, "elasticache", "ap-southeast-2")
    ec2 = client(fake_aws, "ec2", "ap-southeast-2")
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]
    groups = elasticache.describe_cache_subnet_groups(CacheSubnetGroupName="default")
    default = groups["CacheSubnetGroups"][0]
    assert default["VpcId"] == default_vpc["VpcId"]
    subnet_ids = {s["SubnetIdentifier"] for s in default["Subnets"]}
    described = ec2.describe_subnets(SubnetIds=sorted(subnet_ids))["Subnets"]
    assert {s["VpcId"] for s in described} == {default_vpc["VpcId"]}


def test_aws_managed_elasticache_key_exists(fake_aws: str) -> None:
    key = client(fake_aws, "kms").describe_key(KeyId="alias/aws/elasticache")["KeyMetadata"]
    assert key["KeyManager"] == "AWS"
    assert key["KeyState"] == "Enabled"
    own = client(fake_aws, "kms").create_key()["KeyMetadata"]
    assert own["KeyManager"] == "CUSTOMER"


def test_calls_moto_lacks_answer_instead_of_http_500(fake_aws: str) -> None:
    elasticache = client(fake_aws, "elasticache")
    assert elasticache.describe_user_groups()["UserGroups"] == []
    assert elasticache.describe_serverless_caches()["ServerlessCaches"] == []
    assert elasticache.describe_cache_engine_versions(Engine="valkey")["CacheEngineVersions"]
    assert elasticache.describe_events()["Events"] == []
    with pytest.raises(ClientError) as missing:
        elasticache.modify_cache_cluster(CacheClusterId="nope", SnapshotRetentionLimit=1)
    assert error_code(missing.value) == "CacheClusterNotFound"


def test_describe_snapshots_honours_max_records(fake_aws: str) -> None:
    elasticache = client(fake_aws, "elasticache", "ca-central-1")
    group_id = create_group(elasticache)["ReplicationGroupId"]
    for index in range(25):
        elasticache.create_snapshot(ReplicationGroupId=group_id, SnapshotName=f"snap-{index}")
    first = elasticache.describe_snapshots(MaxRecords=20)
    assert len(first["Snapshots"]) == 20
    second = elasticache.describe_snapshots(MaxRecords=20, Marker=first["Marker"])
    assert len(second["Snapshots"]) == 5
    assert "Marker" not in second


def test_describe_replication_groups_keeps_security_fields(fake_aws: str) -> None:
    elasticache = client(fake_aws, "elasticache")
    key = client(fake_aws, "kms").create_key()["KeyMetadata"]["Arn"]
    group = create_group(elasticache, AtRestEncryptionEnabled=True, KmsKeyId=key)
    described = describe_group(elasticache, group["ReplicationGroupId"])
    assert described["AuthTokenEnabled"] is True
    assert described["TransitEncryptionMode"] == "required"
    assert described["StorageEncryptionType"] == "sse-kms"
    assert described["KmsKeyId"] == key
    assert "AuthTokenLastModifiedDate" in described


def test_other_services_work_through_the_server(fake_aws: str) -> None:
    ec2 = client(fake_aws, "ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    assert ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    secrets = client(fake_aws, "secretsmanager")
    secrets.create_secret(Name="cw/token", SecretString=json.dumps({"token": "a"}))
    stages = secrets.describe_secret(SecretId="cw/token")["VersionIdsToStages"]
    assert ["AWSCURRENT"] in stages.values()
    role = "arn:aws:iam::210987654321:role/Audit"
    assumed = client(fake_aws, "sts").assume_role(RoleArn=role, RoleSessionName="test")
    keys = assumed["Credentials"]
    other = client(
        fake_aws,
        "sts",
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
    )
    assert other.get_caller_identity()["Account"] == "210987654321"
    organizations = client(fake_aws, "organizations")
    organizations.create_organization(FeatureSet="ALL")
    assert organizations.list_accounts()["Accounts"]
