"""AUTH token rules on ModifyReplicationGroup: format, ROTATE / SET / DELETE, RBAC moves,
the modifying phase, and what the fake's state endpoint reports."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from sandbox.fake_aws import group_state
from tests.integration.fake_aws.helpers import (
    ACCOUNT,
    NEW_TOKEN,
    THIRD_TOKEN,
    TOKEN,
    client,
    create_group,
    describe_group,
    error_code,
    settle,
    unique,
)

pytestmark = pytest.mark.integration
REGION = "us-east-1"


@pytest.fixture
def elasticache(fake_aws: str) -> Any:
    return client(fake_aws, "elasticache", REGION)


def _modify(elasticache: Any, group_id: str, **params: Any) -> dict[str, Any]:
    answer = elasticache.modify_replication_group(
        ReplicationGroupId=group_id, ApplyImmediately=True, **params
    )
    return dict(answer["ReplicationGroup"])


def _refused(elasticache: Any, group_id: str, **params: Any) -> str:
    with pytest.raises(ClientError) as error:
        _modify(elasticache, group_id, **params)
    return error_code(error.value)


def _user_group(elasticache: Any) -> str:
    user_group_id = unique("ug")
    elasticache.create_user_group(UserGroupId=user_group_id, Engine="redis", UserIds=["default"])
    return user_group_id


@pytest.mark.parametrize(
    ("token", "why"),
    [
        ("short-token", "fewer than 16 characters"),
        ("x" * 129, "more than 128 characters"),
        ("has/a-slash-inside", "forbidden /"),
        ('has"a-quote-inside', 'forbidden "'),
        ("has@an-at-sign-xx", "forbidden @"),
        ("has%a-percent-xxx", "forbidden %"),
        ("has a space inside", "not printable without spaces"),
    ],
)
def test_token_format_is_checked_on_modify(elasticache: Any, token: str, why: str) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    assert _refused(elasticache, group_id, AuthToken=token, AuthTokenUpdateStrategy="ROTATE") == (
        "InvalidParameterValue"
    ), why


def test_create_only_allows_its_own_specials(elasticache: Any) -> None:
    with pytest.raises(ClientError) as error:
        create_group(elasticache, AuthToken="token-with-star-*-x")
    assert error_code(error.value) == "InvalidParameterValue"
    assert create_group(elasticache, AuthToken="Ok!&#$^<>-token-1")["AuthTokenEnabled"] is True


def test_rotate_keeps_both_tokens_then_set_keeps_the_new_one(
    fake_aws: str, elasticache: Any
) -> None:
    group = create_group(elasticache)
    group_id, created_at = group["ReplicationGroupId"], group["AuthTokenLastModifiedDate"]
    assert _modify(elasticache, group_id, AuthToken=NEW_TOKEN)["PendingModifiedValues"] == {
        "AuthTokenStatus": "ROTATING"
    }
    assert group_state(fake_aws, ACCOUNT, REGION, group_id)["auth_tokens"] == [TOKEN]
    rotated = settle(elasticache, group_id)
    assert rotated["AuthTokenLastModifiedDate"] > created_at
    assert group_state(fake_aws, ACCOUNT, REGION, group_id)["auth_tokens"] == [TOKEN, NEW_TOKEN]

    answer = _modify(elasticache, group_id, AuthToken=NEW_TOKEN, AuthTokenUpdateStrategy="SET")
    assert answer["PendingModifiedValues"] == {"AuthTokenStatus": "SETTING"}
    settle(elasticache, group_id)
    assert group_state(fake_aws, ACCOUNT, REGION, group_id)["auth_tokens"] == [NEW_TOKEN]


def test_set_is_refused_without_a_rotate_or_with_another_token(elasticache: Any) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    assert _refused(elasticache, group_id, AuthToken=TOKEN, AuthTokenUpdateStrategy="SET") == (
        "InvalidParameterCombination"
    )
    _modify(elasticache, group_id, AuthToken=NEW_TOKEN, AuthTokenUpdateStrategy="ROTATE")
    settle(elasticache, group_id)
    assert _refused(elasticache, group_id, AuthToken=TOKEN, AuthTokenUpdateStrategy="SET") == (
        "InvalidParameterValue"
    )


def test_a_group_holds_at_most_two_tokens(elasticache: Any) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    _modify(elasticache, group_id, AuthToken=NEW_TOKEN, AuthTokenUpdateStrategy="ROTATE")
    settle(elasticache, group_id)
    code = _refused(elasticache, group_id, AuthToken=THIRD_TOKEN, AuthTokenUpdateStrategy="ROTATE")
    assert code == "InvalidParameterCombination"


def test_rotate_adds_auth_to_a_tls_group_without_a_token(fake_aws: str, elasticache: Any) -> None:
    group_id = create_group(elasticache, AuthToken=None)["ReplicationGroupId"]
    assert describe_group(elasticache, group_id)["AuthTokenEnabled"] is False
    _modify(elasticache, group_id, AuthToken=NEW_TOKEN, AuthTokenUpdateStrategy="ROTATE")
    assert settle(elasticache, group_id)["AuthTokenEnabled"] is True
    assert group_state(fake_aws, ACCOUNT, REGION, group_id)["auth_tokens"] == [NEW_TOKEN]


def test_user_group_on_an_auth_group_needs_delete(fake_aws: str, elasticache: Any) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    user_group_id = _user_group(elasticache)
    with pytest.raises(ClientError) as error:
        _modify(elasticache, group_id, UserGroupIdsToAdd=[user_group_id])
    assert error_code(error.value) == "InvalidParameterCombination"
    assert "User group can't be associated with auth token enabled" in str(error.value)

    answer = _modify(
        elasticache, group_id, AuthTokenUpdateStrategy="DELETE", UserGroupIdsToAdd=[user_group_id]
    )
    assert answer["PendingModifiedValues"]["UserGroups"]["UserGroupIdsToAdd"] == [user_group_id]
    group = settle(elasticache, group_id)
    assert group["AuthTokenEnabled"] is False
    assert group["UserGroupIds"] == [user_group_id]
    assert group_state(fake_aws, ACCOUNT, REGION, group_id)["auth_tokens"] == []
    described = elasticache.describe_user_groups(UserGroupId=user_group_id)["UserGroups"][0]
    assert described["ReplicationGroups"] == [group_id]


def test_delete_without_moving_to_rbac_is_refused(elasticache: Any) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    assert _refused(elasticache, group_id, AuthTokenUpdateStrategy="DELETE") == (
        "InvalidParameterCombination"
    )


def test_a_modifying_group_refuses_another_modify(elasticache: Any) -> None:
    group_id = create_group(elasticache)["ReplicationGroupId"]
    _modify(elasticache, group_id, AuthToken=NEW_TOKEN, AuthTokenUpdateStrategy="ROTATE")
    assert describe_group(elasticache, group_id)["Status"] == "modifying"
    assert (
        _refused(elasticache, group_id, SnapshotRetentionLimit=3) == "InvalidReplicationGroupState"
    )
    assert describe_group(elasticache, group_id)["Status"] == "available"


def test_member_clusters_follow_the_group(elasticache: Any) -> None:
    group = create_group(elasticache, AuthToken=None)
    _modify(elasticache, group["ReplicationGroupId"], AuthToken=NEW_TOKEN)
    member = group["MemberClusters"][0]
    during = elasticache.describe_cache_clusters(CacheClusterId=member)["CacheClusters"][0]
    assert during["CacheClusterStatus"] == "modifying"
    assert during["AuthTokenEnabled"] is False
    settle(elasticache, group["ReplicationGroupId"])
    after = elasticache.describe_cache_clusters(CacheClusterId=member)["CacheClusters"][0]
    assert after["CacheClusterStatus"] == "available"
    assert after["AuthTokenEnabled"] is True
