"""/cache-rotate-token over real processes: request, approve, ROTATE, Finalize, SET; the
cancel path; RBAC users; a group without TLS; and no trace of any token anywhere."""

from __future__ import annotations

import json
import uuid

import pytest

from posture.privileges import ROTATION_READS, rotation_writes
from posture.rotation import Phase
from sandbox.fake_aws.inspect_state import store_at
from sandbox.stack import Stack
from tests.integration import remediation_calls
from tests.integration.rotation.flow import (
    ACCOUNT,
    APPROVER,
    CHANNEL,
    REGION,
    REQUESTER,
    approve,
    aws_client,
    click,
    create_auth_group,
    finalize,
    has_button,
    request_rotation,
    rotations,
    secret_labels,
    secret_value,
    thread_message_with,
    tokens_in_aws,
    unique,
    wait_for,
    wait_phase,
)
from tests.integration.rotation.leaks import places_holding

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rotation-stack")]


def _start_token() -> str:
    return f"Start-{uuid.uuid4().hex}"


def _thread_text(stack: Stack, thread_ts: str) -> str:
    return json.dumps(stack.emulator.thread(CHANNEL, thread_ts))


def _readme_client(stack: Stack, group: str, name: str, configured: str) -> str | None:
    """The README's client: AWSCURRENT, then AWSPENDING, then its configured token."""
    accepted = tokens_in_aws(stack, group)
    for stage in ("AWSCURRENT", "AWSPENDING"):
        if (value := secret_value(stack, name, stage)) in accepted:
            return value
    return configured if configured in accepted else None


def test_rotate_then_finalize_and_no_trace_of_either_token(stack: Stack) -> None:
    group, old = unique("orders"), _start_token()
    create_auth_group(stack, group, old)
    name = f"cachewarden/auth/{group}"
    assert _readme_client(stack, group, name, old) == old  # no secret yet

    rotation_id = approve(stack, request_rotation(stack, group))
    rotation = wait_phase(stack, rotation_id, Phase.BOTH_VALID, Phase.FAILED)
    assert rotation.phase is Phase.BOTH_VALID, rotation.problem
    assert rotation.secrets[0].name == name
    new = secret_value(stack, name, "AWSPENDING")
    assert new is not None and new != old
    assert tokens_in_aws(stack, group) == [old, new]  # ROTATE: both work
    assert _readme_client(stack, group, name, old) == new
    thread = wait_for(
        lambda: (
            (text := _thread_text(stack, rotation.conversation.thread))
            * ("Both tokens work now" in text)
        ),
        what="the both-tokens message",
    )
    assert name in thread and rotation.secrets[0].arn in thread
    both = thread_message_with(stack, rotation.conversation.thread, "rotation_finalize")
    assert not has_button(both, "rotation_cancel")  # the old token was never stored

    done = finalize(stack, rotation)
    assert done.phase is Phase.DONE, done.problem
    assert tokens_in_aws(stack, group) == [new]  # SET: only the new one
    assert secret_value(stack, name, "AWSCURRENT") == new
    assert secret_value(stack, name, "AWSPENDING") is None
    assert _readme_client(stack, group, name, old) == new
    wait_for(
        lambda: (
            "Done. Only the new token works" in _thread_text(stack, rotation.conversation.thread)
        ),
        what="the done message",
    )
    group_now = aws_client(stack, "elasticache").describe_replication_groups(
        ReplicationGroupId=group
    )["ReplicationGroups"][0]
    assert group_now["Status"] == "available"
    assert group_now["AuthTokenLastModifiedDate"] > rotation.original_token_date

    assert places_holding(stack, [old, new]) == []


