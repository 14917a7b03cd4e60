"""/cache-rotate-token on a standalone Redis OSS cluster (no replication group), over real
processes: the same ROTATE approval, both-tokens window, Finalize with its own approval, SET
and Secrets Manager labels as a group, through ModifyCacheCluster, and no trace of a token."""

from __future__ import annotations

import json
import uuid

import pytest

from posture.rotation import CACHE_CLUSTER, Phase
from sandbox.stack import Stack
from tests.integration import remediation_calls
from tests.integration.rotation.flow import (
    approve,
    aws_client,
    finalize,
    request_rotation,
    secret_labels,
    secret_value,
    tokens_in_aws,
    unique,
    wait_phase,
)
from tests.integration.rotation.leaks import places_holding

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rotation-stack")]


def _create_standalone(stack: Stack, cluster_id: str, token: str) -> None:
    aws_client(stack, "elasticache").create_cache_cluster(
        CacheClusterId=cluster_id,
        Engine="redis",
        EngineVersion="7.1",
        CacheNodeType="cache.t4g.small",
        NumCacheNodes=1,
        TransitEncryptionEnabled=True,
        AuthToken=token,
    )


def _describe(stack: Stack, cluster_id: str) -> dict[str, object]:
    found = aws_client(stack, "elasticache").describe_cache_clusters(CacheClusterId=cluster_id)
    return dict(found["CacheClusters"][0])


def test_standalone_cluster_rotates_and_finalizes_with_no_trace_of_either_token(
    stack: Stack,
) -> None:
    cluster_id, old = unique("solo"), f"Start-{uuid.uuid4().hex}"
    _create_standalone(stack, cluster_id, old)
    name = f"cachewarden/auth/{cluster_id}"
    before = _describe(stack, cluster_id)
    assert "ReplicationGroupId" not in before and tokens_in_aws(stack, cluster_id) == [old]

    request = request_rotation(stack, cluster_id)
    assert "ModifyCacheCluster" in json.dumps(request)  # the approver reads the real call
    assert secret_value(stack, name, "AWSPENDING") is None  # nothing before approval

    rotation_id = approve(stack, request)
    rotation = wait_phase(stack, rotation_id, Phase.BOTH_VALID, Phase.FAILED)
    assert rotation.phase is Phase.BOTH_VALID, rotation.problem
    assert rotation.resource_kind == CACHE_CLUSTER and rotation.group_id == cluster_id
    new = secret_value(stack, name, "AWSPENDING")
    assert new is not None and new != old
    assert tokens_in_aws(stack, cluster_id) == [old, new]  # ROTATE: both work
    assert "AWSPENDING" in secret_labels(stack, name)[rotation.secrets[0].pending_version_id]
    tags = aws_client(stack, "secretsmanager").describe_secret(SecretId=name)["Tags"]
    assert {"Key": "cachewarden:cache-cluster", "Value": cluster_id} in tags

    done = finalize(stack, rotation)
    assert done.phase is Phase.DONE, done.problem
    assert tokens_in_aws(stack, cluster_id) == [new]  # SET: only the new one
    assert secret_value(stack, name, "AWSCURRENT") == new
    assert secret_value(stack, name, "AWSPENDING") is None
    after = _describe(stack, cluster_id)
    assert after["CacheClusterStatus"] == "available"
    assert after["AuthTokenLastModifiedDate"] > before["AuthTokenLastModifiedDate"]  # type: ignore[operator]

    assert places_holding(stack, [old, new]) == []
    made = remediation_calls.made(stack.redis.url)
    assert made <= remediation_calls.granted()  # the generated policy allows ModifyCacheCluster
    assert "elasticache:ModifyCacheCluster" in remediation_calls.writes(made)
    assert "elasticache:ModifyReplicationGroup" not in remediation_calls.writes(made)


def test_the_fake_applies_a_clusters_token_change_like_a_groups(stack: Stack) -> None:
    """ROTATE on ModifyCacheCluster: `modifying` with AuthTokenStatus while it applies, then
    both tokens are accepted; SET leaves only the new one (as modify_group does for groups)."""
    cluster_id, old = unique("solofake"), f"Start-{uuid.uuid4().hex}"
    new = f"Next-{uuid.uuid4().hex}"
    _create_standalone(stack, cluster_id, old)
    client = aws_client(stack, "elasticache")
    client.modify_cache_cluster(
        CacheClusterId=cluster_id, AuthToken=new, AuthTokenUpdateStrategy="ROTATE",
        ApplyImmediately=True,
    )  # fmt: skip
    applying = _describe(stack, cluster_id)
    assert applying["CacheClusterStatus"] == "modifying"
    assert applying["PendingModifiedValues"] == {"AuthTokenStatus": "ROTATING"}
    assert tokens_in_aws(stack, cluster_id) == [old]  # not yet
    with pytest.raises(client.exceptions.InvalidCacheClusterStateFault):
        client.modify_cache_cluster(
            CacheClusterId=cluster_id, AuthToken=new, AuthTokenUpdateStrategy="SET",
            ApplyImmediately=True,
        )  # fmt: skip
    for _ in range(3):
        landed = _describe(stack, cluster_id)
    assert landed["CacheClusterStatus"] == "available" and landed["PendingModifiedValues"] == {}
    assert tokens_in_aws(stack, cluster_id) == [old, new]
    client.modify_cache_cluster(
        CacheClusterId=cluster_id, AuthToken=new, AuthTokenUpdateStrategy="SET",
        ApplyImmediately=True,
    )  # fmt: skip
    for _ in range(3):
        _describe(stack, cluster_id)
    assert tokens_in_aws(stack, cluster_id) == [new]
