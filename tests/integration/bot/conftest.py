"""One real stack per module: redis-server, fake AWS, emulator, the bot in HTTP mode, a worker."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest

from sandbox.stack import Stack, StackOptions

HOSTILE = "<!channel> <https://evil.example|click me> & co"


def _seed(url: str) -> None:
    """A small fleet whose findings the tests know exactly."""
    ec = boto3.client(
        "elasticache",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    ec.create_replication_group(
        ReplicationGroupId="orders-prod",
        ReplicationGroupDescription="orders",
        Engine="redis",
        EngineVersion="5.0.6",
        CacheNodeType="cache.t3.micro",
        NumCacheClusters=2,
        Tags=[{"Key": "owner", "Value": HOSTILE}],
    )
    ec.create_replication_group(
        ReplicationGroupId="sessions-ok",
        ReplicationGroupDescription="sessions",
        Engine="valkey",
        EngineVersion="8.0",
        CacheNodeType="cache.r7g.large",
        NumCacheClusters=2,
        AutomaticFailoverEnabled=True,
        MultiAZEnabled=True,
        TransitEncryptionEnabled=True,
        TransitEncryptionMode="required",
        AtRestEncryptionEnabled=True,
        AuthToken="a-Sufficiently-Long-Token-123",
        SnapshotRetentionLimit=7,
        Tags=[{"Key": "owner", "Value": "team-a"}],
    )


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with Stack(StackOptions(regions=("us-east-1",))) as running:
        _seed(running.aws.url)
        yield running


def wait_for(predicate: Callable[[], Any], timeout: float = 30.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
