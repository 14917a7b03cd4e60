"""RBAC users and user groups, including the built-in open `default` user."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.fake_aws.helpers import client, error_code, unique

pytestmark = pytest.mark.integration
PASSWORD = "User-Password-0001"
OTHER_PASSWORD = "User-Password-0002"
THIRD_PASSWORD = "User-Password-0003"


@pytest.fixture
def elasticache(fake_aws: str) -> Any:
    return client(fake_aws, "elasticache", "us-west-2")


def _user(elasticache: Any, **params: Any) -> dict[str, Any]:
    user_id = unique("user")
    request = {
        "UserId": user_id,
        "UserName": user_id,
        "Engine": "redis",
        "AccessString": "on ~* +@read",
    }
    request.update(params)
    return dict(elasticache.create_user(**request))


def test_every_account_and_region_has_the_open_default_user(fake_aws: str) -> None:
    role = "arn:aws:iam::333333333333:role/Audit"
    keys = client(fake_aws, "sts").assume_role(RoleArn=role, RoleSessionName="test")["Credentials"]
    other_account = client(
        fake_aws,
        "elasticache",
        "sa-east-1",
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys["SessionToken"],
    )
    for elasticache in (client(fake_aws, "elasticache", "sa-east-1"), other_account):
        default = elasticache.describe_users(UserId="default")["Users"][0]
        assert default["AccessString"] == "on ~* +@all"
        assert default["Authentication"] == {"Type": "no-password"}
        assert ":user:default" in default["ARN"]


def test_authentication_types(elasticache: Any) -> None:
    password_user = _user(elasticache, Passwords=[PASSWORD, OTHER_PASSWORD])
    assert password_user["Authentication"] == {"Type": "password", "PasswordCount": 2}
    open_user = _user(elasticache, NoPasswordRequired=True)
    assert open_user["Authentication"]["Type"] == "no-password"
    iam_id = unique("iam")
    iam_user = _user(
        elasticache, UserId=iam_id, UserName=iam_id, AuthenticationMode={"Type": "iam"}
    )
    assert iam_user["Authentication"]["Type"] == "iam"


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"Passwords": ["too-short"]},
        {"Passwords": [PASSWORD, OTHER_PASSWORD, THIRD_PASSWORD]},
        {"Engine": "memcached", "NoPasswordRequired": True},
    ],
)
def test_invalid_users_are_refused(elasticache: Any, params: dict[str, Any]) -> None:
    with pytest.raises(ClientError) as error:
        _user(elasticache, **params)
    assert error_code(error.value) == "InvalidParameterValue"


def test_modify_user_replaces_passwords_and_appends_access(elasticache: Any) -> None:
    user_id = _user(elasticache, Passwords=[PASSWORD])["UserId"]
    changed = elasticache.modify_user(
        UserId=user_id, Passwords=[OTHER_PASSWORD, THIRD_PASSWORD], AppendAccessString="+@write"
    )
    assert changed["Authentication"] == {"Type": "password", "PasswordCount": 2}
    assert changed["AccessString"] == "on ~* +@read +@write"
    opened = elasticache.modify_user(UserId=user_id, NoPasswordRequired=True)
    assert opened["Authentication"] == {"Type": "no-password"}
    with pytest.raises(ClientError) as error:
        elasticache.modify_user(
            UserId=user_id, Passwords=[PASSWORD, OTHER_PASSWORD, THIRD_PASSWORD]
        )
    assert error_code(error.value) == "InvalidParameterValue"


def test_redis_user_groups_need_a_user_named_default(elasticache: Any) -> None:
    member = _user(elasticache, Passwords=[PASSWORD])["UserId"]
    with pytest.raises(ClientError) as error:
        elasticache.create_user_group(UserGroupId=unique("ug"), Engine="redis", UserIds=[member])
    assert error_code(error.value) == "DefaultUserRequired"
    replacement = _user(elasticache, UserName="default", Passwords=[PASSWORD])["UserId"]
    group_id = unique("ug")
    group = elasticache.create_user_group(
        UserGroupId=group_id, Engine="redis", UserIds=[replacement, member]
    )
    assert group["UserIds"] == [replacement, member]
    with pytest.raises(ClientError) as duplicate:
        elasticache.modify_user_group(UserGroupId=group_id, UserIdsToAdd=["default"])
    assert error_code(duplicate.value) == "DuplicateUserName"
    with pytest.raises(ClientError) as emptied:
        elasticache.modify_user_group(UserGroupId=group_id, UserIdsToRemove=[replacement])
    assert error_code(emptied.value) == "DefaultUserRequired"
    valkey = elasticache.create_user_group(
        UserGroupId=unique("ug"), Engine="valkey", UserIds=[member]
    )
    assert valkey["Engine"] == "valkey"


def test_users_show_their_groups_and_groups_list_members(elasticache: Any) -> None:
    member = _user(elasticache, Passwords=[PASSWORD])["UserId"]
    group_id = unique("ug")
    elasticache.create_user_group(UserGroupId=group_id, Engine="redis", UserIds=["default", member])
    described = elasticache.describe_users(UserId=member)["Users"][0]
    assert described["UserGroupIds"] == [group_id]
    groups = elasticache.describe_user_groups(UserGroupId=group_id)["UserGroups"]
    assert groups[0]["UserIds"] == ["default", member]
    with pytest.raises(ClientError) as error:
        elasticache.describe_user_groups(UserGroupId="missing-group")
    assert error_code(error.value) == "UserGroupNotFound"


def test_the_builtin_default_user_cannot_be_changed(elasticache: Any) -> None:
    with pytest.raises(ClientError) as error:
        elasticache.modify_user(UserId="default", AccessString="off")
    assert error_code(error.value) == "InvalidParameterValue"
