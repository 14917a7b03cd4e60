"""One stack with both front ends: redis-server, fake AWS, the Slack emulator and the bot in
HTTP mode, the Bot Connector emulator and `serve --teams` (production auth), and a worker
that posts to whichever front end a request came from."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from sandbox.fake_aws import set_modify_delay
from sandbox.stack import Stack, StackOptions
from tests.integration.frontends.drivers import (
    TEAMS_APPROVERS,
    FrontEnd,
    SlackFrontEnd,
    TeamsFrontEnd,
)

REGION = "us-east-1"
# One group per story and front end, so the stories do not step on each other.
STORY_GROUPS = tuple(
    f"{fe}-{story}" for fe in ("slack", "teams") for story in ("approve", "clicked")
)


def _client(url: str) -> Any:
    keys = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
    return boto3.client("elasticache", endpoint_url=url, region_name=REGION, **keys)


def seed(url: str) -> None:
    ec = _client(url)
    ec.create_replication_group(
        ReplicationGroupId="orders-prod", ReplicationGroupDescription="orders", Engine="redis",
        EngineVersion="5.0.6", CacheNodeType="cache.t3.micro", NumCacheClusters=2,
        Tags=[{"Key": "owner", "Value": "team-a"}],
    )  # fmt: skip
    for name in STORY_GROUPS:
        ec.create_replication_group(
            ReplicationGroupId=name, ReplicationGroupDescription=name, Engine="redis",
            EngineVersion="7.1", CacheNodeType="cache.t4g.small", NumCacheClusters=2,
            AutomaticFailoverEnabled=True, MultiAZEnabled=True, SnapshotRetentionLimit=0,
            Tags=[{"Key": "owner", "Value": "team-a"}],
        )  # fmt: skip


def unseed(url: str) -> None:
    ec = _client(url)
    for name in ("orders-prod", *STORY_GROUPS):
        with contextlib.suppress(ClientError):
            ec.delete_replication_group(ReplicationGroupId=name)


# The finished audit per front end that the stories click in (see `parent`). It belongs to one
# stack: a worker process (xdist --dist loadfile) may run other packages between this package's
# files and so start a second stack, whose emulators never saw the first stack's posts.
_PARENTS: dict[str, Any] = {}


@pytest.fixture(scope="package")
def stack() -> Iterator[Stack]:
    options = StackOptions(regions=(REGION,), teams=True, teams_approvers=TEAMS_APPROVERS)
    _PARENTS.clear()
    with Stack(options) as running:
        seed(running.aws.url)
        set_modify_delay(running.aws.url, 0)
        try:
            yield running
        finally:
            _PARENTS.clear()
            set_modify_delay(running.aws.url, 1)
            unseed(running.aws.url)


@pytest.fixture(scope="package", params=["slack", "teams"])
def front(request: pytest.FixtureRequest, stack: Stack) -> FrontEnd:
    return SlackFrontEnd(stack) if request.param == "slack" else TeamsFrontEnd(stack)


@pytest.fixture
def parent(front: FrontEnd) -> Any:
    """One finished audit per front end; the stories click buttons in its thread."""
    if front.name not in _PARENTS:
        _PARENTS[front.name] = front.run_audit()
    return _PARENTS[front.name]
