"""Every transition of the approval state machine, as a table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from posture.approvals import (
    ApprovalRequest,
    Approvers,
    Decision,
    Refusal,
    RequestKind,
    State,
    Transition,
    cancel,
    decide,
    expiry_sweep,
    finish,
    start,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
APPROVERS = Approvers(users=frozenset({"U_SEC"}), group_members=frozenset({"U_SEC2", "U_ENG"}))


def request(state: State = State.PENDING, **changes: object) -> ApprovalRequest:
    base = ApprovalRequest(
        request_id="req12345",
        kind=RequestKind.FIX,
        state=state,
        requester="U_ENG",
        created_at=NOW - timedelta(hours=1),
        expires_at=NOW + timedelta(hours=23),
        account="123456789012",
        region="eu-west-1",
        resource_kind="replication_group",
        resource_id="orders-prod",
        change="turn on automatic backups",
        api_call="elasticache.ModifyReplicationGroup(SnapshotRetentionLimit=7)",
    )
    return base.model_copy(update=changes)


@pytest.mark.parametrize(
    ("actor", "decision", "expected"),
    [
        ("U_SEC", Decision.APPROVE, State.APPROVED),
        ("U_SEC", Decision.DENY, State.DENIED),
        ("U_SEC2", Decision.APPROVE, State.APPROVED),  # approver through a user group
    ],
)
def test_approver_decides_pending_request(actor: str, decision: Decision, expected: State) -> None:
    result = decide(request(), actor, decision, NOW, APPROVERS)
    assert isinstance(result, Transition)
    assert (result.expected, result.to, result.decided_by) == (State.PENDING, expected, actor)


def test_requester_cannot_approve_own_request_even_as_approver() -> None:
    result = decide(request(), "U_ENG", Decision.APPROVE, NOW, APPROVERS)
    assert isinstance(result, Refusal) and "someone else" in result.message


def test_outsider_is_refused() -> None:
    result = decide(request(), "U_OUT", Decision.APPROVE, NOW, APPROVERS)
    assert isinstance(result, Refusal) and "Only configured approvers" in result.message


def test_expired_request_is_refused_and_marked_expired() -> None:
    result = decide(request(), "U_SEC", Decision.APPROVE, NOW + timedelta(days=2), APPROVERS)
    assert isinstance(result, Refusal) and "expired" in result.message
    assert result.expire is not None and result.expire.to is State.EXPIRED


def test_expiry_is_exact_at_the_deadline() -> None:
    deadline = request().expires_at
    assert isinstance(decide(request(), "U_SEC", Decision.APPROVE, deadline, APPROVERS), Refusal)
    just_before = deadline - timedelta(seconds=1)
    assert isinstance(
        decide(request(), "U_SEC", Decision.APPROVE, just_before, APPROVERS), Transition
    )


@pytest.mark.parametrize(
    "state",
    [
        State.APPROVED,
        State.RUNNING,
        State.DONE,
        State.FAILED,
        State.DENIED,
        State.EXPIRED,
        State.CANCELLED,
    ],
)
def test_second_decision_is_refused(state: State) -> None:
    decided = request(state, decided_by="U_SEC", decided_at=NOW)
    result = decide(decided, "U_SEC2", Decision.APPROVE, NOW, APPROVERS)
    assert isinstance(result, Refusal) and f"already {state}" in result.message


def test_expiry_sweep_only_touches_overdue_pending() -> None:
    assert expiry_sweep(request(), NOW) is None
    swept = expiry_sweep(request(), NOW + timedelta(days=1))
    assert swept is not None and swept.to is State.EXPIRED
    assert expiry_sweep(request(State.APPROVED), NOW + timedelta(days=1)) is None


def test_job_starts_only_approved_and_finishes_only_running() -> None:
    assert isinstance(start(request()), Refusal)
    started = start(request(State.APPROVED))
    assert isinstance(started, Transition) and started.to is State.RUNNING
    assert isinstance(finish(request(State.APPROVED), ok=True, outcome="x"), Refusal)
    done = finish(request(State.RUNNING), ok=True, outcome="verified")
    failed = finish(request(State.RUNNING), ok=False, outcome="AWS refused")
    assert isinstance(done, Transition) and done.to is State.DONE
    assert isinstance(failed, Transition) and failed.to is State.FAILED


def test_cancel_by_requester_or_approver_before_start() -> None:
    by_requester = cancel(request(), "U_ENG", APPROVERS, NOW)
    assert isinstance(by_requester, Transition) and by_requester.to is State.CANCELLED
    assert isinstance(cancel(request(State.APPROVED), "U_SEC", APPROVERS, NOW), Transition)
    assert isinstance(cancel(request(), "U_OUT", APPROVERS, NOW), Refusal)
    assert isinstance(cancel(request(State.RUNNING), "U_SEC", APPROVERS, NOW), Refusal)
