"""Issue 13 item 5 and 2 at the flow level (real redis-server, no chat platform): a decision
from App Home keeps every rule, Deny keeps its reason, and a finished rotation redraws."""

from __future__ import annotations

from datetime import timedelta

import pytest

from posture.approvals import Decision, RequestKind, State
from posture.base import ResourceKind, Severity
from posture.findings import Finding, Status
from posture.report import finding_id
from posture.rotation import Phase, Rotation, RotationMode, SecretRef
from tests.integration.flows.conftest import (
    APPROVER,
    APPROVER2,
    NOW,
    OUTSIDER,
    REQUESTER,
    World,
    actor,
    fix_request,
    origin,
)
from workers.approvals.flows import DecisionResult, approval_flow, decide_request, decision_refusal
from workers.approvals.store import ApprovalStore
from workers.audit.cards_store import AuditCardStore
from workers.audit.history_store import HistoryStore, ScanMeta
from workers.platform.config import parse_config
from workers.rotation.redraw import rotated_finding_ids, settle_step_cards, step_one_outcome
from workers.trail.log import AuditLog

pytestmark = pytest.mark.integration
HOME = None  # a decision from the decider's App Home: no message was clicked


def _open(world: World, **changes: object) -> str:
    return approval_flow(world.ctx()).open(fix_request(**changes)).request_id


def test_from_home_the_requester_is_refused_even_as_an_approver(world: World) -> None:
    config = parse_config(f'[bot]\napprover_users = ["{REQUESTER}", "{APPROVER}"]\n')
    request_id = _open(world)
    mine = decide_request(world.ctx(config=config), actor(REQUESTER, ""), request_id, Decision.APPROVE, HOME)  # fmt: skip
    assert mine.result is DecisionResult.REFUSED and "someone else must decide" in mine.text
    outsider = decide_request(world.ctx(), actor(OUTSIDER, ""), request_id, Decision.APPROVE, HOME)
    assert outsider.result is DecisionResult.REFUSED
    elsewhere = decide_request(world.ctx(), actor(APPROVER, "", workspace="T_OTHER"), request_id, Decision.APPROVE, HOME)  # fmt: skip
    assert elsewhere.result is DecisionResult.REFUSED
    assert ApprovalStore(world.connection).get(request_id).state is State.PENDING  # type: ignore[union-attr]
    won = decide_request(world.ctx(), actor(APPROVER, ""), request_id, Decision.APPROVE, HOME)
    assert won.result is DecisionResult.APPROVED
    assert [job.id for job in world.jobs()] == [f"approved-{request_id}"]


def test_a_denial_keeps_its_reason_on_the_request_and_in_the_log(world: World) -> None:
    request_id = _open(world)
    _, refused = decision_refusal(world.ctx(), actor(REQUESTER), request_id, Decision.DENY, HOME)
    assert refused and "someone else must decide" in refused
    assert decision_refusal(world.ctx(), actor(APPROVER), request_id, Decision.DENY, HOME)[1] is None  # fmt: skip
    outcome = decide_request(world.ctx(), actor(APPROVER2), request_id, Decision.DENY, HOME, reason="  wait for Monday  ")  # fmt: skip
    assert outcome.result is DecisionResult.DENIED
    stored = ApprovalStore(world.connection).get(request_id)
    assert stored is not None and stored.decision_reason == "wait for Monday"
    denied = [e.fields for e in AuditLog(world.connection).all() if e.fields["event"] == "request.denied"]  # fmt: skip
    assert [d.get("reason") for d in denied] == ["wait for Monday"]
    redrawn = [r for _, r in world.notifier.updated if r.state is State.DENIED]
    assert redrawn and redrawn[-1].decision_reason == "wait for Monday"  # both copies redrawn


def _rotation(phase: Phase) -> Rotation:
    return Rotation(
        rotation_id="rot0000000000001",
        mode=RotationMode.AUTH_TOKEN,
        account="123456789012",
        region="eu-west-1",
        group_id="orders",
        engine="valkey",
        requester=REQUESTER,
        conversation=origin(),
        secrets=(SecretRef(name="auth/orders", pending_version_id="a" * 32, previous_known=True),),
        phase=phase,
        created_at=NOW,
        updated_at=NOW,
    )


def _token_finding() -> Finding:
    return Finding(
        rule_id="CW-204",
        title="AUTH token age",
        aliases={},
        severity=Severity.MEDIUM,
        status=Status.FAIL,
        resource_kind=ResourceKind.REPLICATION_GROUP,
        resource_id="orders",
        resource_arn="arn:aws:elasticache:eu-west-1:123456789012:replicationgroup:orders",
        account="123456789012",
        region="eu-west-1",
        engine="valkey",
        evidence="token 400 days old",
    )


def test_a_finished_rotation_finds_the_posted_token_age_line(world: World) -> None:
    finding = _token_finding()
    meta = ScanMeta(scope_key="all", scope_text="everything", run_id="run1")
    HistoryStore(world.connection, retention_days=90).record_scan([finding], meta, NOW)
    posted = finding_id("run1", finding)
    AuditCardStore(world.connection).save_posted("run1", [], [posted], 1.0)
    assert rotated_finding_ids(world.connection, _rotation(Phase.DONE), 90) == [posted]
    # Only a rotation that ended with the new token in place resolves the finding.
    for phase in (Phase.CANCELLED, Phase.FAILED, Phase.BOTH_VALID):
        assert rotated_finding_ids(world.connection, _rotation(phase), 90) == []
    other = _rotation(Phase.DONE).model_copy(update={"group_id": "billing"})
    assert rotated_finding_ids(world.connection, other, 90) == []


def test_step_one_stops_asking_for_finalize_once_the_rotation_ended(world: World) -> None:
    flow = approval_flow(world.ctx())
    step_one = fix_request("rot0000000000001", kind=RequestKind.ROTATE, state=State.DONE,
                           outcome="Both tokens work now. Move every client, then press Finalize.")  # fmt: skip
    flow.store.create(step_one)
    flow.store.update_fields(step_one.request_id, posted=world.notifier._post("approval", origin(), step_one))  # fmt: skip
    settle_step_cards(flow, _rotation(Phase.BOTH_VALID))  # not over yet: untouched
    assert "press Finalize" in flow.store.get(step_one.request_id).outcome  # type: ignore[union-attr]
    done = _rotation(Phase.DONE)
    settle_step_cards(flow, done)
    settled = flow.store.get(step_one.request_id)
    assert settled is not None and settled.outcome == step_one_outcome(done)
    assert "press Finalize" not in settled.outcome and "only the new token works" in settled.outcome
    assert world.notifier.updated[-1][1].outcome == settled.outcome  # the card was redrawn
    count = len(world.notifier.updated)
    settle_step_cards(flow, done)  # twice is harmless
    assert len(world.notifier.updated) == count


def test_expiry_is_still_checked_from_home(world: World) -> None:
    request_id = _open(world)
    world.later(25)
    late = decide_request(world.ctx(), actor(APPROVER, ""), request_id, Decision.APPROVE, HOME)
    assert late.result is DecisionResult.REFUSED and "expired" in late.text
    assert NOW + timedelta(hours=25) == world.now[0]
