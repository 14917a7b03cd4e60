"""Rebuilds reached from chat: the approval that starts one, its progress card, the second
approval that deletes the source, and Cancel.

The approval request that starts a rebuild has the rebuild's own id, and uses the same
decision flow as every fix (four eyes, approvers, expiry, audit log). Its job moves the
rebuild to `approved`, posts the progress card and closes the request: the card follows
the migration from there, so no request stays `running` while AWS works for an hour.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import asdict

import redis

from posture.approvals import ApprovalRequest
from posture.base import ResourceKind
from posture.conversations import Actor, ConversationRef
from posture.messages import Notice
from posture.rebuild_messages import delete_request
from posture.rebuilds import (
    WORKING,
    Rebuild,
    RebuildPhase,
    RebuildRefused,
    approve,
    decide_delete,
    deny,
    request_delete,
)
from posture.remediation import FixPlan, PlanKind
from posture.remediation.rebuild import MEMCACHED_NO_REBUILD
from posture.remediation.rebuild_params import (
    RebuildInputs,
    needs_inputs,
    read_inputs,
    rebuild_refusal,
)
from workers.approvals.flow import ApprovalFlow
from workers.approvals.flows import NOT_OURS, approval_flow, finding_for_click
from workers.platform.context import NOT_ENABLED, FlowContext, click_allowed, workspace_refusal
from workers.platform.enqueue import enqueue_prepare_rebuild
from workers.platform.notifier import Notifiers
from workers.platform.telemetry import current_correlation_id
from workers.rebuilds.flows import cancel_rebuild
from workers.rebuilds.jobs import schedule_rebuild_step
from workers.rebuilds.progress import RebuildChat, show_progress
from workers.rebuilds.store import RebuildStore
from workers.trail.log import AuditLog

# The kinds a rebuild migration handles (a standalone cluster becomes a one-node group).
REBUILT_KINDS = (
    ResourceKind.REPLICATION_GROUP,
    ResourceKind.CACHE_CLUSTER,
    ResourceKind.SERVERLESS_CACHE,
)

log = logging.getLogger(__name__)


def release_if_abandoned(connection: redis.Redis, approvals: ApprovalFlow, holder: str) -> bool:
    """A source's rebuild whose approval was denied or expired no longer holds the source."""
    store = RebuildStore(connection)
    rebuild = store.get(holder)
    request = approvals.store.get(holder)
    if rebuild is None or rebuild.phase is not RebuildPhase.REQUESTED:
        return False
    if request is not None and not request.is_final:
        return False
    decided_by = request.decided_by if request is not None else ""
    closed = deny(rebuild, decided_by or "cachewarden", approvals.clock())
    return store.replace(rebuild, closed)


def _close(approvals: ApprovalFlow, request: ApprovalRequest, ok: bool, outcome: str) -> None:
    running = approvals.start(request)
    if running is not None:
        approvals.finish(running, ok=ok, outcome=outcome)


def start_approved_rebuild(
    approvals: ApprovalFlow, notifiers: Notifiers, request: ApprovalRequest
) -> None:
    """The REBUILD request was approved: the rebuild moves to `approved` and starts."""
    connection, store = approvals.connection, RebuildStore(approvals.connection)
    rebuild = store.get(request.request_id)
    if rebuild is None:
        _close(approvals, request, False, "the rebuild is no longer known; ask again")
        return
    if rebuild.phase is RebuildPhase.REQUESTED:
        try:
            moved = approve(rebuild, request.decided_by or "", approvals.clock())
        except RebuildRefused as exc:
            _close(approvals, request, False, str(exc))
            return
        if store.replace(rebuild, moved):
            AuditLog(connection).append(
                "rebuild.approved", actor=moved.approver, rebuild_id=moved.rebuild_id,
                request_id=request.request_id, target=f"{moved.source_kind.value}/{moved.source_id}",
            )  # fmt: skip
        rebuild = store.get(rebuild.rebuild_id) or moved
    if rebuild.phase in WORKING:  # a retried job schedules the same (unique) step again
        schedule_rebuild_step(connection, rebuild.rebuild_id, rebuild.version, 0)
    show_progress(connection, notifiers, rebuild)
    _close(approvals, request, True, "the migration started; its progress is on the rebuild card")


