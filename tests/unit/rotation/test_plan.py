"""Which groups can be rotated, how, and what the approver reads."""

from __future__ import annotations

import json

import pytest

from posture.resources import Authentication, ReplicationGroup, ReplicationGroupPending, User
from posture.rotation import RotationMode
from posture.rotation_plan import (
    check_user,
    finalize_texts,
    group_secret_name,
    mode_for,
    refusal_reason,
    rotate_texts,
    user_secret_name,
)


def _group(**fields: object) -> ReplicationGroup:
    base: dict[str, object] = {
        "ReplicationGroupId": "orders",
        "Status": "available",
        "Engine": "redis",
        "TransitEncryptionEnabled": True,
        "AuthTokenEnabled": True,
    }
    base.update(fields)
    return ReplicationGroup.model_validate(base)


def test_a_tls_group_with_a_token_can_be_rotated_with_rotate_then_set() -> None:
    group = _group()
    assert refusal_reason(group) is None
    assert mode_for(group) is RotationMode.AUTH_TOKEN


def test_without_tls_the_answer_says_why_and_points_at_cw_101() -> None:
    reason = refusal_reason(_group(TransitEncryptionEnabled=False))
    assert reason is not None
    assert "in-transit encryption" in reason and "CW-101" in reason


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"Engine": "memcached"}, "only Redis OSS and Valkey"),
        ({"Status": "modifying"}, "is modifying"),
        (
            {"PendingModifiedValues": {"AuthTokenStatus": "ROTATING"}},
            "already changing its AUTH token",
        ),
        ({"AuthTokenEnabled": False}, "CW-202"),
    ],
)
def test_other_refusals_explain_themselves(fields: dict[str, object], expected: str) -> None:
    reason = refusal_reason(_group(**fields))
    assert reason is not None and expected in reason


def test_an_rbac_group_rotates_its_users_passwords() -> None:
    group = _group(AuthTokenEnabled=False, UserGroupIds=["app-users"])
    assert refusal_reason(group) is None
    assert mode_for(group) is RotationMode.RBAC_USERS


def test_pending_values_without_a_token_change_do_not_block() -> None:
    group = _group(
        PendingModifiedValues=ReplicationGroupPending(transit_encryption_mode="required")
    )
    assert refusal_reason(group) is None


def _user(kind: str) -> User:
    return User(user_id="app", authentication=Authentication(type=kind, password_count=1))


def test_only_password_users_with_a_stored_current_password_are_rotated() -> None:
    assert check_user(_user("password"), True, "p/users/app").rotatable
    missing = check_user(_user("password"), False, "p/users/app")
    assert not missing.rotatable and "p/users/app (AWSCURRENT)" in missing.reason
    assert "iam" in check_user(_user("iam"), True, "p/users/app").reason
    assert not check_user(_user("no-password"), True, "x").rotatable


def test_secret_names_follow_the_policy_prefix() -> None:
    assert group_secret_name("team/auth/", "orders") == "team/auth/orders"
    assert user_secret_name("team/auth/", "app") == "team/auth/users/app"


@pytest.mark.parametrize("mode", list(RotationMode))
def test_approval_texts_name_the_call_but_never_a_value(mode: RotationMode) -> None:
    for texts in (
        rotate_texts(mode, "orders", ["team/auth/orders"]),
        finalize_texts(mode, "orders"),
    ):
        assert "never shown" in texts.api_call
        assert texts.change and texts.risk and texts.backout
        # the same shape as a fix's exact call: `service:Operation {json params}`
        operation, _, params = texts.api_call.partition(" ")
        assert operation.startswith("elasticache:Modify") and json.loads(params)
    assert '"ROTATE"' in rotate_texts(RotationMode.AUTH_TOKEN, "o", ["s"]).api_call
    assert '"SET"' in finalize_texts(RotationMode.AUTH_TOKEN, "o").api_call
