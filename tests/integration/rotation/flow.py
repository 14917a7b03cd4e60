"""Driving a rotation through the real stack the way people do: command, clicks, and the
facts to check afterwards (what AWS holds, what Secrets Manager holds)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import boto3

from posture.rotation import Phase, Rotation
from sandbox.fake_aws import group_state
from sandbox.stack import Stack
from workers.platform.redis_connection import connect
from workers.rotation.store import RotationStore

ACCOUNT = "123456789012"  # the fake's default account
REGION = "us-east-1"
CHANNEL = "C_PLATFORM"
REQUESTER, APPROVER = "U_ENGINEER", "U_SECURITY"


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def aws_client(stack: Stack, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=stack.aws.url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def create_auth_group(stack: Stack, group_id: str, token: str, *, tls: bool = True) -> None:
    params: dict[str, Any] = {
        "ReplicationGroupId": group_id,
        "ReplicationGroupDescription": "rotation test",
        "Engine": "redis",
        "EngineVersion": "7.1",
        "CacheNodeType": "cache.t4g.small",
        "NumCacheClusters": 2,
    }
    if tls:
        params.update(TransitEncryptionEnabled=True, AuthToken=token)
    aws_client(stack, "elasticache").create_replication_group(**params)


def tokens_in_aws(stack: Stack, group_id: str) -> list[str]:
    return list(group_state(stack.aws.url, ACCOUNT, REGION, group_id)["auth_tokens"])


def secret_value(stack: Stack, name: str, stage: str) -> str | None:
    try:
        answer = aws_client(stack, "secretsmanager").get_secret_value(
            SecretId=name, VersionStage=stage
        )
    except Exception:  # no version carries that label
        return None
    return str(answer["SecretString"])


def secret_labels(stack: Stack, name: str) -> dict[str, list[str]]:
    answer = aws_client(stack, "secretsmanager").describe_secret(SecretId=name)
    return dict(answer.get("VersionIdsToStages") or {})


def rotations(stack: Stack) -> RotationStore:
    return RotationStore(connect(stack.redis.url))


def has_button(message: dict[str, Any], action_id: str) -> bool:
    return f'"action_id": "{action_id}"' in json.dumps(message.get("blocks") or [])


def button_value(message: dict[str, Any], action_id: str) -> str:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return str(element["value"])
    raise LookupError(action_id)


def request_rotation(stack: Stack, group_id: str) -> dict[str, Any]:
    """Run the command; returns the posted ROTATE approval message."""
    answer = stack.signed_client().command(
        "/cache-rotate-token", group_id, user_id=REQUESTER, channel_id=CHANNEL
    )
    assert answer.status == 200 and "Checking" in answer.json()["text"]

    def posted() -> dict[str, Any] | None:
        for message in stack.emulator.messages(CHANNEL):
            if group_id in json.dumps(message) and has_button(message, "approval_approve"):
                return message
        return None

    return dict(wait_for(posted, what=f"the rotation request for {group_id}"))


def approve(stack: Stack, message: dict[str, Any], user: str = APPROVER) -> str:
    response = stack.signed_client().click(
        message, "approval_approve", user_id=user, channel_id=CHANNEL
    )
    assert response.status == 200
    return button_value(message, "approval_approve")


def wait_phase(stack: Stack, rotation_id: str, *phases: Phase, timeout: float = 60.0) -> Rotation:
    def reached() -> Rotation | None:
        rotation = rotations(stack).get(rotation_id)
        return rotation if rotation is not None and rotation.phase in phases else None

    return wait_for(reached, timeout, what=f"rotation {rotation_id} to reach {phases}")  # type: ignore[no-any-return]


def thread_message_with(stack: Stack, thread_ts: str, action_id: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        for message in reversed(stack.emulator.thread(CHANNEL, thread_ts)):
            if has_button(message, action_id):
                return message
        return None

    return dict(wait_for(found, what=f"a {action_id} button in the thread"))


def click(stack: Stack, message: dict[str, Any], action_id: str, user: str) -> None:
    response = stack.signed_client().click(message, action_id, user_id=user, channel_id=CHANNEL)
    assert response.status == 200


def finalize(stack: Stack, rotation: Rotation) -> Rotation:
    """Finalize from the thread, approve the FINALIZE request, wait for the end."""
    click(stack, thread_message_with(stack, rotation.conversation.thread, "rotation_finalize"),
          "rotation_finalize", REQUESTER)  # fmt: skip
    request = thread_message_with(stack, rotation.conversation.thread, "approval_approve")
    approve(stack, request)
    return wait_phase(stack, rotation.rotation_id, Phase.DONE, Phase.FAILED)
