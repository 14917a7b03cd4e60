"""Audit request, audit-log view, subscriptions and the home page, called with no chat platform."""

from __future__ import annotations

import pytest

from commands.requests import (
    AuditLogRequest,
    AuditRequest,
    SubscribeRequest,
    SubscriptionsRequest,
    UnsubscribeRequest,
    parse_command,
)
from posture.messages import Notice
from tests.integration.flows.conftest import (
    APPROVER,
    REQUESTER,
    World,
    actor,
    fix_request,
)
from workers.approvals.flows import approval_flow
from workers.audit.flows import request_audit
from workers.digest.flows import answer_subscription
from workers.home.flows import home_page
from workers.platform.config import parse_config
from workers.trail.flows import AuditLogView, view_audit_log
from workers.trail.log import AuditLog

pytestmark = pytest.mark.integration


def _audit() -> AuditRequest:
    request = parse_command("/cache-audit", "")
    assert isinstance(request, AuditRequest)
    return request


def test_an_audit_is_queued_once_per_channel_and_scope(world: World) -> None:
    first = request_audit(world.ctx(), actor(REQUESTER), _audit(), "cid-1")
    assert "queued for" in first.text and first.detail == "correlation id cid-1"
    assert "No worker is running" in first.text  # none in this test
    second = request_audit(world.ctx(), actor(REQUESTER), _audit(), "cid-2")
    assert "already queued or running" in second.text
    assert len(world.jobs()) == 1


def test_an_audit_outside_the_allowed_channels_is_refused(world: World) -> None:
    narrow = parse_config('[bot]\nallowed_channels = ["C_OTHER"]\n')
    answer = request_audit(world.ctx(config=narrow), actor(REQUESTER), _audit(), "cid-1")
    assert "not enabled in this channel" in answer.text and world.jobs() == []


def test_the_audit_log_is_shown_to_approvers_only(world: World) -> None:
    AuditLog(world.connection).append("request.created", actor=REQUESTER, request_id="r1")
    refused = view_audit_log(world.ctx(), actor(REQUESTER), AuditLogRequest(limit=5))
    assert isinstance(refused, Notice) and "approvers only" in refused.text
    shown = view_audit_log(world.ctx(), actor(APPROVER), AuditLogRequest(limit=5))
    assert isinstance(shown, AuditLogView) and shown.limit == 5
    assert [e.fields["event"] for e in shown.entries] == ["request.created"]


def test_subscribe_list_and_unsubscribe_in_the_actor_channel(world: World) -> None:
    subscribe = parse_command("/cache-audit", "subscribe daily 09:00 tz=Europe/Berlin")
    assert isinstance(subscribe, SubscribeRequest)
    said = answer_subscription(world.ctx(), actor(REQUESTER), subscribe)
    assert said.text.startswith("Subscribed") and "09:00 Europe/Berlin" in said.text
    listed = answer_subscription(world.ctx(), actor(REQUESTER), SubscriptionsRequest())
    assert "This channel gets a digest" in listed.text
    elsewhere = answer_subscription(
        world.ctx(), actor(REQUESTER, "C_OTHER"), SubscriptionsRequest()
    )
    assert "no digest subscription" in elsewhere.text and "1 other channel has" in elsewhere.text
    gone = answer_subscription(world.ctx(), actor(REQUESTER), UnsubscribeRequest())
    assert gone.text.startswith("Unsubscribed")
    narrow = parse_config('[bot]\nallowed_channels = ["C_OTHER"]\n')
    refused = answer_subscription(world.ctx(config=narrow), actor(REQUESTER), subscribe)
    assert "not enabled" in refused.text


def test_the_home_page_shows_approvers_what_waits_for_them(world: World) -> None:
    approval_flow(world.ctx()).open(fix_request())
    mine = home_page(world.ctx(), actor(REQUESTER, channel=""))
    assert mine is not None and not mine.is_approver
    assert [p.request_id for p in mine.my_requests.items] == ["req00000001"]
    theirs = home_page(world.ctx(), actor(APPROVER, channel=""))
    assert theirs is not None and theirs.is_approver
    assert [p.request_id for p in theirs.pending_approvals.items] == ["req00000001"]
    assert home_page(world.ctx(), actor(APPROVER, workspace="T_OTHER")) is None


def test_commands_from_another_workspace_do_nothing(world: World) -> None:
    foreign = actor(REQUESTER, workspace="T_OTHER")
    assert "another workspace" in request_audit(world.ctx(), foreign, _audit(), "cid-1").text
    refused = view_audit_log(world.ctx(), actor(APPROVER, workspace="T_OTHER"), AuditLogRequest())
    assert isinstance(refused, Notice) and "another workspace" in refused.text
    assert world.jobs() == []
