"""Who may decide, how often, and what happens when things go wrong, over real processes."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sandbox.fake_aws import clear_faults, group_state, inject_fault
from sandbox.stack import Stack
from tests.integration.remediation.flow import (
    ACCOUNT,
    CHANNEL,
    REGION,
    SECURITY,
    approval_message,
    decide,
    deny_with_reason,
    events,
    forget_refused_clicks,
    lost_or_slow_down,
    private_answers,
    request_fix,
    request_id_of,
    stored,
    text_of,
    thread,
    wait_for,
    wait_state,
)
from workers.approvals.store import ApprovalStore
from workers.fixes.store import FixStore
from workers.platform.redis_connection import connect

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("remediation-stack")]
Parent = dict[str, Any]


def retention(stack: Stack, group: str) -> int:
    return int(group_state(stack.aws.url, ACCOUNT, REGION, group)["snapshot_retention_limit"])


def redrawn(stack: Stack, parent: Parent, group: str, says: str) -> None:
    """Both copies of the request (thread and security channel) show the decision."""
    for channel in (CHANNEL, SECURITY):
        wait_for(
            lambda c=channel: (
                says in text_of(approval_message(stack, parent, group, "CW-401", c)["blocks"])
            ),
            what=f"'{says}' on the request in {channel}",
        )


def test_deny_changes_nothing_and_tells_everyone(stack: Stack, parent: Parent) -> None:
    message = request_fix(stack, parent, "denied", "CW-401")
    request_id = request_id_of(message)
    deny_with_reason(stack, message, "U_SECURITY", "Not during the sale, please.")
    denied = wait_state(stack, request_id, "denied")
    assert denied.decided_by == "U_SECURITY"
    redrawn(stack, parent, "denied", "*Denied*")
    assert "approval_approve" not in text_of(
        approval_message(stack, parent, "denied", "CW-401")["blocks"]
    )
    assert events(stack, request_id) == ["request.created", "request.denied"]
    assert retention(stack, "denied") == 0


def test_outsider_and_requester_are_refused_then_another_approver_wins(
    stack: Stack, parent: Parent
) -> None:
    message = request_fix(stack, parent, "outsider", "CW-401", user="U_SECURITY")
    request_id = request_id_of(message)
    decide(stack, message, "U_OUTSIDER")
    wait_for(
        lambda: any("Only configured approvers" in a for a in private_answers(stack, "U_OUTSIDER")),
        what="the outsider's answer",
    )
    decide(stack, message, "U_SECURITY")
    wait_for(
        lambda: any("someone else must decide" in a for a in private_answers(stack, "U_SECURITY")),
        what="the four-eyes answer",
    )
    assert stored(stack, request_id).state == "pending"
    decide(stack, message, "U_SECURITY2")
    done = wait_state(stack, request_id, "done")
    assert done.decided_by == "U_SECURITY2"
    assert events(stack, request_id)[:3] == [
        "request.created",
        "decision.refused",
        "decision.refused",
    ]
    assert retention(stack, "outsider") == 7


def test_an_expired_request_cannot_be_approved(stack: Stack, parent: Parent) -> None:
    message = request_fix(stack, parent, "expires", "CW-401")
    request_id = request_id_of(message)
    past = datetime.now(UTC) - timedelta(minutes=1)
    ApprovalStore(connect(stack.redis.url)).update_fields(request_id, expires_at=past)
    decide(stack, message, "U_SECURITY")
    wait_for(
        lambda: any("expired" in a for a in private_answers(stack, "U_SECURITY")),
        what="the expiry answer",
    )
    assert wait_state(stack, request_id, "expired").outcome == "expired"
    redrawn(stack, parent, "expires", "*Expired*")
    assert "request.expired" in events(stack, request_id) and "job.started" not in events(
        stack, request_id
    )
    assert retention(stack, "expires") == 0


@pytest.fixture
def click_burst(stack: Stack) -> Iterator[None]:
    yield
    forget_refused_clicks(stack)


def test_twenty_simultaneous_approvals_start_one_job_and_one_aws_call(
    stack: Stack, parent: Parent, click_burst: None
) -> None:
    message = request_fix(stack, parent, "clicked-20", "CW-401")
    request_id = request_id_of(message)
    client = stack.signed_client()
    approvers = ["U_SECURITY", "U_SECURITY2"] * 10
    answered_before = len(stack.emulator.responses())

    def click(user: str) -> int:
        return client.click(message, "approval_approve", user_id=user, channel_id=CHANNEL).status

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(click, approvers))
    assert statuses == [200] * 20
    wait_state(stack, request_id, "done")
    logged = events(stack, request_id)
    assert logged.count("request.approved") == 1 and logged.count("job.started") == 1
    assert logged.count("aws.call") == 1
    answers = [str(r.payload.get("text", "")) for r in stack.emulator.responses()[answered_before:]]
    assert len(answers) == 20 and sum(a.startswith("Approved.") for a in answers) == 1
    # Every other clicker reads why nothing happened: they lost the race, or (issue 14's
    # refused-click limit, 10 per user per minute) they are asked to slow down.
    assert sum(lost_or_slow_down(a) for a in answers) == 19, answers
    assert retention(stack, "clicked-20") == 7


def test_aws_refusal_is_explained_in_the_thread(stack: Stack, parent: Parent) -> None:
    message = request_fix(stack, parent, "busy", "CW-401")
    inject_fault(stack.aws.url, "elasticache", "InvalidReplicationGroupState", operation="ModifyReplicationGroup",
                 message="Replication group busy is not in available state.")  # fmt: skip
    try:
        decide(stack, message, "U_SECURITY")
        failed = wait_state(stack, request_id_of(message), "failed")
    finally:
        clear_faults(stack.aws.url)  # an unspent fault would refuse the next story's fix
    assert failed.outcome == "AWS refused: InvalidReplicationGroupState"
    said = text_of(thread(stack, parent))
    assert "ModifyReplicationGroup answered InvalidReplicationGroupState" in said
    assert "Wait until it reads `available`, then request the fix again" in said
    assert retention(stack, "busy") == 0


def test_worker_killed_mid_fix_is_retried_to_completion(stack: Stack, parent: Parent) -> None:
    """SIGKILL the process applying the fix while AWS is throttling it; RQ retries, the fix resumes."""
    message = request_fix(stack, parent, "crashy", "CW-401")
    request_id = request_id_of(message)
    inject_fault(
        stack.aws.url, "elasticache", "Throttling", operation="ModifyReplicationGroup", count=None
    )
    try:
        decide(stack, message, "U_SECURITY")
        wait_for(lambda: "aws.call" in events(stack, request_id), what="the first AWS call")
        pid = wait_for(
            lambda: FixStore(connect(stack.redis.url)).executor_pid(request_id), what="the pid"
        )
        os.kill(pid, signal.SIGKILL)
    finally:
        clear_faults(stack.aws.url)
    done = wait_state(stack, request_id, "done", "failed", timeout=60)
    assert done.state == "done", done.outcome
    logged = events(stack, request_id)
    for step in (
        "request.created",
        "request.approved",
        "job.started",
        "aws.call",
        "job.resumed",
        "aws.result",
        "fix.verified",
        "request.done",
    ):
        assert step in logged, (step, logged)
    assert retention(stack, "crashy") == 7
