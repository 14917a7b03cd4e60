"""The RQ job that takes a rebuild forward. It takes ids only and reloads the rest.

One runner at a time holds the rebuild's lock and takes steps until the rebuild waits for
AWS (a check re-enqueued with `enqueue_in`, no worker held), for people, or ends. Before
each new state is stored, the continuation for it is scheduled, so a worker killed at
any moment leaves a state that the continuation picks up; a continuation for a version
that has since moved on does nothing.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import redis

from posture.rebuilds import WORKING, Rebuild
from workers.aws.secrets import CredentialVault
from workers.platform.enqueue import enqueue_rebuild_step
from workers.platform.runtime import JobEnvironment, environment
from workers.rebuilds.progress import show_progress
from workers.rebuilds.steps import RebuildTools, run_step
from workers.rebuilds.store import RebuildStore
from workers.rebuilds.verify import verdicts_reader
from workers.rotation.jobs import session_for_account
from workers.trail.log import AuditLog

log = logging.getLogger(__name__)
LOCK_SECONDS = 15  # longer than one step (a rescan); a dead runner's lock frees itself then
SAFETY_SECONDS = 4  # when the continuation of a stored state runs if nobody else moves it
MAX_STEPS_PER_RUN = 10
RESUME_SECONDS = LOCK_SECONDS + SAFETY_SECONDS  # after a dead runner's lock has expired
MAX_ATTEMPTS = 20


def schedule_rebuild_step(
    connection: redis.Redis, rebuild_id: str, version: int, seconds: int, attempt: int = 0
) -> None:
    """One job per (rebuild, version, attempt): scheduling the same one twice is a no-op."""
    enqueue_rebuild_step(connection, rebuild_id, version, seconds, attempt)


def build_tools(env: JobEnvironment, rebuild: Rebuild) -> RebuildTools:
    session = session_for_account(env, rebuild.account)
    boto = session.new_session()
    audit = AuditLog(env.connection)

    def record(item: Rebuild, event: str, details: dict[str, Any]) -> None:
        fields = {k: str(v) for k, v in details.items()}
        target = f"{item.source_kind.value}/{item.source_id}"
        audit.append(event, rebuild_id=item.rebuild_id, target=target, **fields)

    return RebuildTools(
        elasticache=session.client(boto, "elasticache", rebuild.region),
        vault=CredentialVault(session.client(boto, "secretsmanager", rebuild.region)),
        verdicts=verdicts_reader(
            session, rebuild.account, rebuild.region, env.config.policy, env.clock
        ),
        now=env.clock,
        record=record,
    )


def advance_rebuild(rebuild_id: str, version: int, attempt: int = 0) -> None:
    """Take steps from state `version` until the rebuild waits for AWS or people.

    A job for a version that has moved on does nothing. Before working, the job schedules
    its own safety attempt: if this worker dies before storing anything, that one resumes.
    """
    env = environment()
    store = RebuildStore(env.connection)
    current = store.get(rebuild_id)
    if current is None or current.phase not in WORKING or current.version != version:
        return
    if attempt < MAX_ATTEMPTS:
        schedule_rebuild_step(env.connection, rebuild_id, version, RESUME_SECONDS, attempt + 1)
    lock = env.connection.lock(f"cw:rebuild:lock:{rebuild_id}", timeout=LOCK_SECONDS)
    if not lock.acquire(blocking=False):
        return  # another runner has it; its continuation covers this one
    try:
        for _ in range(MAX_STEPS_PER_RUN):
            rebuild = store.get(rebuild_id)
            if rebuild is None or rebuild.phase not in WORKING:
                return
            result = run_step(build_tools(env, rebuild), rebuild)
            new = result.rebuild
            if new.phase in WORKING:
                delay = result.wait if result.wait else SAFETY_SECONDS
                schedule_rebuild_step(env.connection, rebuild_id, new.version, delay)
            if not store.replace(rebuild, new):
                return
            show_progress(
                env.connection, env.notifiers, new, phase_changed=new.phase != rebuild.phase
            )
            if result.wait:
                return
            lock.reacquire()
    finally:
        with contextlib.suppress(Exception):
            lock.release()
