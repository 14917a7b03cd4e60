"""A standalone Redis OSS / Valkey cluster's AUTH token rotates through ModifyCacheCluster:
what the approver reads, what the worker sends (checked against botocore's model), and
when a standalone cluster is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest

from posture.resources import CacheCluster
from posture.rotation import CACHE_CLUSTER, REPLICATION_GROUP, RotationMode
from posture.rotation_plan import (
    cluster_refusal_reason,
    finalize_texts,
    rotate_texts,
    secret_description,
    secret_tags,
)
from workers.aws.auth_tokens import describe_cluster, send_auth_token, target_view

MODEL = botocore.session.get_session().get_service_model("elasticache")
WHEN = datetime(2026, 1, 2, tzinfo=UTC)


def _members(operation: str) -> set[str]:
    return set(MODEL.operation_model(operation).input_shape.members)


def _call(api_call: str) -> tuple[str, dict[str, Any]]:
    operation, _, params = api_call.partition(" ")
    return operation.removeprefix("elasticache:"), json.loads(params)


@pytest.mark.parametrize(
    ("texts", "strategy"),
    [
        (rotate_texts(RotationMode.AUTH_TOKEN, "solo", ["p/solo"], CACHE_CLUSTER), "ROTATE"),
        (finalize_texts(RotationMode.AUTH_TOKEN, "solo", CACHE_CLUSTER), "SET"),
    ],
)
def test_a_standalone_cluster_is_shown_a_modify_cache_cluster_call(
    texts: Any, strategy: str
) -> None:
    operation, params = _call(texts.api_call)
    assert operation == "ModifyCacheCluster"
    assert set(params) <= _members(operation)
    assert params["CacheClusterId"] == "solo"
    assert params["AuthTokenUpdateStrategy"] == strategy
    assert "never shown" in params["AuthToken"]
    strategies = MODEL.operation_model(operation).input_shape.members["AuthTokenUpdateStrategy"]
    assert strategy in strategies.enum


def test_a_group_still_gets_modify_replication_group() -> None:
    operation, params = _call(rotate_texts(RotationMode.AUTH_TOKEN, "g", ["s"]).api_call)
    assert operation == "ModifyReplicationGroup" and params["ReplicationGroupId"] == "g"
    assert set(params) <= _members(operation)


class Recorder:
    """An ElastiCache client that records the write calls and answers describes."""

    def __init__(self, clusters: list[dict[str, Any]] | None = None) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.clusters = clusters or []

    def modify_cache_cluster(self, **params: Any) -> None:
        self.calls.append(("ModifyCacheCluster", params))

    def modify_replication_group(self, **params: Any) -> None:
        self.calls.append(("ModifyReplicationGroup", params))

    def describe_cache_clusters(self, **params: Any) -> dict[str, Any]:
        return {"CacheClusters": self.clusters}


@pytest.mark.parametrize(
    ("kind", "operation"),
    [(CACHE_CLUSTER, "ModifyCacheCluster"), (REPLICATION_GROUP, "ModifyReplicationGroup")],
)
def test_the_worker_sends_the_token_on_the_targets_own_call(kind: str, operation: str) -> None:
    client = Recorder()
    send_auth_token(client, "solo", "T0ken-value-for-the-test-only", "ROTATE", kind)
    assert [name for name, _ in client.calls] == [operation]
    params = client.calls[0][1]
    assert set(params) <= _members(operation)
    assert params["AuthTokenUpdateStrategy"] == "ROTATE" and params["ApplyImmediately"] is True


def _raw(**over: Any) -> dict[str, Any]:
    raw = {
        "CacheClusterId": "solo",
        "Engine": "redis",
        "CacheClusterStatus": "available",
        "AuthTokenEnabled": True,
        "TransitEncryptionEnabled": True,
        "AuthTokenLastModifiedDate": WHEN,
        "PendingModifiedValues": {},
    }
    raw.update(over)
    return raw


def test_the_watched_view_reads_the_clusters_pending_token_status() -> None:
    client = Recorder([_raw(CacheClusterStatus="modifying",
                            PendingModifiedValues={"AuthTokenStatus": "ROTATING"})])  # fmt: skip
    view = target_view(client, CACHE_CLUSTER, "solo")
    assert view is not None
    assert (view.status, view.auth_token_status, view.token_date) == ("modifying", "ROTATING", WHEN)


def test_a_member_of_a_group_is_not_a_standalone_cluster() -> None:
    assert describe_cluster(Recorder([_raw(ReplicationGroupId="g")]), "solo") is None


@pytest.mark.parametrize(
    ("over", "pending", "expected"),
    [
        ({}, None, None),
        ({"Engine": "memcached"}, None, "only Redis OSS and Valkey"),
        ({"TransitEncryptionEnabled": False}, None, "CW-101"),
        ({"CacheClusterStatus": "modifying"}, None, "ask again once it is available"),
        ({}, "ROTATING", "already changing its AUTH token"),
        ({"AuthTokenEnabled": False}, None, "nothing to rotate"),
    ],
)
def test_when_a_standalone_cluster_is_refused(
    over: dict[str, Any], pending: str | None, expected: str | None
) -> None:
    reason = cluster_refusal_reason(CacheCluster.model_validate(_raw(**over)), pending)
    if expected is None:
        assert reason is None
    else:
        assert reason is not None and expected in reason


def test_the_secret_says_which_kind_of_cache_it_belongs_to() -> None:
    tags = secret_tags("111122223333", "us-east-1", "solo", None, kind=CACHE_CLUSTER)
    assert tags["cachewarden:cache-cluster"] == "solo"
    assert "cachewarden:replication-group" not in tags
    assert "cache cluster solo" in secret_description("solo", None, CACHE_CLUSTER)
