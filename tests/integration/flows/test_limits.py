"""Hostile inputs from issue 14, each against the flows over a real redis-server.

Each test fails on the code before the limits: 40 scans were all queued, 300 refused clicks
wrote 300 audit entries, and any member could replace the security channel's digest
subscription privately and without an audit entry.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from commands.requests import AuditRequest, SubscribeRequest, UnsubscribeRequest, parse_command
from posture.approvals import Decision, State
from posture.conversations import MessageRef
from tests.integration.flows.conftest import (
    APPROVER,
    CHANNEL,
    OUTSIDER,
    REQUESTER,
    SECURITY,
    World,
    actor,
    fix_request,
)
from workers.approvals.flows import DecisionResult, approval_flow, decide_request
from workers.approvals.refusals import flush_refusals
from workers.audit.flows import request_audit
from workers.digest.flows import answer_subscription
from workers.digest.subscriptions import SubscriptionStore
from workers.platform.config import parse_config
from workers.trail.log import AuditLog

pytestmark = pytest.mark.integration


def _audit_of(group: str) -> AuditRequest:
    request = parse_command("/cache-audit", group)
    assert isinstance(request, AuditRequest)
    return request


def _events(world: World, prefix: str) -> list[dict[str, str]]:
    return [
        e.fields for e in AuditLog(world.connection).all() if e.fields["event"].startswith(prefix)
    ]


def test_forty_scans_of_nonexistent_groups_queue_only_the_user_share(world: World) -> None:
    answers = [
        request_audit(world.ctx(), actor(REQUESTER), _audit_of(f"ghost-{n}"), f"cid-{n}")
        for n in range(40)
    ]
    queued = [a for a in answers if "queued for" in a.text]
    refused = [a for a in answers if "Please try again in" in a.text]
    assert len(queued) == 5 and len(world.jobs()) == 5  # [limits] audits_per_user default
    assert len(refused) == 35
    assert "as many as cachewarden takes from one person" in refused[0].text
    assert "seconds" in refused[0].text  # it says when to retry


def test_a_channel_limit_holds_across_users(world: World) -> None:
    config = parse_config("[limits]\naudits_per_user = 50\naudits_per_channel = 3\n")
    answers = [
        request_audit(world.ctx(config=config), actor(f"U_USER{n}"), _audit_of(f"g-{n}"), "c")
        for n in range(6)
    ]
    assert sum("queued for" in a.text for a in answers) == 3
    assert "This channel has asked for 3 audits" in answers[-1].text
    other = request_audit(
        world.ctx(config=config), actor("U_USER9", "C_OTHER"), _audit_of("x"), "c"
    )
    assert "queued for" in other.text  # another channel has its own budget


def test_the_scan_cap_counts_queued_scans_of_everybody(world: World) -> None:
    config = parse_config("[limits]\nmax_queued_scans = 4\naudits_per_channel = 100\n")
    answers = [
        request_audit(
            world.ctx(config=config), actor(f"U_USER{n}", f"C_ROOM{n}"), _audit_of("g"), "c"
        )
        for n in range(7)
    ]
    assert sum("queued for" in a.text for a in answers) == 4 and len(world.jobs()) == 4
    assert "4 scans are queued or running" in answers[-1].text


def test_the_user_limit_resets_with_its_window(world: World) -> None:
    for n in range(6):
        request_audit(world.ctx(), actor(REQUESTER), _audit_of(f"g-{n}"), "c")
    world.now[0] += timedelta(seconds=61)
    again = request_audit(world.ctx(), actor(REQUESTER), _audit_of("g-new"), "c")
    assert "queued for" in again.text


def _posted_request(world: World) -> MessageRef:
    flow = approval_flow(world.ctx())
    opened = flow.open(fix_request())
    assert opened.posted is not None
    return opened.posted


def test_three_hundred_refused_clicks_leave_two_audit_entries_with_the_count(world: World) -> None:
    message = _posted_request(world)
    outcomes = [
        decide_request(world.ctx(), actor(OUTSIDER), "req00000001", Decision.APPROVE, message)
        for _ in range(300)
    ]
    assert all(o.result is DecisionResult.REFUSED for o in outcomes)
    assert "clicks were refused" in outcomes[-1].text  # the user is asked to wait
    during = _events(world, "decision.refused")
    assert len(during) == 2  # the first refusal, and the first "too many refused clicks"
    assert {e["reason"] for e in during} >= {"too many refused clicks"}
    world.now[0] += timedelta(minutes=11)  # past the collapse window
    assert flush_refusals(world.connection, world.now[0]) == 2
    entries = _events(world, "decision.refused")
    assert len(entries) == 4
    assert sum(int(e.get("repeated", "1")) for e in entries) == 300
    assert approval_flow(world.ctx()).store.get("req00000001").state is State.PENDING  # type: ignore[union-attr]


def test_an_approver_is_not_slowed_by_someone_elses_refusals(world: World) -> None:
    message = _posted_request(world)
    for _ in range(30):
        decide_request(world.ctx(), actor(OUTSIDER), "req00000001", Decision.APPROVE, message)
    won = decide_request(world.ctx(), actor(APPROVER), "req00000001", Decision.APPROVE, message)
    assert won.result is DecisionResult.APPROVED


def _subscribe(at: str) -> SubscribeRequest:
    request = parse_command("/cache-audit", f"subscribe daily {at}")
    assert isinstance(request, SubscribeRequest)
    return request


def test_a_non_approver_cannot_change_the_security_channel_subscription(world: World) -> None:
    set_up = answer_subscription(world.ctx(), actor(APPROVER, SECURITY), _subscribe("09:00"))
    assert set_up.text.startswith("Subscribed")
    announced = [w for kind, w, w_what in world.notifier.posted if kind == "notice"]
    assert announced and announced[0].channel == SECURITY and not announced[0].thread
    notice, only_for = next(w for k, _, w in world.notifier.posted if k == "notice")
    assert only_for is None and APPROVER in notice.text  # public, and says who
    for request in (_subscribe("03:00"), UnsubscribeRequest()):
        refused = answer_subscription(world.ctx(), actor(OUTSIDER, SECURITY), request)
        assert "Only approvers" in refused.text
    kept = SubscriptionStore(world.connection).get(SECURITY)
    assert kept is not None and kept.at == "09:00" and kept.created_by == APPROVER
    assert [e["event"] for e in _events(world, "subscription")] == [
        "subscription.created",
        "subscription.refused",
        "subscription.refused",
    ]


def test_only_the_subscriber_or_an_approver_changes_a_channel_subscription(world: World) -> None:
    answer_subscription(world.ctx(), actor(REQUESTER, CHANNEL), _subscribe("09:00"))
    refused = answer_subscription(world.ctx(), actor(OUTSIDER, CHANNEL), UnsubscribeRequest())
    assert f"set it up ({REQUESTER})" in refused.text
    assert SubscriptionStore(world.connection).get(CHANNEL) is not None
    replaced = answer_subscription(world.ctx(), actor(REQUESTER, CHANNEL), _subscribe("10:00"))
    assert "replaces the previous subscription" in replaced.text
    removed = answer_subscription(world.ctx(), actor(APPROVER, CHANNEL), UnsubscribeRequest())
    assert removed.text.startswith("Unsubscribed")
    events = [(e["event"], e["actor"]) for e in _events(world, "subscription")]
    assert events == [
        ("subscription.created", REQUESTER),
        ("subscription.refused", OUTSIDER),
        ("subscription.replaced", REQUESTER),
        ("subscription.removed", APPROVER),
    ]
    public = [what[0].text for kind, _, what in world.notifier.posted if kind == "notice"]
    assert len(public) == 3 and "removed this channel's daily digest" in public[-1]