def start_approved_delete(
    approvals: ApprovalFlow, notifiers: Notifiers, request: ApprovalRequest
) -> None:
    """The REBUILD_DELETE request was approved: delete the source, keeping a final snapshot."""
    connection, store = approvals.connection, RebuildStore(approvals.connection)
    rebuild = store.get(RebuildChat(connection).rebuild_for(request.request_id))
    if rebuild is None:
        _close(approvals, request, False, "the rebuild is no longer known")
        return
    if rebuild.phase is RebuildPhase.CUTOVER_READY:
        now = approvals.clock()
        try:
            asked = request_delete(rebuild, request.requester, now)
            moved = decide_delete(asked, request.decided_by or "", now, approved=True)
        except RebuildRefused as exc:
            _close(approvals, request, False, str(exc))
            return
        if store.replace(rebuild, moved):
            AuditLog(connection).append(
                "rebuild.delete_approved", actor=moved.delete_approver,
                requester=moved.delete_requester, rebuild_id=moved.rebuild_id,
                request_id=request.request_id, target=f"{moved.source_kind.value}/{moved.source_id}",
                final_snapshot=moved.final_snapshot_name,
            )  # fmt: skip
        rebuild = store.get(rebuild.rebuild_id) or moved
    if rebuild.phase is not RebuildPhase.DELETING and rebuild.phase is not RebuildPhase.DONE:
        _close(approvals, request, False, f"the rebuild is {rebuild.phase.value}; nothing deleted")
        return
    if rebuild.phase in WORKING:
        schedule_rebuild_step(connection, rebuild.rebuild_id, rebuild.version, 0)
    show_progress(connection, notifiers, rebuild)
    _close(approvals, request, True, "deleting the old cache; a final snapshot is kept")


# Buttons on the rebuild card, called by any front end with a neutral actor.

REBUILD_ID = re.compile(r"^[a-f0-9]{32}$")


def _rebuild_for_click(ctx: FlowContext, actor: Actor, rebuild_id: str) -> Rebuild | Notice:
    if not REBUILD_ID.match(rebuild_id):
        return Notice(text=NOT_OURS)
    refused = workspace_refusal(ctx, actor, actor.conversation)
    if refused:
        return Notice(text=refused)
    if not click_allowed(ctx.bot, actor.channel):
        return Notice(text=NOT_ENABLED)
    rebuild = RebuildStore(ctx.connection).get(rebuild_id)
    if rebuild is None or rebuild.where is None:
        return Notice(text="This rebuild is no longer known.")
    return rebuild


def ask_source_delete(ctx: FlowContext, actor: Actor, rebuild_id: str) -> Notice:
    """The owners say every client moved: open the second approval (delete the source)."""
    found = _rebuild_for_click(ctx, actor, rebuild_id)
    if isinstance(found, Notice):
        return found
    rebuild = found
    if rebuild.phase is not RebuildPhase.CUTOVER_READY or rebuild.where is None:
        return Notice(text=f"The old cache can be deleted only once the new one is verified "
                      f"(this rebuild is {rebuild.phase.value}).")  # fmt: skip
    approvals, chat = approval_flow(ctx), RebuildChat(ctx.connection)
    request_id = uuid.uuid4().hex[:16]
    holder = chat.delete_request_id(rebuild_id)
    current = approvals.store.get(holder) if holder else None
    taken = chat.claim_delete(
        rebuild_id, request_id, is_open=current is not None and not current.is_final
    )
    if taken:
        return Notice(
            text=f"Deleting {rebuild.source_id} already waits for approval (request {taken})."
        )
    request = delete_request(
        rebuild, request_id=request_id, requester=actor.user, where=rebuild.where,
        now=ctx.clock(), ttl_hours=ctx.bot.approval_ttl_hours,
        correlation_id=current_correlation_id(),
    )  # fmt: skip
    AuditLog(ctx.connection).append(
        "rebuild.cutover_confirmed", actor=actor.user, rebuild_id=rebuild_id,
        request_id=request_id, target=f"{rebuild.source_kind.value}/{rebuild.source_id}",
    )  # fmt: skip
    approvals.open(request)
    return Notice(
        text=f"Asked for a second approval to delete {rebuild.source_id} "
        f"(a final snapshot {rebuild.final_snapshot_name} is kept); see the thread."
    )


