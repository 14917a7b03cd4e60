"""SIGKILL of the worker between every pair of rotation steps: the rotation still completes
(or says why not), and at every moment Secrets Manager holds every token the group accepts.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from posture.rotation import Phase
from sandbox.stack import Stack, StackOptions
from tests.integration.rotation.flow import (
    REQUESTER,
    approve,
    aws_client,
    click,
    create_auth_group,
    request_rotation,
    rotations,
    secret_value,
    thread_message_with,
    tokens_in_aws,
    unique,
    wait_phase,
)
from tests.integration.rotation.leaks import places_holding

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("rotation-crash")]
PHASE_ONE_KILLS = (Phase.SECRET_PENDING, Phase.ROTATE_SENDING, Phase.ROTATE_APPLIED)
PHASE_TWO_KILLS = (
    Phase.FINALIZE_APPROVED,
    Phase.SET_SENDING,
    Phase.SET_APPLIED,
    Phase.SECRET_PROMOTED,
)
LABELS = ("AWSCURRENT", "AWSPENDING", "AWSPREVIOUS")


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with Stack(StackOptions(regions=("us-east-1",))) as running:
        yield running


def _kill_worker(stack: Stack) -> None:
    for worker in stack.workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    # A killed worker's RQ scheduler lock lives 61 s; expire it now instead of waiting.
    connection = redis.Redis.from_url(stack.redis.url)
    for key in connection.scan_iter(match="rq:scheduler-lock:*"):
        connection.delete(key)


def assert_secret_covers_group(stack: Stack, group: str, secret: str) -> None:
    accepted = set(tokens_in_aws(stack, group))
    held = {value for label in LABELS if (value := secret_value(stack, secret, label))}
    assert accepted <= held, "the group accepts a token that exists nowhere but AWS"
    assert accepted & held, "no secret version holds a token the group accepts"


def kill_at_each(
    stack: Stack, rotation_id: str, points: tuple[Phase, ...], until: tuple[Phase, ...],
    check: object,
) -> list[Phase]:  # fmt: skip
    """Kill the worker as soon as each point is reached; restart it; return the points hit."""
    store, killed = rotations(stack), []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        rotation = store.get(rotation_id)
        assert rotation is not None
        reached = {change.phase for change in rotation.history}
        due = [point for point in points if point in reached and point not in killed]
        if due:
            _kill_worker(stack)
            check()  # type: ignore[operator]
            killed.extend(due)
            stack.start_worker()
        if rotation.phase in until and not due:
            return killed
        time.sleep(0.005)
    raise AssertionError(f"rotation {rotation_id} did not finish; killed at {killed}")


def test_sigkill_between_steps_never_loses_the_token(stack: Stack) -> None:
    group, old = unique("crash"), f"Start-{uuid.uuid4().hex}"
    create_auth_group(stack, group, old)
    secret = f"cachewarden/auth/{group}"
    aws_client(stack, "secretsmanager").create_secret(Name=secret, SecretString=old)

    def check() -> None:
        assert_secret_covers_group(stack, group, secret)

    rotation_id = approve(stack, request_rotation(stack, group))
    killed = kill_at_each(
        stack, rotation_id, PHASE_ONE_KILLS, (Phase.BOTH_VALID, Phase.FAILED), check
    )
    rotation = wait_phase(stack, rotation_id, Phase.BOTH_VALID, Phase.FAILED)
    assert rotation.phase is Phase.BOTH_VALID, rotation.problem
    assert killed == list(PHASE_ONE_KILLS)
    new = secret_value(stack, secret, "AWSPENDING")
    assert tokens_in_aws(stack, group) == [old, new]
    check()

    click(stack, thread_message_with(stack, rotation.conversation.thread, "rotation_finalize"),
          "rotation_finalize", REQUESTER)  # fmt: skip
    approve(stack, thread_message_with(stack, rotation.conversation.thread, "approval_approve"))
    killed = kill_at_each(stack, rotation_id, PHASE_TWO_KILLS, (Phase.DONE, Phase.FAILED), check)
    done = wait_phase(stack, rotation_id, Phase.DONE, Phase.FAILED)
    assert done.phase is Phase.DONE, done.problem
    assert killed == list(PHASE_TWO_KILLS)
    assert tokens_in_aws(stack, group) == [new]
    assert secret_value(stack, secret, "AWSCURRENT") == new
    check()
    assert places_holding(stack, [old, new or "-"]) == []
