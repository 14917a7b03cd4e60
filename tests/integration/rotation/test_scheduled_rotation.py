"""Scheduled rotation over real processes: a group whose AUTH token secret is older than
`[rotation] max_age_days` gets a ROTATE request from the bot (any approver may approve);
a fresh one does not; running the check again opens no second request."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import pytest

from posture.rotation import Phase
from sandbox.stack import Stack, StackOptions
from tests.integration import remediation_calls
from tests.integration.rotation.flow import (
    ACCOUNT,
    APPROVER,
    REGION,
    aws_client,
    button_value,
    create_auth_group,
    unique,
    wait_for,
    wait_phase,
)
from workers.platform.enqueue import enqueue_due_rotations
from workers.platform.redis_connection import connect
from workers.trail.log import AuditLog

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rotation-schedule")]
SECURITY = "C_SECURITY"
DAY = 24 * 3600


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    extra = "\n[rotation]\nmax_age_days = 30\n"
    with Stack(StackOptions(regions=(REGION,), config_extra=extra)) as running:
        yield running


def _age_secret(name: str, days: int) -> None:
    """Backdate the secret's versions in the fake (moto runs in this process)."""
    from moto.secretsmanager.models import secretsmanager_backends

    secret = secretsmanager_backends[ACCOUNT][REGION].secrets[name]
    for version in secret.versions.values():
        version["createdate"] = int(time.time()) - days * DAY


def _group_with_secret(stack: Stack, prefix: str, age_days: int) -> str:
    group, token = unique(prefix), f"Tok-{uuid.uuid4().hex}"
    create_auth_group(stack, group, token)
    name = f"cachewarden/auth/{group}"
    aws_client(stack, "secretsmanager").create_secret(Name=name, SecretString=token)
    _age_secret(name, age_days)
    return group


def _requests_for(stack: Stack, group: str) -> list[dict]:  # type: ignore[type-arg]
    return [
        m for m in stack.emulator.messages(SECURITY)
        if f"`{group}`" in json.dumps(m) and "approval_approve" in json.dumps(m)
    ]  # fmt: skip


def _scheduled_events(stack: Stack, group: str) -> list[dict[str, str]]:
    return [
        e.fields for e in AuditLog(connect(stack.redis.url)).all()
        if e.fields.get("event", "").startswith("rotation.scheduled") and e.fields.get("target") == group
    ]  # fmt: skip


def test_an_old_secret_gets_one_request_from_the_bot_and_any_approver_may_approve(
    stack: Stack,
) -> None:
    old = _group_with_secret(stack, "aged", 45)
    fresh = _group_with_secret(stack, "fresh", 3)
    connection = connect(stack.redis.url)
    assert enqueue_due_rotations(connection)
    wait_for(lambda: _requests_for(stack, old), what="the scheduled request")
    shown = json.dumps(_requests_for(stack, old)[0])
    assert "cachewarden" in shown  # the bot asked
    # The check logs its decision right after it posts the request: wait for the entry too.
    logged = wait_for(lambda: _scheduled_events(stack, old), what="the scheduled audit entry")
    assert logged[0]["age_days"] == "45"

    time.sleep(1.1)  # a new job id; the check must still ask only once
    assert enqueue_due_rotations(connection)
    wait_for(lambda: len(_scheduled_events(stack, old)) == 2, what="the second check")
    assert _scheduled_events(stack, old)[1]["event"] == "rotation.scheduled_skipped"
    assert len(_requests_for(stack, old)) == 1
    assert not _requests_for(stack, fresh) and not _scheduled_events(stack, fresh)

    message = _requests_for(stack, old)[0]
    answer = stack.signed_client().click(
        message, "approval_approve", user_id=APPROVER, channel_id=SECURITY
    )
    assert answer.status == 200
    rotation_id = button_value(message, "approval_approve")
    rotation = wait_phase(stack, rotation_id, Phase.BOTH_VALID, Phase.FAILED)
    assert rotation.phase is Phase.BOTH_VALID, rotation.problem
    assert rotation.requester == "cachewarden"
    # The one read only this check makes is in the generated remediation policy, and was made.
    made = remediation_calls.made(stack.redis.url)
    assert "secretsmanager:ListSecretVersionIds" in made
    assert made <= remediation_calls.granted()
