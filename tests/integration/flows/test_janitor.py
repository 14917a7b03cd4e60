"""The janitor over a real redis-server and real RQ job records: nothing approved stays stuck,
and a rotation is resumed or marked for attention, never dropped."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq.job import Job, JobStatus
from rq.registry import ScheduledJobRegistry
from rq.serializers import JSONSerializer

from posture.approvals import Decision, RequestKind, State
from posture.rotation import Phase, Rotation, RotationMode, SecretRef
from tests.integration.flows.conftest import (
    APPROVER,
    NOW,
    REQUESTER,
    World,
    actor,
    fix_request,
    origin,
)
from workers.approvals.flows import approval_flow, decide_request
from workers.fixes.store import FixStore
from workers.fixes.store import Phase as FixPhase
from workers.platform.enqueue import ACTIONS_QUEUE
from workers.platform.enqueue import queue as rq_queue
from workers.platform.janitor import MAX_RESUMES, Janitor
from workers.platform.runtime import JobEnvironment
from workers.rotation.store import RotationStore
from workers.trail.log import AuditLog

pytestmark = pytest.mark.integration
REQUEST = "req00000001"


def _env(world: World) -> JobEnvironment:
    return JobEnvironment(
        connection=world.connection,
        notifier=world.notifier,  # type: ignore[arg-type]
        config=world.config,
        clock=lambda: world.now[0],
    )


def _approved(world: World) -> Job:
    opened = approval_flow(world.ctx()).open(fix_request(REQUEST))
    assert opened.posted is not None
    won = decide_request(world.ctx(), actor(APPROVER), REQUEST, Decision.APPROVE, opened.posted)
    assert won.state is State.APPROVED
    return Job.fetch(f"approved-{REQUEST}", connection=world.connection, serializer=JSONSerializer)


def _state(world: World) -> State:
    request = approval_flow(world.ctx()).store.get(REQUEST)
    assert request is not None
    return request.state


def test_a_fix_whose_job_vanished_fails_with_a_message_and_an_audit_entry(world: World) -> None:
    _approved(world).delete()
    assert Janitor(_env(world)).sweep().failed == []  # a fresh approval is left alone (grace)
    report = Janitor(_env(world), grace_seconds=0).sweep()
    assert report.failed == [REQUEST] and _state(world) is State.FAILED
    redrawn = [request for _, request in world.notifier.updated]
    assert (
        redrawn[-1].state is State.FAILED
        and "none of its jobs is queued or running" in redrawn[-1].outcome
    )
    assert "AWS was not changed" in redrawn[-1].outcome  # the fix never started applying
    said = [what[0].text for kind, where, what in world.notifier.posted if kind == "notice"]
    assert said and said[-1].startswith("Request failed.")
    janitor = [e.fields for e in AuditLog(world.connection).all()]
    assert janitor[-1]["event"] == "request.failed"
    assert janitor[-1]["actor"] == "cachewarden-janitor"
    assert Janitor(_env(world), grace_seconds=0).sweep().failed == []  # once only


def test_a_fix_killed_mid_call_after_its_retries_says_aws_may_have_changed(world: World) -> None:
    job = _approved(world)
    FixStore(world.connection).mark(REQUEST, FixPhase.APPLYING)
    rq_queue(world.connection, ACTIONS_QUEUE).remove(
        job
    )  # what RQ leaves when work horses die past
    job.set_status(JobStatus.FAILED)  # the retries: a failed job, in no queue
    Janitor(_env(world), grace_seconds=0).sweep()
    request = approval_flow(world.ctx()).store.get(REQUEST)
    assert request is not None and request.state is State.FAILED
    assert "ended as failed" in request.outcome and "may or may not" in request.outcome


def test_a_queued_fix_or_one_waiting_for_aws_is_left_alone(world: World) -> None:
    job = _approved(world)
    assert Janitor(_env(world), grace_seconds=0).sweep().failed == []
    job.delete()  # run_fix finished; a check job now waits for AWS to read `available`
    rq_queue(world.connection, ACTIONS_QUEUE).enqueue_in(
        timedelta(minutes=5), "workers.fixes.jobs.check_fix", REQUEST, 3,
        job_id=f"check-{REQUEST}-3",
    )  # fmt: skip
    assert Janitor(_env(world), grace_seconds=0).sweep().failed == []
    assert _state(world) is State.APPROVED


def _stalled_rotation(world: World) -> Rotation:
    secret = SecretRef(
        name="cachewarden/auth/orders", pending_version_id="0" * 32, previous_known=True
    )
    rotation = Rotation(
        rotation_id="rot0000000000001", mode=RotationMode.AUTH_TOKEN, account="123456789012",
        region="eu-west-1", group_id="orders", engine="redis", requester=REQUESTER,
        conversation=origin(), secrets=(secret,), phase=Phase.ROTATE_SENDING, seq=4,
        created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    assert RotationStore(world.connection).create(rotation) is None
    return rotation


def test_a_rotation_whose_step_job_is_gone_is_resumed_then_flagged_never_dropped(
    world: World,
) -> None:
    rotation = _stalled_rotation(world)
    world.now[0] = NOW + timedelta(minutes=10)
    scheduled = ScheduledJobRegistry(queue=rq_queue(world.connection, ACTIONS_QUEUE))
    for attempt in range(1, MAX_RESUMES + 1):
        report = Janitor(_env(world)).sweep()
        assert report.resumed == [rotation.rotation_id]
        job_id = f"rotation-{rotation.rotation_id}-4-r{100 + attempt}"
        assert scheduled.get_job_ids() == [job_id]
        assert Janitor(_env(world)).sweep().resumed == []  # its continuation is queued now
        Job.fetch(job_id, connection=world.connection, serializer=JSONSerializer).delete()
    flagged = Janitor(_env(world)).sweep()
    assert flagged.attention == [rotation.rotation_id] and flagged.resumed == []
    assert Janitor(_env(world)).sweep().attention == []  # said once
    kept = RotationStore(world.connection).get(rotation.rotation_id)
    assert kept is not None and kept.phase is Phase.ROTATE_SENDING  # never failed or lost
    said = [what[0].text for kind, _, what in world.notifier.posted if kind == "notice"]
    assert len(said) == 1 and "tokens stay in Secrets Manager" in said[0]
    events = [e.fields["event"] for e in AuditLog(world.connection).all()]
    assert events == ["rotation.resumed"] * MAX_RESUMES + ["rotation.needs_attention"]


def test_a_rotation_waiting_for_people_needs_no_job(world: World) -> None:
    rotation = _stalled_rotation(world)
    RotationStore(world.connection).replace(
        rotation, rotation.model_copy(update={"phase": Phase.BOTH_VALID, "seq": 5})
    )
    world.now[0] = NOW + timedelta(hours=5)
    assert Janitor(_env(world)).sweep().resumed == []


def test_an_approved_rotation_whose_job_vanished_is_queued_again_then_failed(
    world: World,
) -> None:
    rotation = _stalled_rotation(world)
    RotationStore(world.connection).replace(
        rotation, rotation.model_copy(update={"phase": Phase.REQUESTED, "seq": 5})
    )
    request = fix_request(rotation.rotation_id, kind=RequestKind.ROTATE)
    opened = approval_flow(world.ctx()).open(request)
    assert opened.posted is not None
    decide_request(
        world.ctx(), actor(APPROVER), rotation.rotation_id, Decision.APPROVE, opened.posted
    )
    job_id = f"approved-{rotation.rotation_id}"
    for _ in range(MAX_RESUMES):
        Job.fetch(job_id, connection=world.connection, serializer=JSONSerializer).delete()
        assert Janitor(_env(world), grace_seconds=0).sweep().requeued == [rotation.rotation_id]
        assert [j.id for j in world.jobs()] == [job_id]  # queued again, once
    Job.fetch(job_id, connection=world.connection, serializer=JSONSerializer).delete()
    assert Janitor(_env(world), grace_seconds=0).sweep().failed == [rotation.rotation_id]
    failed = approval_flow(world.ctx()).store.get(rotation.rotation_id)
    assert failed is not None and "tokens stay in Secrets Manager" in failed.outcome
    kept = RotationStore(world.connection).get(rotation.rotation_id)
    assert kept is not None and kept.phase is Phase.REQUESTED  # the rotation itself is kept
