"""In-transit encryption steps (preferred first, then required), Multi-AZ and failover
rules, retention bounds, and the modify delay knob."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox.fake_aws import set_modify_delay
from tests.integration.fake_aws.helpers import (
    client,
    create_group,
    describe_group,
    error_code,
    settle,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def elasticache(fake_aws: str) -> Any:
    return client(fake_aws, "elasticache", "eu-west-1")


def _modify(elasticache: Any, group_id: str, **params: Any) -> dict[str, Any]:
    answer = elasticache.modify_replication_group(
        ReplicationGroupId=group_id, ApplyImmediately=True, **params
    )
    return dict(answer["ReplicationGroup"])


def _code(elasticache: Any, group_id: str, **params: Any) -> str:
    with pytest.raises(ClientError) as error:
        _modify(elasticache, group_id, **params)
    return error_code(error.value)


def _plain_group(elasticache: Any, **overrides: Any) -> str:
    group = create_group(elasticache, TransitEncryptionEnabled=False, AuthToken=None, **overrides)
    return str(group["ReplicationGroupId"])


def test_tls_on_an_existing_group_starts_preferred_then_goes_required(elasticache: Any) -> None:
    group_id = _plain_group(elasticache)
    assert _code(elasticache, group_id, TransitEncryptionEnabled=True) == (
        "InvalidParameterCombination"
    )
    assert _code(
        elasticache, group_id, TransitEncryptionEnabled=True, TransitEncryptionMode="required"
    ) == ("InvalidParameterCombination")
    pending = _modify(
        elasticache, group_id, TransitEncryptionEnabled=True, TransitEncryptionMode="preferred"
    )["PendingModifiedValues"]
    assert pending == {"TransitEncryptionEnabled": True, "TransitEncryptionMode": "preferred"}
    group = settle(elasticache, group_id)
    assert (group["TransitEncryptionEnabled"], group["TransitEncryptionMode"]) == (
        True,
        "preferred",
    )

    _modify(elasticache, group_id, TransitEncryptionMode="required")
    assert settle(elasticache, group_id)["TransitEncryptionMode"] == "required"


def test_required_comes_only_from_preferred(elasticache: Any) -> None:
    group_id = _plain_group(elasticache)
    assert _code(elasticache, group_id, TransitEncryptionMode="required") == (
        "InvalidParameterCombination"
    )


def test_tls_in_place_needs_engine_seven(elasticache: Any) -> None:
    group_id = _plain_group(elasticache, EngineVersion="6.2")
    code = _code(
        elasticache, group_id, TransitEncryptionEnabled=True, TransitEncryptionMode="preferred"
    )
    assert code == "InvalidParameterCombination"


def test_tls_off_needs_preferred_and_no_auth(elasticache: Any) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    assert _code(elasticache, group_id, TransitEncryptionEnabled=False) == (
        "InvalidParameterCombination"
    )


def test_multi_az_needs_failover_and_a_replica(elasticache: Any) -> None:
    single = create_group(elasticache, NumCacheClusters=1)["ReplicationGroupId"]
    assert _code(elasticache, single, AutomaticFailoverEnabled=True) == (
        "InvalidParameterCombination"
    )
    pair = create_group(elasticache)["ReplicationGroupId"]
    assert _code(elasticache, pair, MultiAZEnabled=True) == "InvalidParameterCombination"
    answer = _modify(elasticache, pair, AutomaticFailoverEnabled=True, MultiAZEnabled=True)
    assert answer["AutomaticFailover"] == "enabling"
    assert answer["PendingModifiedValues"]["AutomaticFailoverStatus"] == "enabled"
    group = settle(elasticache, pair)
    assert (group["AutomaticFailover"], group["MultiAZ"]) == ("enabled", "enabled")
    assert _code(elasticache, pair, AutomaticFailoverEnabled=False) == (
        "InvalidParameterCombination"
    )


def test_create_checks_failover_needs_replicas(elasticache: Any) -> None:
    with pytest.raises(ClientError) as error:
        create_group(elasticache, NumCacheClusters=1, AutomaticFailoverEnabled=True)
    assert error_code(error.value) == "InvalidParameterCombination"


def test_retention_is_bounded(elasticache: Any) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    assert _code(elasticache, group_id, SnapshotRetentionLimit=36) == "InvalidParameterValue"


def test_security_groups_must_exist(elasticache: Any) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    code = _code(elasticache, group_id, SecurityGroupIds=["sg-0000000000000dead"])
    assert code == "InvalidParameterValue"


def test_modify_delay_is_configurable(fake_aws: str, elasticache: Any) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    set_modify_delay(fake_aws, 0)
    try:
        answer = _modify(elasticache, group_id, SnapshotRetentionLimit=4)
        assert answer["Status"] == "available"
        set_modify_delay(fake_aws, 3)
        _modify(elasticache, group_id, SnapshotRetentionLimit=5)
        statuses = [describe_group(elasticache, group_id)["Status"] for _ in range(4)]
        assert statuses == ["modifying", "modifying", "modifying", "available"]
    finally:
        set_modify_delay(fake_aws, 1)