def cancel_from_chat(ctx: FlowContext, actor: Actor, rebuild_id: str) -> Notice:
    """Cancel: an approver who did not ask for the rebuild (issue 14's four eyes)."""
    found = _rebuild_for_click(ctx, actor, rebuild_id)
    if isinstance(found, Notice):
        return found
    if actor.user == found.requester:
        AuditLog(ctx.connection).append(
            "rebuild.cancel.refused", actor=actor.user, rebuild_id=rebuild_id, reason="requester"
        )
        return Notice(
            text="You asked for this rebuild, so another approver must cancel it (four-eyes rule)."
        )
    try:
        cancelled = cancel_rebuild(ctx, actor, rebuild_id)
    except RebuildRefused as exc:
        return Notice(text=str(exc))
    show_progress(ctx.connection, ctx.notifiers, cancelled)
    return Notice(text=f"Cancelling: cachewarden removes only what this rebuild created; "
                  f"{found.source_id} is not touched.")  # fmt: skip


def request_rebuild_with(
    ctx: FlowContext, actor: Actor, finding_id: str, where: ConversationRef, inputs: RebuildInputs
) -> Notice:
    """The rebuild form was sent: hand the finding and the chosen values to the job."""
    found = finding_for_click(ctx, actor, finding_id)
    if isinstance(found, Notice):
        return found
    values = {k: v for k, v in asdict(inputs).items() if v}
    AuditLog(ctx.connection).append(
        "rebuild.inputs_chosen", actor=actor.user, rule_id=found.rule_id,
        target=f"{found.resource_kind}/{found.resource_id}",
        inputs=", ".join(f"{k}={v}" for k, v in values.items()),
    )  # fmt: skip
    place = where.model_dump(mode="json")
    if not enqueue_prepare_rebuild(ctx.connection, finding_id, actor.user, place, values):
        return Notice(text="A rebuild request for this finding is already being prepared.")
    return Notice(
        text=f"Preparing the rebuild of {found.resource_id} for {found.rule_id}: the approval "
        "request with the plan as a diff appears in the thread."
    )


def rebuild_form_fields(plan: FixPlan) -> tuple[str, ...]:
    """The values a "Request rebuild…" form under this runbook asks for; () when the plan
    offers no form (not an automated rebuild of a kind we rebuild, a Memcached cluster,
    a rule the kind cannot be rebuilt for, or nothing to choose)."""
    fields = needs_inputs(plan.rule_id, plan.resource_kind)
    if (
        plan.kind is not PlanKind.REBUILD
        or plan.resource_kind not in REBUILT_KINDS
        or plan.next_step == MEMCACHED_NO_REBUILD
        or rebuild_refusal(plan.rule_id, plan.resource_kind, "")
        or not fields
        or not plan.finding_id
    ):
        return ()
    return fields


def request_rebuild_from_form(
    ctx: FlowContext,
    actor: Actor,
    finding_id: str,
    where: ConversationRef,
    typed: dict[str, str],
) -> Notice | dict[str, str]:
    """A filled rebuild form, checked against the finding's own rule (never the form's word
    for it): an error per field, or the notice of `request_rebuild_with`."""
    found = finding_for_click(ctx, actor, finding_id)
    if isinstance(found, Notice):
        return found
    read = read_inputs(found.rule_id, typed, found.resource_kind)
    if isinstance(read, dict):
        return read
    return request_rebuild_with(ctx, actor, finding_id, where, read)
