"""A serverless Valkey cache's RBAC users rotate like a replication group's: both passwords
valid, then only the new one; the new one carries only AWSPENDING until AWS has it, then
AWSCURRENT; and no password appears in Slack calls, logs, Redis keys/values, RQ jobs or
the audit log (the audit log is a Redis stream, so the Redis scan covers it)."""

from __future__ import annotations

import json
import uuid

import pytest

from posture.rotation import Phase
from sandbox.fake_aws.inspect_state import store_at
from sandbox.stack import Stack
from tests.integration.rotation.flow import (
    ACCOUNT,
    REGION,
    approve,
    aws_client,
    finalize,
    request_rotation,
    rotations,
    secret_labels,
    secret_value,
    unique,
    wait_phase,
)
from tests.integration.rotation.leaks import places_holding
from workers.platform.redis_connection import connect
from workers.trail.log import AuditLog

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rotation-stack")]


def _passwords(user: str) -> list[str]:
    with store_at(ACCOUNT, REGION).lock:
        return list(store_at(ACCOUNT, REGION).users[user].passwords)


def test_serverless_users_rotate_with_staging_labels_and_leave_no_trace(stack: Stack) -> None:
    ec, secrets = aws_client(stack, "elasticache"), aws_client(stack, "secretsmanager")
    user, old = unique("svapp"), f"Old-{uuid.uuid4().hex}"
    ec.create_user(UserId=user, UserName=user, Engine="valkey",
                   AccessString="on ~* +@all", Passwords=[old])  # fmt: skip
    user_group = unique("ug")
    ec.create_user_group(UserGroupId=user_group, Engine="valkey", UserIds=["default", user])
    cache = unique("sv")
    ec.create_serverless_cache(ServerlessCacheName=cache, Engine="valkey", UserGroupId=user_group)
    secret_name = f"cachewarden/auth/users/{user}"
    secrets.create_secret(Name=secret_name, SecretString=old)

    message = request_rotation(stack, cache)
    shown = json.dumps(message)
    assert "default: authenticates with no-password" in shown  # left out, with the reason
    assert "Serverless cache" in shown or "serverless" in shown.lower()
    rotation_id = approve(stack, message)
    rotation = wait_phase(stack, rotation_id, Phase.BOTH_VALID, Phase.FAILED)
    assert rotation.phase is Phase.BOTH_VALID, rotation.problem
    assert rotation.resource_kind == "serverless_cache" and rotation.group_id == cache
    new = secret_value(stack, secret_name, "AWSPENDING")
    assert new and new != old
    assert _passwords(user) == [old, new]  # both work while clients move
    labels = secret_labels(stack, secret_name)
    pending = rotation.secrets[0].pending_version_id
    assert labels[pending] == ["AWSPENDING"], "AWSCURRENT only once AWS holds the password alone"

    done = finalize(stack, rotation)
    assert done.phase is Phase.DONE, done.problem
    assert _passwords(user) == [new]
    assert secret_value(stack, secret_name, "AWSCURRENT") == new
    assert secret_value(stack, secret_name, "AWSPREVIOUS") == old
    trail = [
        e.fields for e in AuditLog(connect(stack.redis.url)).all()
        if e.fields.get("rotation_id") == rotation_id
    ]  # fmt: skip
    assert trail and all(f.get("target") == f"serverless_cache/{cache}" for f in trail)
    assert {"secret.pending_written", "secret.promoted"} <= {f["event"] for f in trail}
    assert rotations(stack).get(rotation_id) is not None
    assert places_holding(stack, [old, new]) == []
