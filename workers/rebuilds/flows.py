"""Rebuild flows, called by any front end with a neutral actor: request, decide, cancel,
confirm cutover, decide the delete. Each enforces who may act, writes the audit log,
and starts the worker job where AWS has work to do.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import redis

from posture.base import ResourceKind
from posture.conversations import Actor, ConversationRef
from posture.policy import OrgPolicy
from posture.rebuild_calls import calls_for
from posture.rebuilds import (
    WORKING,
    Rebuild,
    RebuildRefused,
    approve,
    cancel,
    decide_delete,
    deny,
    request_delete,
)
from posture.remediation.rebuild_params import RebuildInputs, group_rebuild_plan, rebuild_refusal
from posture.remediation.rebuild_settings import auth_secret_id
from posture.remediation.target import Target, find_resource
from posture.rules.context import RuleContext
from workers.aws.session import AccountSession
from workers.fixes.reads import read_for_fix
from workers.platform.context import FlowContext
from workers.rebuilds.jobs import schedule_rebuild_step
from workers.rebuilds.kinds import source_of
from workers.rebuilds.steps import fingerprint_of
from workers.rebuilds.store import RebuildStore
from workers.trail.log import AuditLog

RG = ResourceKind.REPLICATION_GROUP


@dataclass(frozen=True)
class RebuildAsk:
    account: str
    region: str
    rule_id: str
    source_id: str
    inputs: RebuildInputs = field(default_factory=RebuildInputs)
    dry_run: bool = False
    kind: ResourceKind = RG  # or CACHE_CLUSTER (standalone) or SERVERLESS_CACHE


def plan_rebuild(
    policy: OrgPolicy,
    now: datetime,
    requester: str,
    ask: RebuildAsk,
    session: AccountSession,
    *,
    where: ConversationRef | None = None,
    finding_id: str = "",
) -> Rebuild:
    """Read the source and plan its copy (every setting plus the fix); nothing is stored."""
    inventory = read_for_fix(session, ask.account, ask.region, ask.kind, ask.source_id, now=now)
    source = find_resource(inventory, ask.kind, ask.source_id)
    if source is None:
        what = ask.kind.value.replace("_", " ")
        raise RebuildRefused(f"{ask.source_id} is not a {what} in {ask.account}/{ask.region}.")
    target = Target(ask.rule_id, source, RuleContext.build(inventory, policy, now))
    refusal = rebuild_refusal(ask.rule_id, ask.kind, target.engine)
    if refusal:
        raise RebuildRefused(refusal)
    rebuild_id = uuid.uuid4().hex
    plan = group_rebuild_plan(target, ask.inputs, rebuild_id)
    elasticache = session.client(session.new_session(), "elasticache", ask.region)
    kind = calls_for(ask.kind)
    described = source_of(elasticache, kind, ask.source_id)
    if described is None:
        raise RebuildRefused(f"{ask.source_id} disappeared while the rebuild was planned.")
    return Rebuild(
        rebuild_id=rebuild_id,
        source_kind=ask.kind,
        account=ask.account,
        region=ask.region,
        rule_id=ask.rule_id,
        source_id=plan.source_id,
        copy_id=plan.copy_id,
        snapshot_name=plan.snapshot_name,
        final_snapshot_name=plan.final_snapshot_name,
        params=dict(plan.params),
        diff=tuple(plan.diff_lines()),
        auth_secret=auth_secret_id(target) if plan.needs_auth_token else "",
        source_fingerprint=fingerprint_of(described, kind.fields),
        requester=requester,
        dry_run=ask.dry_run,
        where=where,
        finding_id=finding_id,
        updated=now,
    )


def store_rebuild(connection: redis.Redis, rebuild: Rebuild) -> Rebuild:
    """Keep the request (one live rebuild per source) and write it to the audit log."""
    holder = RebuildStore(connection).create(rebuild)
    if holder:
        raise RebuildRefused(f"{rebuild.source_id} already has a rebuild under way ({holder}).")
    AuditLog(connection).append(
        "rebuild.requested", actor=rebuild.requester, rebuild_id=rebuild.rebuild_id,
        rule=rebuild.rule_id, target=f"{rebuild.source_kind.value}/{rebuild.source_id}",
        copy=rebuild.copy_id, diff="; ".join(rebuild.diff), dry_run=str(rebuild.dry_run),
    )  # fmt: skip
    return rebuild


def request_rebuild(
    ctx: FlowContext, actor: Actor, ask: RebuildAsk, session: AccountSession
) -> Rebuild:
    """Read the source, plan its copy (every setting plus the fix) and store the request."""
    planned = plan_rebuild(ctx.config.policy, ctx.clock(), actor.user, ask, session)
    return store_rebuild(ctx.connection, planned)


def _decide(
    ctx: FlowContext,
    actor: Actor,
    rebuild_id: str,
    event: str,
    move: Callable[[Rebuild], Rebuild],
    *,
    approver_only: bool = True,
) -> Rebuild:
    store = RebuildStore(ctx.connection)
    rebuild = store.get(rebuild_id)
    if rebuild is None:
        raise RebuildRefused("This rebuild is no longer known.")
    if approver_only and not ctx.directory.approvers().allows(actor.user):
        AuditLog(ctx.connection).append(f"{event}.refused", actor=actor.user, rebuild_id=rebuild_id)
        raise RebuildRefused("Only an approver can do that.")
    try:
        new = move(rebuild)
    except RebuildRefused:
        AuditLog(ctx.connection).append(f"{event}.refused", actor=actor.user, rebuild_id=rebuild_id)
        raise
    if not store.replace(rebuild, new):
        raise RebuildRefused("Someone else moved this rebuild just now; look again.")
    AuditLog(ctx.connection).append(
        event, actor=actor.user, rebuild_id=rebuild_id, phase=str(new.phase),
        target=f"{new.source_kind.value}/{new.source_id}",
    )  # fmt: skip
    if new.phase in WORKING:
        schedule_rebuild_step(ctx.connection, rebuild_id, new.version, 0)
    return new


def approve_rebuild(ctx: FlowContext, actor: Actor, rebuild_id: str) -> Rebuild:
    return _decide(
        ctx, actor, rebuild_id, "rebuild.approved", lambda r: approve(r, actor.user, ctx.clock())
    )


def deny_rebuild(ctx: FlowContext, actor: Actor, rebuild_id: str) -> Rebuild:
    return _decide(
        ctx, actor, rebuild_id, "rebuild.denied", lambda r: deny(r, actor.user, ctx.clock())
    )


def cancel_rebuild(ctx: FlowContext, actor: Actor, rebuild_id: str) -> Rebuild:
    return _decide(
        ctx, actor, rebuild_id, "rebuild.cancel", lambda r: cancel(r, actor.user, ctx.clock())
    )


def confirm_cutover(ctx: FlowContext, actor: Actor, rebuild_id: str) -> Rebuild:
    """An owner says every client uses the new cache: asks for the second approval."""
    return _decide(
        ctx, actor, rebuild_id, "rebuild.delete_requested",
        lambda r: request_delete(r, actor.user, ctx.clock()), approver_only=False,
    )  # fmt: skip


def decide_source_delete(
    ctx: FlowContext, actor: Actor, rebuild_id: str, *, approved: bool
) -> Rebuild:
    event = "rebuild.delete_approved" if approved else "rebuild.delete_denied"
    return _decide(
        ctx, actor, rebuild_id, event,
        lambda r: decide_delete(r, actor.user, ctx.clock(), approved=approved),
    )  # fmt: skip
