"""One real stack for the module: redis-server, fake AWS, emulator, the bot in HTTP mode, a worker.

The fleet holds one replication group per story, so the stories do not step on each other.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sandbox.fake_aws import set_modify_delay
from sandbox.stack import Stack, StackOptions
from tests.integration.remediation.flow import REGION

# The fixtures sit in the fake's default subnet group on purpose; CW-307 (default VPC) would
# only crowd the threads these fix flows read.
POLICY = '\n[auth]\nallowed_user_groups = ["app-users"]\n[rules]\ndisabled = ["CW-307"]\n'


def _clients(url: str) -> tuple[Any, Any]:
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    ec = boto3.client("elasticache", endpoint_url=url, region_name=REGION, **keys)
    ec2 = boto3.client("ec2", endpoint_url=url, region_name=REGION, **keys)
    return ec, ec2


def _open_security_group(ec2: Any) -> str:
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    group = ec2.create_security_group(GroupName="cache-open", Description="open", VpcId=vpc)[
        "GroupId"
    ]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379,
             "IpRanges": [{"CidrIp": "0.0.0.0/0"}, {"CidrIp": "10.0.0.0/8"}]},
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]},
        ],
    )  # fmt: skip
    return str(group)


def _group(ec: Any, group_id: str, **settings: Any) -> None:
    params = {
        "ReplicationGroupId": group_id,
        "ReplicationGroupDescription": group_id,
        "Engine": "redis",
        "EngineVersion": "7.1",
        "CacheNodeType": "cache.t4g.small",
        "NumCacheClusters": 2,
        "AutomaticFailoverEnabled": True,
        "MultiAZEnabled": True,
        "SnapshotRetentionLimit": 7,
        **settings,
    }
    ec.create_replication_group(**params)


def _rbac_users(ec: Any) -> None:
    ec.create_user(UserId="default-off", UserName="default", Engine="valkey",
                   AccessString="off ~* -@all", NoPasswordRequired=True)  # fmt: skip
    ec.create_user(UserId="app", UserName="app", Engine="valkey",
                   AccessString="on ~app:* +@read", Passwords=["a-long-app-password-1234"])  # fmt: skip
    ec.create_user_group(UserGroupId="app-users", Engine="valkey", UserIds=["default-off", "app"])


def seed(url: str) -> None:
    ec, ec2 = _clients(url)
    _group(ec, "fix-all", SnapshotRetentionLimit=0, AutoMinorVersionUpgrade=False,
           AutomaticFailoverEnabled=False, MultiAZEnabled=False, SecurityGroupIds=[_open_security_group(ec2)])  # fmt: skip
    _group(ec, "short-backups", Engine="valkey", EngineVersion="8.0", SnapshotRetentionLimit=2)
    _group(
        ec, "single-node", NumCacheClusters=1, AutomaticFailoverEnabled=False, MultiAZEnabled=False
    )
    _group(ec, "one-zone", MultiAZEnabled=False)
    _group(ec, "old-tls", EngineVersion="6.2")
    _rbac_users(ec)
    _group(ec, "rbac-target", Engine="valkey", EngineVersion="8.0",
           TransitEncryptionEnabled=True, TransitEncryptionMode="required")  # fmt: skip
    for name in ("denied", "expires", "outsider", "clicked-20", "busy", "crashy", "risky",
                 "deny-reason", "home-approve"):  # fmt: skip
        _group(ec, name, SnapshotRetentionLimit=0)


GROUPS = ("fix-all", "short-backups", "single-node", "one-zone", "old-tls", "rbac-target", "denied",
          "expires", "outsider", "clicked-20", "busy", "crashy", "risky", "deny-reason",
          "home-approve")  # fmt: skip


def unseed(url: str) -> None:
    """moto's state outlives the server in this process: leave the account as other tests expect."""
    ec, ec2 = _clients(url)
    for group in GROUPS:
        with contextlib.suppress(ClientError):
            ec.delete_replication_group(ReplicationGroupId=group)
    with contextlib.suppress(ClientError):
        ec.delete_user_group(UserGroupId="app-users")
    for user in ("default-off", "app"):
        with contextlib.suppress(ClientError):
            ec.delete_user(UserId=user)
    with contextlib.suppress(ClientError):
        ec2.delete_security_group(GroupName="cache-open")


@pytest.fixture(scope="package")
def stack() -> Iterator[Stack]:
    with Stack(StackOptions(regions=(REGION,), config_extra=POLICY)) as running:
        seed(running.aws.url)
        set_modify_delay(running.aws.url, 0)
        try:
            yield running
        finally:
            set_modify_delay(running.aws.url, 1)
            unseed(running.aws.url)


@pytest.fixture(scope="package")
def parent(stack: Stack) -> dict[str, Any]:
    """One audit of the whole fleet; every story clicks buttons in its thread."""
    from tests.integration.remediation.flow import run_audit

    return run_audit(stack)
