"""Starting an audit from the web process: the run record, the job, and plain words for its reach."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import redis
from rq import Worker

from commands.scope import Scope
from posture.conversations import ConversationRef
from workers.audit.store import AuditStore
from workers.platform.config import AppConfig
from workers.platform.enqueue import audit_job_id, enqueue_start_audit


class AlreadyQueued(RuntimeError):
    """The same audit is already queued or running in this channel."""


def workers_alive(connection: redis.Redis) -> bool:
    """True when at least one RQ worker has registered with this Redis."""
    return Worker.count(connection=connection) > 0


@dataclass(frozen=True)
class AuditTicket:
    run_id: str
    job_id: str
    accounts_text: str
    regions_text: str


def describe_reach(scope: Scope, config: AppConfig) -> tuple[str, str]:
    """Plain words for how far a scan reaches, without asking AWS."""
    if scope.accounts:
        accounts = f"{len(scope.accounts)} account{'s' if len(scope.accounts) != 1 else ''}"
    elif config.scan.organization_role:
        accounts = "every account of the Organization"
    elif config.scan.role_arns:
        n = len(config.scan.role_arns)
        accounts = f"{n} account{'s' if n != 1 else ''}"
    else:
        accounts = "1 account"
    regions = scope.regions or config.scan.regions
    if regions:
        region_text = f"{len(regions)} region{'s' if len(regions) != 1 else ''}"
    else:
        region_text = "every enabled region"
    return accounts, region_text


def enqueue_audit(
    connection: redis.Redis,
    *,
    where: ConversationRef,
    user: str,
    scope: Scope,
    config: AppConfig,
    correlation_id: str,
) -> AuditTicket:
    run_id = uuid.uuid4().hex[:8]
    job_id = audit_job_id(where.channel, scope)
    store = AuditStore(connection)
    store.create_run(
        run_id,
        where=where,
        user=user,
        scope=scope.model_dump(mode="json"),
        scope_text=scope.describe(),
        correlation_id=correlation_id,
        started=time.time(),
    )
    if not enqueue_start_audit(
        connection, run_id, channel=where.channel, scope=scope, correlation_id=correlation_id
    ):
        store.update_run(run_id, state="collapsed")
        raise AlreadyQueued(job_id)
    accounts, regions = describe_reach(scope, config)
    return AuditTicket(run_id=run_id, job_id=job_id, accounts_text=accounts, regions_text=regions)
