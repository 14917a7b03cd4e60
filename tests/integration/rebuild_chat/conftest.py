"""One real stack for the package: redis-server, fake AWS, emulator, the bot in HTTP mode,
a worker; two plain Redis OSS groups without at-rest encryption (CW-103 fails on both)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sandbox.stack import Stack, StackOptions
from tests.integration.remediation.flow import REGION, Message, run_audit

POLICY = '\n[rules]\ndisabled = ["CW-307"]\n'
GROUPS = ("plain-one", "plain-two", "plain-three", "plain-port", "plain-kept")


def ec_client(stack: Stack) -> Any:
    return boto3.client("elasticache", endpoint_url=stack.aws.url, region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip


@pytest.fixture(scope="package")
def stack() -> Iterator[Stack]:
    with Stack(StackOptions(regions=(REGION,), config_extra=POLICY)) as running:
        ec = ec_client(running)
        for group in GROUPS:
            ec.create_replication_group(
                ReplicationGroupId=group, ReplicationGroupDescription=group, Engine="redis",
                EngineVersion="7.1", CacheNodeType="cache.t4g.small", NumCacheClusters=2,
                AutomaticFailoverEnabled=True, MultiAZEnabled=True, SnapshotRetentionLimit=7,
                TransitEncryptionEnabled=True, TransitEncryptionMode="required",
            )  # fmt: skip
        try:
            yield running
        finally:
            for group in GROUPS + tuple(f"{g}-v2" for g in GROUPS):
                with contextlib.suppress(ClientError):
                    ec.delete_replication_group(ReplicationGroupId=group)


@pytest.fixture(scope="package")
def parent(stack: Stack) -> Message:
    return run_audit(stack)
