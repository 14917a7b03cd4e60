"""approve/deny, request fix and accept risk, called as any front end would (no Slack)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from posture.approvals import ApprovalRequest, Decision, State
from posture.base import ResourceKind, Severity
from posture.conversations import ConversationRef, MessageRef, Platform
from posture.findings import Finding, Status
from tests.integration.flows.conftest import (
    APPROVER,
    APPROVER2,
    CHANNEL,
    NOW,
    OUTSIDER,
    REQUESTER,
    SECURITY,
    THREAD,
    WORKSPACE,
    World,
    actor,
    fix_request,
    origin,
)
from workers.approvals.flows import (
    AcceptRiskInput,
    DecisionResult,
    approval_flow,
    decide_request,
    request_accept_risk,
    request_fix,
)
from workers.approvals.store import ApprovalStore
from workers.audit.store import AuditStore
from workers.platform.config import parse_config
from workers.trail.log import AuditLog

pytestmark = pytest.mark.integration


def _opened(world: World, request_id: str = "req00000001") -> ApprovalRequest:
    opened = approval_flow(world.ctx()).open(fix_request(request_id))
    assert opened.posted is not None and opened.mirror is not None
    return opened


def _state(world: World, request_id: str = "req00000001") -> State:
    found = ApprovalStore(world.connection).get(request_id)
    assert found is not None
    return found.state


def test_opening_posts_in_the_thread_and_mirrors_to_the_security_channel(world: World) -> None:
    opened = _opened(world)
    assert opened.posted is not None and opened.mirror is not None
    assert opened.posted.conversation == origin()
    assert opened.mirror.conversation == ConversationRef(workspace=WORKSPACE, channel=SECURITY)
    assert [(kind, where.channel) for kind, where, _ in world.notifier.posted] == [
        ("approval", CHANNEL),
        ("approval", SECURITY),
    ]


def test_an_approver_approves_on_the_request_message_and_one_job_starts(world: World) -> None:
    opened = _opened(world)
    assert opened.posted is not None
    outcome = decide_request(
        world.ctx(), actor(APPROVER), opened.request_id, Decision.APPROVE, opened.posted
    )
    assert outcome.result is DecisionResult.APPROVED and _state(world) is State.APPROVED
    assert [job.id for job in world.jobs()] == [f"approved-{opened.request_id}"]
    again = decide_request(
        world.ctx(), actor(APPROVER2), opened.request_id, Decision.APPROVE, opened.posted
    )
    assert again.result is DecisionResult.REFUSED and "already approved" in again.text
    assert len(world.jobs()) == 1


def test_the_security_channel_copy_counts(world: World) -> None:
    opened = _opened(world)
    assert opened.mirror is not None
    outcome = decide_request(
        world.ctx(), actor(APPROVER, SECURITY), opened.request_id, Decision.DENY, opened.mirror
    )
    assert outcome.result is DecisionResult.DENIED and _state(world) is State.DENIED


def test_the_requester_never_decides_their_own_request(world: World) -> None:
    opened = _opened(world)
    assert opened.posted is not None
    config = parse_config(f'[bot]\napprover_users = ["{REQUESTER}"]\n')  # even as an approver
    outcome = decide_request(
        world.ctx(config=config),
        actor(REQUESTER),
        opened.request_id,
        Decision.APPROVE,
        opened.posted,
    )
    assert outcome.result is DecisionResult.REFUSED and "four-eyes" in outcome.text
    assert _state(world) is State.PENDING and world.jobs() == []


def test_someone_not_an_approver_is_refused_and_it_is_logged(world: World) -> None:
    opened = _opened(world)
    assert opened.posted is not None
    outcome = decide_request(
        world.ctx(), actor(OUTSIDER), opened.request_id, Decision.APPROVE, opened.posted
    )
    assert "Only configured approvers" in outcome.text and _state(world) is State.PENDING
    refused = [
        e for e in AuditLog(world.connection).all() if e.fields["event"] == "decision.refused"
    ]
    assert [e.fields["actor"] for e in refused] == [OUTSIDER]


def test_a_click_on_another_message_is_refused(world: World) -> None:
    opened = _opened(world)
    assert opened.posted is not None
    elsewhere = opened.posted.model_copy(update={"message_id": "1700000009.000001"})
    outcome = decide_request(
        world.ctx(), actor(APPROVER), opened.request_id, Decision.APPROVE, elsewhere
    )
    assert "not on this request's message" in outcome.text and _state(world) is State.PENDING
    other_channel = MessageRef(
        conversation=ConversationRef(workspace=WORKSPACE, channel="C_RANDOM"),
        message_id=opened.posted.message_id,
    )
    outcome = decide_request(
        world.ctx(), actor(APPROVER, "C_RANDOM"), opened.request_id, Decision.APPROVE, other_channel
    )
    assert outcome.result is DecisionResult.REFUSED and _state(world) is State.PENDING


def test_a_click_from_another_workspace_is_refused(world: World) -> None:
    opened = _opened(world)
    assert opened.posted is not None
    foreign = actor(APPROVER, workspace="T_OTHER")
    outcome = decide_request(
        world.ctx(), foreign, opened.request_id, Decision.APPROVE, opened.posted
    )
    assert "another workspace" in outcome.text and _state(world) is State.PENDING
    # The request remembers its workspace even when the front end does not know its own.
    outcome = decide_request(
        world.ctx(workspace=""), foreign, opened.request_id, Decision.APPROVE, opened.posted
    )
    assert "another workspace" in outcome.text and _state(world) is State.PENDING


def test_clicks_obey_allowed_channels_but_the_security_copy_stays_usable(world: World) -> None:
    opened = _opened(world)
    assert opened.posted is not None and opened.mirror is not None
    narrow = parse_config(
        f'[bot]\nallowed_channels = ["C_OTHER"]\napprover_users = ["{APPROVER}"]\n'
        f'security_channel = "{SECURITY}"\n'
    )
    outcome = decide_request(
        world.ctx(config=narrow),
        actor(APPROVER),
        opened.request_id,
        Decision.APPROVE,
        opened.posted,
    )
    assert "not enabled in this channel" in outcome.text and _state(world) is State.PENDING
    outcome = decide_request(
        world.ctx(config=narrow),
        actor(APPROVER, SECURITY),
        opened.request_id,
        Decision.APPROVE,
        opened.mirror,
    )
    assert outcome.result is DecisionResult.APPROVED


def test_an_expired_request_is_refused_and_recorded_as_expired(world: World) -> None:
    opened = _opened(world)
    assert opened.posted is not None
    world.later(25)
    outcome = decide_request(
        world.ctx(), actor(APPROVER), opened.request_id, Decision.APPROVE, opened.posted
    )
    assert "expired" in outcome.text and _state(world) is State.EXPIRED
    assert world.notifier.updated  # both copies are redrawn as expired


def test_a_request_stored_in_the_old_slack_format_still_loads_and_decides(world: World) -> None:
    old = json.loads(fix_request("legacy0001").model_dump_json())
    del old["origin"], old["posted"], old["mirror"]
    old.update(
        channel=CHANNEL,
        thread_ts=THREAD,
        message_ts="1.5",
        mirror_channel=SECURITY,
        mirror_ts="2.5",
    )
    world.connection.set("cw:approval:legacy0001", json.dumps(old))
    loaded = ApprovalStore(world.connection).get("legacy0001")
    assert loaded is not None and loaded.origin == ConversationRef(channel=CHANNEL, thread=THREAD)
    assert loaded.posted == MessageRef(
        conversation=ConversationRef(channel=CHANNEL), message_id="1.5"
    )
    assert loaded.mirror is not None and loaded.mirror.message_id == "2.5"
    outcome = decide_request(
        world.ctx(), actor(APPROVER), "legacy0001", Decision.APPROVE, loaded.posted
    )
    assert outcome.result is DecisionResult.APPROVED


def _finding(world: World) -> None:
    finding = Finding(
        rule_id="CW-401", title="Backups", aliases={}, severity=Severity.HIGH, status=Status.FAIL,
        resource_kind=ResourceKind.REPLICATION_GROUP, resource_id="orders", resource_arn="",
        account="123456789012", region="eu-west-1", engine="redis 7.1", evidence="backups off",
    )  # fmt: skip
    AuditStore(world.connection).save_finding_refs({"f0000001": finding})


def test_request_fix_hands_the_finding_and_its_place_to_the_job(world: World) -> None:
    _finding(world)
    where = origin()
    first = request_fix(world.ctx(), actor(REQUESTER), "f0000001", where)
    assert "Preparing a fix for CW-401 on orders" in first.text
    (job,) = world.jobs()
    assert job.func_name == "workers.fixes.request_jobs.prepare_fix"
    assert job.args == ["f0000001", REQUESTER, CHANNEL, THREAD, str(Platform.SLACK), WORKSPACE]
    second = request_fix(world.ctx(), actor(REQUESTER), "f0000001", where)
    assert "already being prepared" in second.text and len(world.jobs()) == 1
    gone = request_fix(world.ctx(), actor(REQUESTER), "f0000099", where)
    assert "expired" in gone.text


def test_accept_risk_opens_one_request_in_the_finding_thread(world: World) -> None:
    _finding(world)
    form = AcceptRiskInput(
        "f0000001", origin(), "Cache only, rebuilt nightly", NOW + timedelta(days=30)
    )
    assert request_accept_risk(world.ctx(), actor(REQUESTER), form) is None
    (pending,) = ApprovalStore(world.connection).pending()
    assert pending.origin == origin() and pending.requester == REQUESTER
    again = request_accept_risk(world.ctx(), actor(REQUESTER), form)
    assert again is not None and "already open" in again.text
    expired = AcceptRiskInput("f0000099", origin(), "x" * 20, NOW + timedelta(days=3))
    answer = request_accept_risk(world.ctx(), actor(REQUESTER), expired)
    assert answer is not None and "expired" in answer.text
