"""RQ jobs that drive a token rotation. Every job takes ids only and reloads the rest.

One runner at a time holds the rotation's lock and takes steps until the rotation waits
for AWS (a check re-enqueued with `enqueue_in`), for people (Finalize or Cancel) or ends.
Before each phase change is stored, a continuation job for the new phase is scheduled,
so a worker killed at any moment leaves a phase that the continuation picks up; a
continuation whose phase has since moved on does nothing.
"""

from __future__ import annotations

import contextlib
import logging

import redis
from redis.exceptions import LockError

from posture.approvals import ApprovalRequest, State
from posture.conversations import MessageRef
from posture.rotation import (
    MAX_WAITS,
    WAITING_FOR_PEOPLE,
    InvalidTransition,
    Phase,
    Rotation,
    RotationMode,
    advance,
    fail,
    rotation_update,
    state_words,
    waited,
)
from posture.tokens import TokenPolicy
from workers.approvals.flow import ApprovalFlow
from workers.aws.auth_tokens import TokenCallError
from workers.aws.secrets import CredentialVault, SecretsError
from workers.aws.session import AccountSession
from workers.fixes.reads import UnreachableAccount, remediation_session
from workers.platform.enqueue import enqueue_rotation_step
from workers.platform.notifier import NotifyError
from workers.platform.runtime import JobEnvironment, environment
from workers.rotation.card import remember_rotation_card, rotation_card
from workers.rotation.redraw import redraw_after_rotation
from workers.rotation.steps import AUTH_TOKEN_STEPS, RotationTools, Step, StepFailed, Wait
from workers.rotation.store import RotationStore
from workers.rotation.users import RBAC_STEPS
from workers.trail.log import AuditLog

log = logging.getLogger(__name__)
LOCK_SECONDS = 8  # a dead runner's lock frees itself this quickly
SAFETY_SECONDS = 4  # when the continuation of a stored phase runs if nobody else moves it
MAX_STEPS_PER_RUN = 40
EXPECTED_FAILURES = (StepFailed, TokenCallError, SecretsError, InvalidTransition)
# Phases that pass in a moment; the thread hears about the ones a person may see last.
QUIET_PHASES = frozenset(
    {
        Phase.APPROVED,
        Phase.ROTATE_SENDING,
        Phase.FINALIZE_APPROVED,
        Phase.SET_SENDING,
        Phase.SECRET_PROMOTED,
        Phase.ROLLBACK_ROTATE_SENDING,
        Phase.ROLLBACK_SET_SENDING,
        Phase.ROLLED_BACK,
    }
)


def step_for(rotation: Rotation) -> Step | None:
    """The next step, or None while the rotation waits for people or has ended."""
    steps = AUTH_TOKEN_STEPS if rotation.mode is RotationMode.AUTH_TOKEN else RBAC_STEPS
    return steps.get(rotation.phase)


def schedule_continuation(
    connection: redis.Redis, rotation_id: str, seq: int, seconds: int, attempt: int = 0
) -> None:
    enqueue_rotation_step(connection, rotation_id, seq, seconds, attempt)


def approval_flow(env: JobEnvironment) -> ApprovalFlow:
    return ApprovalFlow(
        env.connection,
        env.notifiers,
        security_channel=env.config.bot.security_channel,
        clock=env.clock,
    )


