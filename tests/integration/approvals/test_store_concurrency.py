"""The store's compare-and-set in a real redis-server: one decision wins, however many click."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from posture.approvals import (
    ApprovalRequest,
    Approvers,
    Decision,
    RequestKind,
    State,
    Transition,
    decide,
)
from posture.conversations import ConversationRef, MessageRef
from sandbox.redis_server import RedisServer
from workers.approvals.store import ApprovalStore
from workers.platform.redis_connection import connect
from workers.trail.log import AuditLog

pytestmark = pytest.mark.integration
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def connection():  # type: ignore[no-untyped-def]
    with RedisServer() as server:
        yield connect(server.url)


def _new(store: ApprovalStore, request_id: str) -> ApprovalRequest:
    request = ApprovalRequest(
        request_id=request_id,
        kind=RequestKind.FIX,
        requester="U_ENG",
        created_at=NOW,
        expires_at=NOW + timedelta(hours=24),
        account="123456789012",
        region="us-east-1",
        resource_kind="replication_group",
        resource_id="orders-prod",
        change="backups on",
        api_call="ModifyReplicationGroup",
    )
    store.create(request)
    return request


def test_twenty_concurrent_approvals_one_wins(connection) -> None:  # type: ignore[no-untyped-def]
    store = ApprovalStore(connection)
    request = _new(store, "concurrent01")
    approvers = Approvers(users=frozenset(f"U_SEC{i}" for i in range(20)))

    def click(i: int) -> bool:
        transition = decide(request, f"U_SEC{i}", Decision.APPROVE, datetime.now(UTC), approvers)
        assert isinstance(transition, Transition)
        won, _ = store.apply(request.request_id, transition)
        return won

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(click, range(20)))
    assert results.count(True) == 1
    stored = store.get(request.request_id)
    assert stored is not None and stored.state is State.APPROVED and stored.decided_by
    assert request.request_id not in store.pending_ids()


def test_losing_transition_returns_current_state(connection) -> None:  # type: ignore[no-untyped-def]
    store = ApprovalStore(connection)
    request = _new(store, "loser0001")
    deny = Transition(expected=State.PENDING, to=State.DENIED, decided_by="U_A", decided_at=NOW)
    assert store.apply(request.request_id, deny)[0]
    approve = Transition(
        expected=State.PENDING, to=State.APPROVED, decided_by="U_B", decided_at=NOW
    )
    won, current = store.apply(request.request_id, approve)
    assert not won and current is not None and current.state is State.DENIED
    assert current.decided_by == "U_A"


def test_update_fields_never_changes_state(connection) -> None:  # type: ignore[no-untyped-def]
    store = ApprovalStore(connection)
    request = _new(store, "fields001")
    posted = MessageRef(conversation=ConversationRef(channel="C1"), message_id="1.2")
    updated = store.update_fields(request.request_id, posted=posted, outcome="posted")
    assert updated is not None and updated.posted == posted and updated.state is State.PENDING
    with pytest.raises(ValueError):
        store.update_fields(request.request_id, state="approved")


def test_audit_log_is_append_only_and_redacts(connection) -> None:  # type: ignore[no-untyped-def]
    log = AuditLog(connection)
    first = log.append("request.created", actor="U_ENG", request_id="r1", target="orders-prod")
    log.append(
        "aws.call",
        operation="ModifyReplicationGroup",
        target="orders-prod",
        note="auth_token=abcdefgh123",
    )
    entries = list(log.all())
    assert entries[0].entry_id == first
    assert "abcdefgh123" not in entries[-1].as_json()
    assert log.latest(1)[0].fields["operation"] == "ModifyReplicationGroup"
    assert connection.ttl("cw:audit-log") == -1
