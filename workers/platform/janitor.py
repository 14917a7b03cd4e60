"""Nothing stuck: the janitor's sweep over approved work whose job is gone.

A fix (or accept-risk) request that is approved or running must have a live RQ job: its
`approved-<request id>` job, or a `check-<request id>-<n>` job waiting for AWS. When none
is queued, scheduled or running (the last one failed, stopped, was canceled or vanished),
or the only ones have been running longer than `[limits] stuck_after_minutes` (a dead
worker RQ has not noticed yet), the request becomes `failed` with
a message on the request (both copies), a line in its thread, and an audit entry by
`cachewarden-janitor`. The message says what the fix record knows: nothing changed yet,
possibly changed, or changed but not verified.

Rotations are never failed by the janitor: their state is in Redis and their credentials in
Secrets Manager, and every step is safe to run again. A live rotation that is not waiting
for people, holds no lock and has no continuation job queued gets one again (the same job
that a step schedules, with the same seq, so it does nothing if the rotation moved on).
After `MAX_RESUMES` resumes at the same seq the rotation is marked for attention in its
thread and in the audit log, once.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, field

import redis
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from posture.approvals import ApprovalRequest, RequestKind, State, Transition, finish, start
from posture.messages import Notice
from posture.rotation import FINAL_PHASES, WAITING_FOR_PEOPLE, Phase, Rotation, state_words
from workers.approvals.flow import ApprovalFlow, request_fields
from workers.fixes.store import FixStore
from workers.fixes.store import Phase as FixPhase
from workers.platform.enqueue import enqueue_approved, worker_queues
from workers.platform.notifier import NotifyError
from workers.platform.runtime import JobEnvironment
from workers.rotation.jobs import schedule_continuation
from workers.rotation.store import RotationStore

log = logging.getLogger(__name__)
ACTOR = "cachewarden-janitor"
GRACE_SECONDS = 120  # the job of a fresh approval is enqueued right after the click
MAX_RESUMES = 3
ROTATION_KINDS = frozenset({RequestKind.ROTATE, RequestKind.FINALIZE})
GONE = frozenset({JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED})
WAITING = frozenset({JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED})


@dataclass
class SweepReport:
    failed: list[str] = field(default_factory=list)  # request ids turned `failed`
    requeued: list[str] = field(default_factory=list)  # rotation requests whose job came back
    resumed: list[str] = field(default_factory=list)  # rotation ids given a continuation
    attention: list[str] = field(default_factory=list)  # rotation ids marked for attention


def _fetch(connection: redis.Redis, job_id: str) -> Job | None:
    try:
        return Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
    except NoSuchJobError:
        return None


def job_status(connection: redis.Redis, job_id: str) -> JobStatus | None:
    job = _fetch(connection, job_id)
    return job.get_status(refresh=False) if job is not None else None


def fix_job_problem(status: JobStatus | None) -> str:
    """Why a fix with no live job will never finish on its own, from its last job's status."""
    if status is None:
        return "none of its jobs is queued or running any more"
    if status in GONE:
        return f"its job ended as {status.value} after its retries"
    if status is JobStatus.FINISHED:
        return "its job ended without reporting a result"
    return f"its job is in an unexpected state ({status.value})"


def what_changed(connection: redis.Redis, request: ApprovalRequest) -> str:
    if request.kind in ROTATION_KINDS:
        return "The rotation's state is kept and its tokens stay in Secrets Manager."
    if request.kind is not RequestKind.FIX:
        return "Nothing was recorded as accepted."
    phase = FixStore(connection).phase(request.request_id)
    if phase is FixPhase.PLANNED:
        return "AWS was not changed."
    if phase is FixPhase.APPLIED:
        return "The change was sent to AWS but not verified: check the resource."
    return "AWS may or may not have been changed: check the resource."