class Driver:
    """Takes one rotation forward: persist, announce, keep the approval messages current."""

    def __init__(self, env: JobEnvironment) -> None:
        self.env = env
        self.store = RotationStore(env.connection)
        self.flow = approval_flow(env)

    def save(self, old: Rotation, new: Rotation, *, next_in: int | None) -> bool:
        """Schedule the new phase's continuation first, then compare-and-set."""
        if next_in is not None:
            schedule_continuation(self.env.connection, new.rotation_id, new.seq, next_in)
        return self.store.replace(old, new)

    def save_phase(self, old: Rotation, new: Rotation) -> bool:
        needs_more = not new.is_final and new.phase not in WAITING_FOR_PEOPLE
        if not self.save(old, new, next_in=SAFETY_SECONDS if needs_more else None):
            return False
        self.flow.audit.append(
            "rotation.phase",
            rotation_id=new.rotation_id,
            phase=str(new.phase),
            target=f"{new.resource_kind}/{new.group_id}",
            problem=new.problem or None,
        )
        if new.phase not in QUIET_PHASES:
            self.announce(new)
        self.track_approval(new)
        if new.is_final:  # issue 13: the finding line and step 1's card agree with the end
            redraw_after_rotation(
                self.env.connection, self.flow, new, self.env.config.digest.retention_days
            )
        return True

    def announce(self, rotation: Rotation) -> None:
        """Post the rotation's card once, then edit it for every later phase."""
        update = rotation_update(rotation)
        card = rotation_card(self.env.connection, rotation.rotation_id)
        try:
            where = rotation.conversation
            notifier = self.env.notifiers.to(where)
            if card:
                try:
                    notifier.post_rotation(
                        where, update, card=MessageRef(conversation=where, message_id=card)
                    )
                    return
                except NotifyError:  # the card was deleted: post a new one below
                    log.info("rotation card not editable; posting anew")
            posted = notifier.post_rotation(where, update)
            remember_rotation_card(self.env.connection, rotation.rotation_id, posted.message_id)
        except NotifyError:
            log.warning("could not post the rotation phase", extra={"phase": str(rotation.phase)})

    def _running_request(self, rotation: Rotation) -> ApprovalRequest | None:
        for request_id in (rotation.finalize_request_id, rotation.rotation_id):
            request = self.flow.store.get(request_id) if request_id else None
            if request is not None and request.state is State.RUNNING:
                return request
        return None

    def track_approval(self, rotation: Rotation) -> None:
        """The request that started this phase says where it is, and how it ended."""
        request = self._running_request(rotation)
        if request is None:
            return
        if rotation.phase in (Phase.BOTH_VALID, Phase.DONE):
            self.flow.finish(request, ok=True, outcome=state_words(rotation))
        elif rotation.phase is Phase.FAILED:
            self.flow.finish(request, ok=False, outcome=state_words(rotation))
        else:
            self.flow.note_progress(request, state_words(rotation))

    def fail(self, rotation: Rotation, problem: str) -> None:
        self.save_phase(rotation, fail(rotation, problem, self.env.clock()))

    def drive(self, rotation_id: str, expected_seq: int | None = None, attempt: int = 0) -> None:
        rotation = self.store.get(rotation_id)
        if rotation is None or rotation.is_final:
            return
        if expected_seq is not None and rotation.seq != expected_seq:
            return  # someone moved it on since this continuation was scheduled
        lock = self.env.connection.lock(f"cw:rotation:lock:{rotation_id}", timeout=LOCK_SECONDS)
        if not lock.acquire(blocking=False):
            schedule_continuation(
                self.env.connection, rotation_id, rotation.seq, SAFETY_SECONDS, attempt + 1
            )
            return
        try:
            self._steps(rotation_id, lock)
        finally:
            with contextlib.suppress(LockError):
                lock.release()

    def _steps(self, rotation_id: str, lock: redis.lock.Lock) -> None:
        tools: RotationTools | None = None
        for _ in range(MAX_STEPS_PER_RUN):
            rotation = self.store.get(rotation_id)
            step = step_for(rotation) if rotation is not None else None
            if rotation is None or step is None:
                return
            try:
                tools = tools or build_tools(self.env, rotation)
                result = step(tools, rotation)
            except EXPECTED_FAILURES as exc:
                self.fail(rotation, str(exc))
                return
            except Exception as exc:  # report, never hang: the message names only the type
                log.exception("rotation step crashed", extra={"phase": str(rotation.phase)})
                self.fail(rotation, f"an unexpected {type(exc).__name__} stopped the rotation.")
                return
            if isinstance(result, Wait):
                self._wait(rotation, result)
                return
            if not self.save_phase(rotation, result):
                return
            lock.reacquire()

    def _wait(self, rotation: Rotation, wait: Wait) -> None:
        if rotation.waits >= MAX_WAITS:
            self.fail(rotation, f"AWS did not finish in time (last seen: {wait.reason}).")
            return
        self.save(rotation, waited(rotation, self.env.clock()), next_in=wait.seconds)


def session_for_account(env: JobEnvironment, account: str) -> AccountSession:
    try:
        return remediation_session(env, account)
    except UnreachableAccount as exc:
        raise StepFailed(f"no remediation role reaches account {account}.") from exc


def build_tools(env: JobEnvironment, rotation: Rotation) -> RotationTools:
    session = session_for_account(env, rotation.account)
    boto = session.new_session()
    return RotationTools(
        elasticache=session.client(boto, "elasticache", rotation.region),
        vault=CredentialVault(session.client(boto, "secretsmanager", rotation.region)),
        policy=TokenPolicy(length=env.config.policy.auth.token_length),
        audit=AuditLog(env.connection),
        now=env.clock,
    )


def _start_request(driver: Driver, request_id: str, rotation: Rotation, to: Phase) -> None:
    """Mark the approved request running and move the rotation past its approval."""
    request = driver.flow.store.get(request_id)
    if request is None or driver.flow.start(request) is None:
        return
    schedule_continuation(driver.env.connection, rotation.rotation_id, rotation.seq, SAFETY_SECONDS)
    if rotation.phase in (Phase.REQUESTED, Phase.FINALIZE_REQUESTED):
        note = f"approved by {request.decided_by or 'an approver'}"
        driver.save_phase(rotation, advance(rotation, to, driver.env.clock(), note=note))
    driver.drive(rotation.rotation_id)


def run_rotate_phase(request_id: str) -> None:
    """After the ROTATE request is approved: store the new token, ROTATE, wait for both."""
    driver = Driver(environment())
    rotation = driver.store.get(request_id)
    if rotation is not None:
        _start_request(driver, request_id, rotation, Phase.APPROVED)


def run_finalize_phase(request_id: str) -> None:
    """After the FINALIZE request is approved: SET, promote the secret, verify."""
    driver = Driver(environment())
    rotation = driver.store.by_finalize(request_id)
    if rotation is not None and rotation.finalize_request_id == request_id:
        _start_request(driver, request_id, rotation, Phase.FINALIZE_APPROVED)


def run_cancel_phase(rotation_id: str) -> None:
    """After Cancel: rotate the previous credential back in and retire the new one."""
    driver = Driver(environment())
    rotation = driver.store.get(rotation_id)
    if rotation is None:
        return
    # The listener stored the cancel; should this worker die, the continuation goes on.
    schedule_continuation(driver.env.connection, rotation_id, rotation.seq, SAFETY_SECONDS)
    driver.drive(rotation_id)


def advance_rotation(rotation_id: str, seq: int, attempt: int = 0) -> None:
    """A continuation: go on from phase `seq` unless the rotation has moved since."""
    Driver(environment()).drive(rotation_id, expected_seq=seq, attempt=attempt)