def test_cancel_rotates_the_previous_token_back_and_deprecates_the_new_one(stack: Stack) -> None:
    group, old = unique("sessions"), _start_token()
    create_auth_group(stack, group, old)
    secret_name = f"cachewarden/auth/{group}"
    aws_client(stack, "secretsmanager").create_secret(Name=secret_name, SecretString=old)

    rotation_id = approve(stack, request_rotation(stack, group))
    rotation = wait_phase(stack, rotation_id, Phase.BOTH_VALID, Phase.FAILED)
    new = secret_value(stack, secret_name, "AWSPENDING")
    assert tokens_in_aws(stack, group) == [old, new]

    both = thread_message_with(stack, rotation.conversation.thread, "rotation_cancel")
    click(stack, both, "rotation_cancel", APPROVER)  # four-eyes: not the requester (issue 14)
    cancelled = wait_phase(stack, rotation_id, Phase.CANCELLED, Phase.FAILED)
    assert cancelled.phase is Phase.CANCELLED, cancelled.problem
    assert tokens_in_aws(stack, group) == [old]
    assert secret_value(stack, secret_name, "AWSCURRENT") == old
    assert secret_labels(stack, secret_name)[rotation.secrets[0].pending_version_id] == []
    wait_for(
        lambda: (
            "Cancelled. Only the previous token works"
            in _thread_text(stack, rotation.conversation.thread)
        ),
        what="the cancelled message",
    )
    assert places_holding(stack, [old, new or "-"]) == []


def test_the_requester_alone_cannot_cancel_in_the_both_tokens_window(stack: Stack) -> None:
    """Cancel sends ROTATE and SET to AWS: the requester may not do that without an approver."""
    group, old = unique("carts"), _start_token()
    create_auth_group(stack, group, old)
    secret_name = f"cachewarden/auth/{group}"
    aws_client(stack, "secretsmanager").create_secret(Name=secret_name, SecretString=old)
    rotation_id = approve(stack, request_rotation(stack, group))
    rotation = wait_phase(stack, rotation_id, Phase.BOTH_VALID, Phase.FAILED)
    new = secret_value(stack, secret_name, "AWSPENDING")

    both = thread_message_with(stack, rotation.conversation.thread, "rotation_cancel")
    click(stack, both, "rotation_cancel", REQUESTER)
    wait_for(
        lambda: [
            e
            for e in stack.emulator.ephemerals(CHANNEL, REQUESTER)
            if "four-eyes" in json.dumps(e) and "cancel" in json.dumps(e)
        ],
        what="the four-eyes refusal",
    )
    assert rotations(stack).get(rotation_id).phase is Phase.BOTH_VALID  # type: ignore[union-attr]
    assert tokens_in_aws(stack, group) == [old, new]  # AWS got no ROTATE and no SET
    assert finalize(stack, rotation).phase is Phase.DONE  # leaves the group with one token


def _create_rbac_group(stack: Stack, group: str, user: str, password: str) -> None:
    ec = aws_client(stack, "elasticache")
    ec.create_user(
        UserId=user, UserName=user, Engine="redis", AccessString="on ~* +@all", Passwords=[password]
    )
    user_group = unique("ug")
    ec.create_user_group(UserGroupId=user_group, Engine="redis", UserIds=["default", user])
    ec.create_replication_group(
        ReplicationGroupId=group,
        ReplicationGroupDescription="rbac rotation test",
        Engine="redis",
        EngineVersion="7.1",
        CacheNodeType="cache.t4g.small",
        TransitEncryptionEnabled=True,
        UserGroupIds=[user_group],
    )


def _passwords(user: str) -> list[str]:
    with store_at(ACCOUNT, REGION).lock:
        return list(store_at(ACCOUNT, REGION).users[user].passwords)


def test_rbac_users_get_both_passwords_then_only_the_new_one(stack: Stack) -> None:
    group, user, old = unique("carts"), unique("app"), _start_token()
    _create_rbac_group(stack, group, user, old)
    secret_name = f"cachewarden/auth/users/{user}"
    aws_client(stack, "secretsmanager").create_secret(Name=secret_name, SecretString=old)

    message = request_rotation(stack, group)
    assert "default: authenticates with no-password" in json.dumps(message)
    rotation_id = approve(stack, message)
    rotation = wait_phase(stack, rotation_id, Phase.BOTH_VALID, Phase.FAILED)
    assert rotation.phase is Phase.BOTH_VALID, rotation.problem
    new = secret_value(stack, secret_name, "AWSPENDING")
    assert _passwords(user) == [old, new]

    done = finalize(stack, rotation)
    assert done.phase is Phase.DONE, done.problem
    assert _passwords(user) == [new]
    assert secret_value(stack, secret_name, "AWSCURRENT") == new
    assert secret_value(stack, secret_name, "AWSPREVIOUS") == old
    assert places_holding(stack, [old, new or "-"]) == []