class Janitor:
    def __init__(self, env: JobEnvironment, *, grace_seconds: int = GRACE_SECONDS) -> None:
        self.env = env
        self.grace = grace_seconds
        self.connection = env.connection
        self.flow = ApprovalFlow(
            env.connection,
            env.notifiers,
            security_channel=env.config.bot.security_channel,
            clock=env.clock,
        )
        self.rotations = RotationStore(env.connection)
        self.report = SweepReport()
        self._live: set[str] | None = None

    def sweep(self) -> SweepReport:
        server_now = float(self.connection.time()[0])
        bound = self.env.config.limits.stuck_after_minutes * 60
        for request, _since in self.flow.store.active(entered_before=server_now - self.grace):
            if request.kind in ROTATION_KINDS:
                self._rotation_request(request)
                continue
            problem = self._fix_problem(request, server_now, bound)
            if problem:
                self.fail_request(request, problem)
        self._rotations()
        return self.report

    def _fix_problem(self, request: ApprovalRequest, server_now: float, bound: int) -> str:
        """'' while the fix has a live job: its `approved-` job, or a `check-` job that
        waits for AWS (those go on for up to MAX_CHECKS looks), unless every live job is
        one that started more than `bound` seconds ago (its worker died unnoticed)."""
        approved = f"approved-{request.request_id}"
        checks = f"check-{request.request_id}-"
        live = [j for j in self._live_job_ids() if j == approved or j.startswith(checks)]
        if not live:
            return fix_job_problem(job_status(self.connection, approved))
        for job_id in live:
            job = _fetch(self.connection, job_id)
            started = job.started_at if job is not None else None
            if job is None or job.get_status(refresh=False) is not JobStatus.STARTED:
                return ""
            if started is None or server_now - started.timestamp() <= bound:
                return ""
        return f"its job has been running for over {bound // 60} minutes"

    def fail_request(self, request: ApprovalRequest, problem: str) -> None:
        begun = start(request) if request.state is State.APPROVED else None
        if isinstance(begun, Transition):
            request = self.flow.apply(request, begun, actor=ACTOR)[1] or request
        outcome = (
            f"Stopped by cachewarden: {problem}. {what_changed(self.connection, request)} "
            f"(correlation id {request.correlation_id or '-'})"
        )
        transition = finish(request, ok=False, outcome=outcome)
        if not isinstance(transition, Transition):
            return
        won, current = self.flow.apply(request, transition, actor=ACTOR)
        if not won or current is None:
            return
        self.report.failed.append(request.request_id)
        log.warning("stuck request failed", extra={"request_id": request.request_id})
        with contextlib.suppress(NotifyError):
            where = current.origin
            self.env.notifiers.to(where).say(where, Notice(text=f"Request failed. {outcome}"))

    def _rotation_request(self, request: ApprovalRequest) -> None:
        """A ROTATE or FINALIZE request follows its rotation; its own job only starts it."""
        rotation = (
            self.rotations.get(request.request_id)
            if request.kind is RequestKind.ROTATE
            else self.rotations.by_finalize(request.request_id)
        )
        if rotation is None:
            self.fail_request(request, "its rotation record is gone")
            return
        if request.state is State.APPROVED:
            self._requeue_rotation_job(request)
            return
        if rotation.phase in FINAL_PHASES or (
            request.kind is RequestKind.ROTATE
            and rotation.phase in (Phase.BOTH_VALID, Phase.FINALIZE_REQUESTED)
        ):
            ok = rotation.phase is not Phase.FAILED and rotation.phase is not Phase.ENDED
            self.flow.finish(request, ok=ok, outcome=state_words(rotation))

    def _requeue_rotation_job(self, request: ApprovalRequest) -> None:
        """An approved ROTATE or FINALIZE whose job is gone is queued again (its job only
        starts the rotation, and does nothing twice); after MAX_RESUMES tries it fails."""
        job_id = f"approved-{request.request_id}"
        status = job_status(self.connection, job_id)
        if status is not None and status not in GONE and status is not JobStatus.FINISHED:
            return
        counter = f"cw:janitor:requeues:{request.request_id}"
        tries = int(self.connection.incr(counter))
        self.connection.expire(counter, 7 * 24 * 3600)
        if tries > MAX_RESUMES:
            self.fail_request(request, f"its job did not start the rotation in {MAX_RESUMES} tries")
            return
        job = _fetch(self.connection, job_id)
        if job is not None:
            job.delete()
        if enqueue_approved(self.connection, request):
            self.report.requeued.append(request.request_id)
            self.flow.audit.append("janitor.requeued", actor=ACTOR, **request_fields(request))

    def _rotations(self) -> None:
        for claim in self.connection.scan_iter(match="cw:rotation:active:*", count=500):
            raw = self.connection.get(claim)
            rotation_id = raw.decode() if isinstance(raw, bytes) else str(raw or "")
            rotation = self.rotations.get(rotation_id) if rotation_id else None
            if rotation is not None and self._needs_a_push(rotation):
                self._resume(rotation)

    def _needs_a_push(self, rotation: Rotation) -> bool:
        if rotation.is_final or rotation.phase in WAITING_FOR_PEOPLE:
            return False
        if self.connection.exists(f"cw:rotation:lock:{rotation.rotation_id}"):
            return False  # a runner is on it right now
        age = (self.env.clock() - rotation.updated_at).total_seconds()
        if age < self.grace:
            return False
        continuation = f"rotation-{rotation.rotation_id}-{rotation.seq}"
        others = (
            f"rotation-cancel-{rotation.rotation_id}",
            f"approved-{rotation.finalize_request_id or rotation.rotation_id}",
        )
        return not any(
            job_id == continuation or job_id.startswith(continuation + "-r") or job_id in others
            for job_id in self._live_job_ids()
        )

    def _live_job_ids(self) -> set[str]:
        """Ids of jobs queued, scheduled, deferred or running (read once per sweep)."""
        if self._live is None:
            self._live = set()
            for queue in worker_queues(self.connection):
                self._live.update(queue.get_job_ids())
                for registry in (
                    queue.scheduled_job_registry,
                    queue.started_job_registry,  # its members are `<job id>:<execution id>`
                    queue.deferred_job_registry,
                ):
                    self._live.update(m.partition(":")[0] for m in registry.get_job_ids())
        return self._live

    def _resume(self, rotation: Rotation) -> None:
        counter = f"cw:janitor:resumes:{rotation.rotation_id}:{rotation.seq}"
        tries = int(self.connection.incr(counter))
        self.connection.expire(counter, 7 * 24 * 3600)
        if tries <= MAX_RESUMES:
            schedule_continuation(
                self.connection, rotation.rotation_id, rotation.seq, 1, 100 + tries
            )
            self.report.resumed.append(rotation.rotation_id)
            self.flow.audit.append(
                "rotation.resumed",
                actor=ACTOR,
                rotation_id=rotation.rotation_id,
                phase=str(rotation.phase),
                target=f"replication_group/{rotation.group_id}",
            )
            return
        flag = f"cw:janitor:attention:{rotation.rotation_id}:{rotation.seq}"
        if not self.connection.set(flag, "1", nx=True, ex=30 * 24 * 3600):
            return
        self.report.attention.append(rotation.rotation_id)
        self.flow.audit.append(
            "rotation.needs_attention",
            actor=ACTOR,
            rotation_id=rotation.rotation_id,
            phase=str(rotation.phase),
            target=f"replication_group/{rotation.group_id}",
        )
        text = (
            f"This rotation has not moved from its step ({state_words(rotation)}) after "
            f"{MAX_RESUMES} restarts, so cachewarden stopped retrying. Nothing was lost: the "
            "state is kept and the tokens stay in Secrets Manager. Check the workers and the "
            f"audit log (correlation id {rotation.correlation_id or '-'})."
        )
        with contextlib.suppress(NotifyError):
            where = rotation.conversation
            self.env.notifiers.to(where).say(where, Notice(text=text))
