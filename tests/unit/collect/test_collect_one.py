"""collect_one: fresh single-resource reads, fault shapes, and real botocore retries on throttling.

A Stubber answers before botocore's retry logic runs, so it cannot show a retry. The
throttling tests answer at `before-send` instead: the canned HTTP response goes
through botocore's parser and adaptive retry handler exactly like a real one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.credentials import Credentials
from botocore.loaders import Loader

from posture.base import ResourceKind
from posture.resources import CacheCluster, ReplicationGroup
from tests.unit.collect import aws_answers as aws
from tests.unit.collect.stubs import ACCOUNT, REGION, Planned, stubbed_account
from workers.aws.scan import CollectOneError, collect_one
from workers.aws.session import AccountSession, CallCounter

NAMESPACE = "http://elasticache.amazonaws.com/doc/2015-02-02/"
# A closed local port: if a canned answer were missing, nothing could leave the machine.
DEAD_ENDPOINT = "http://127.0.0.1:9"
THROTTLED = (
    f'<ErrorResponse xmlns="{NAMESPACE}"><Error><Type>Sender</Type><Code>Throttling</Code>'
    "<Message>Rate exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>"
)
ONE_GROUP = (
    f'<DescribeReplicationGroupsResponse xmlns="{NAMESPACE}"><DescribeReplicationGroupsResult>'
    "<ReplicationGroups><ReplicationGroup><ReplicationGroupId>orders</ReplicationGroupId>"
    "<Status>modifying</Status><PendingModifiedValues><AuthTokenStatus>SETTING</AuthTokenStatus>"
    "</PendingModifiedValues></ReplicationGroup></ReplicationGroups>"
    "</DescribeReplicationGroupsResult><ResponseMetadata><RequestId>r2</RequestId>"
    "</ResponseMetadata></DescribeReplicationGroupsResponse>"
)


def test_pending_modifications_of_a_group_arrive(loader: Loader) -> None:
    account = stubbed_account(
        {
            "elasticache": [
                Planned(
                    "describe_replication_groups",
                    {"ReplicationGroups": [aws.replication_group()]},
                    expected_params={"ReplicationGroupId": "orders"},
                )
            ]
        },
        loader,
    )
    group = collect_one(account, ACCOUNT, REGION, ResourceKind.REPLICATION_GROUP, "orders")

    assert isinstance(group, ReplicationGroup)
    assert group.status == "modifying"
    assert group.pending_modified_values is not None
    assert group.pending_modified_values.auth_token_status == "ROTATING"
    account.assert_done()


def test_cluster_is_read_with_node_info(loader: Loader) -> None:
    account = stubbed_account(
        {
            "elasticache": [
                Planned(
                    "describe_cache_clusters",
                    {"CacheClusters": [aws.member_cluster()]},
                    expected_params={
                        "CacheClusterId": "orders-001",
                        "ShowCacheNodeInfo": True,
                    },
                )
            ]
        },
        loader,
    )
    cluster = collect_one(account, ACCOUNT, REGION, "cache_cluster", "orders-001")

    assert isinstance(cluster, CacheCluster)
    assert cluster.cache_nodes[0].endpoint is not None
    assert cluster.cache_nodes[0].endpoint.port == 6380


def test_a_deleted_resource_reads_as_none(loader: Loader) -> None:
    account = stubbed_account(
        {
            "elasticache": [
                Planned(
                    "describe_replication_groups",
                    error_code="ReplicationGroupNotFoundFault",
                    error_message="ReplicationGroup orders not found.",
                    http_status=404,
                )
            ]
        },
        loader,
    )
    assert collect_one(account, ACCOUNT, REGION, "replication_group", "orders") is None


def test_invalid_state_fault_raises_with_its_code(loader: Loader) -> None:
    account = stubbed_account(
        {
            "elasticache": [
                Planned(
                    "describe_replication_groups",
                    error_code="InvalidReplicationGroupState",
                    error_message="Replication group orders is not in available state.",
                )
            ]
        },
        loader,
    )
    with pytest.raises(CollectOneError) as raised:
        collect_one(account, ACCOUNT, REGION, "replication_group", "orders")

    assert raised.value.error.code == "InvalidReplicationGroupState"
    assert raised.value.error.operation == "DescribeReplicationGroups"


def test_kinds_without_a_single_read_are_refused(loader: Loader) -> None:
    with pytest.raises(ValueError, match="account_region"):
        collect_one(stubbed_account({}, loader), ACCOUNT, REGION, "account_region", "x")
    with pytest.raises(ValueError, match="reaches"):
        collect_one(stubbed_account({}, loader), "210987654321", REGION, "user", "x")


class _Raw:
    """The minimal raw-body object `AWSResponse` reads from."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@dataclass(frozen=True)
class ScriptedHttpAccount(AccountSession):
    """Answers DescribeReplicationGroups at the HTTP layer from a script of (status, body)."""

    script: list[tuple[int, str]] = field(default_factory=list)

    def client(self, session: Any, service: str, region: str) -> Any:
        client = super().client(session, service, region)
        client.meta.events.register_first(
            "before-send.elasticache.DescribeReplicationGroups", self._answer
        )
        return client

    def _answer(self, request: Any, **_: Any) -> AWSResponse:
        status, body = self.script.pop(0)
        headers = {"Content-Type": "text/xml"}
        return AWSResponse(request.url, status, headers, _Raw(body.encode()))


def _scripted(script: list[tuple[int, str]], loader: Loader, attempts: int) -> ScriptedHttpAccount:
    return ScriptedHttpAccount(
        account_id=ACCOUNT,
        credentials=Credentials("testing", "testing"),
        endpoint_url=DEAD_ENDPOINT,
        max_attempts=attempts,
        loader=loader,
        script=script,
    )


def test_throttling_then_success_is_retried_and_counted(loader: Loader) -> None:
    account = _scripted([(400, THROTTLED), (200, ONE_GROUP)], loader, attempts=3)
    counter = CallCounter()
    group = collect_one(account, ACCOUNT, REGION, "replication_group", "orders", counter=counter)

    assert isinstance(group, ReplicationGroup)
    assert group.pending_modified_values is not None
    assert group.pending_modified_values.auth_token_status == "SETTING"
    assert counter.calls() == {("elasticache", "DescribeReplicationGroups"): 1}
    assert counter.attempts() == {("elasticache", "DescribeReplicationGroups"): 2}
    assert account.script == []


def test_throttling_past_max_attempts_becomes_an_error(loader: Loader) -> None:
    # botocore's `max_attempts` counts retries after the first attempt.
    account = _scripted([(400, THROTTLED), (400, THROTTLED)], loader, attempts=1)
    counter = CallCounter()
    with pytest.raises(CollectOneError) as raised:
        collect_one(account, ACCOUNT, REGION, "replication_group", "orders", counter=counter)

    assert raised.value.error.code == "Throttling"
    assert counter.total_attempts == 2 and counter.total_calls == 1