def test_a_group_without_tls_is_refused_with_the_reason(stack: Stack) -> None:
    group = unique("plain")
    create_auth_group(stack, group, "", tls=False)
    before = len(stack.emulator.messages(CHANNEL))
    stack.signed_client().command(
        "/cache-rotate-token", group, user_id=REQUESTER, channel_id=CHANNEL
    )
    answer = wait_for(
        lambda: [
            e
            for e in stack.emulator.ephemerals(CHANNEL, REQUESTER)
            if group in json.dumps(e) and "in-transit encryption" in json.dumps(e)
        ],
        what="the refusal",
    )
    assert "CW-101" in json.dumps(answer)
    assert not [m for m in stack.emulator.messages(CHANNEL)[before:] if group in json.dumps(m)]
    assert rotations(stack).active_id(ACCOUNT, REGION, group) is None


def test_only_the_requester_or_an_approver_may_finalize(stack: Stack) -> None:
    group = unique("billing")
    create_auth_group(stack, group, _start_token())
    rotation_id = approve(stack, request_rotation(stack, group))
    rotation = wait_phase(stack, rotation_id, Phase.BOTH_VALID, Phase.FAILED)
    both = thread_message_with(stack, rotation.conversation.thread, "rotation_finalize")
    click(stack, both, "rotation_finalize", "U_OUTSIDER")
    wait_for(
        lambda: [
            e
            for e in stack.emulator.ephemerals(CHANNEL, "U_OUTSIDER")
            if "Only the requester or an approver" in json.dumps(e)
        ],
        what="the refusal for an outsider",
    )
    assert rotations(stack).get(rotation_id).phase is Phase.BOTH_VALID  # type: ignore[union-attr]
    done = finalize(stack, rotation)
    assert done.phase is Phase.DONE
    assert APPROVER  # the FINALIZE request was approved by someone other than its requester


def test_the_rotations_made_only_calls_the_remediation_policy_grants(stack: Stack) -> None:
    """Runs after the stories above: every call their rotation jobs made, against the policy.

    The stories above only rotate replication groups; a name that is another kind of cache
    takes the one path they miss (DescribeServerlessCaches, DescribeCacheClusters to say
    what it is), so one such request runs here first and every declared read is used.
    """
    memcached = unique("mc")
    aws_client(stack, "elasticache").create_cache_cluster(
        CacheClusterId=memcached, Engine="memcached", CacheNodeType="cache.t4g.small",
        NumCacheNodes=1,
    )  # fmt: skip
    stack.signed_client().command(
        "/cache-rotate-token", memcached, user_id=REQUESTER, channel_id=CHANNEL
    )
    wait_for(
        lambda: [
            e for e in stack.emulator.ephemerals(CHANNEL, REQUESTER)
            if memcached in json.dumps(e) and "no password to rotate" in json.dumps(e)
        ],
        what="the answer for a Memcached cluster",
    )  # fmt: skip
    made = remediation_calls.made(stack.redis.url)
    assert made <= remediation_calls.granted()
    declared = remediation_calls.iam_actions(rotation_writes())
    # ModifyCacheCluster (standalone clusters) is pinned by test_standalone_rotation's stack.
    standalone_only = {"elasticache:ModifyCacheCluster"}
    assert (
        remediation_calls.writes(made)
        == declared - {"secretsmanager:TagResource"} - standalone_only
    )
    # ListSecretVersionIds is read only by the scheduled check; test_scheduled_rotation pins it.
    scheduled_only = {"secretsmanager:ListSecretVersionIds"}
    assert remediation_calls.iam_actions(ROTATION_READS) - scheduled_only <= made  # none unused
