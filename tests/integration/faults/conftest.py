"""One real stack for the fault matrix: a durable redis-server (appendonly, fsync always) that
the tests restart, the fake AWS, the Slack emulator, the bot in HTTP mode and a worker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from sandbox.fake_aws import set_modify_delay
from sandbox.stack import Stack, StackOptions
from tests.integration.remediation.flow import REGION, run_audit

GROUPS = ("fm-scan", "fm-approval", "fm-slack")


def seed(url: str) -> None:
    """Groups that fail CW-401 (no backups) and can be fixed in place."""
    elasticache = boto3.client(
        "elasticache", endpoint_url=url, region_name=REGION,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    for group in GROUPS:
        elasticache.create_replication_group(
            ReplicationGroupId=group,
            ReplicationGroupDescription=group,
            Engine="redis",
            EngineVersion="7.1",
            CacheNodeType="cache.t4g.small",
            NumCacheClusters=2,
            AutomaticFailoverEnabled=True,
            MultiAZEnabled=True,
            SnapshotRetentionLimit=0,
            Tags=[{"Key": "owner", "Value": "team-a"}],
        )


@pytest.fixture(scope="package")
def stack() -> Iterator[Stack]:
    logs = os.environ.get("CW_FAULT_LOGS")
    options = StackOptions(
        regions=(REGION,), redis_appendonly=True, log_dir=Path(logs) if logs else None
    )
    with Stack(options) as running:
        seed(running.aws.url)
        set_modify_delay(running.aws.url, 0)
        # A first full audit, as after any install: the scope check (issue 13) answers a scoped
        # audit of a cache no scan has seen with "Scan anyway?" and queues nothing.
        run_audit(running)
        try:
            yield running
        finally:
            set_modify_delay(running.aws.url, 1)
