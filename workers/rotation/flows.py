"""Token rotation flows any front end calls: ask for a rotation, Finalize, Cancel.

Asking stores the intake and enqueues the check job (no AWS call here). Finalize opens
a FINALIZE approval request that someone other than the clicker approves. Cancel sends
ROTATE and SET to AWS (rotating the previous credential back), so it needs an approver
who is not the rotation's requester (`posture.rotation.cancel_refusal`). Both buttons
count only from the installed workspace, in an allowed channel, on a message in the
rotation's own thread.
"""

from __future__ import annotations

import logging
import re
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from commands.requests import RotateTokenRequest
from posture.approvals import (
    ApprovalRequest,
    Approvers,
    RequestKind,
    State,
    Transition,
    cancel,
    default_expiry,
)
from posture.conversations import Actor, MessageRef
from posture.messages import Notice
from posture.rotation import (
    CANCELLABLE,
    Phase,
    Rotation,
    RotationAction,
    RotationUpdate,
    advance,
    cancel_refusal,
    may_act,
    rotation_update,
    state_words,
)
from posture.rotation_plan import finalize_texts
from workers.approvals.flow import ApprovalFlow
from workers.approvals.flows import approval_flow, note_refusal, too_many_refusals
from workers.platform.context import NOT_THIS_MESSAGE, FlowContext, click_refusal, command_refusal
from workers.platform.enqueue import enqueue_rotation_cancel, enqueue_rotation_check
from workers.rotation.store import RotationIntake, RotationStore

log = logging.getLogger(__name__)
ROTATION_ID = re.compile(r"^[a-z0-9]{8,32}$")
LIVE_REQUEST = (State.PENDING, State.APPROVED, State.RUNNING)
CHANGED = "This rotation changed just now; look at its thread and try again."


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def request_rotation(
    ctx: FlowContext, actor: Actor, request: RotateTokenRequest, correlation_id: str
) -> Notice:
    """Store the ask and enqueue the check; the answer comes from the job, in the channel."""
    refused = command_refusal(ctx, actor)
    if refused:
        return Notice(text=refused)
    ticket = _new_id()
    RotationStore(ctx.connection).save_intake(
        RotationIntake(
            ticket_id=ticket,
            group_id=request.group_id,
            region=request.region,
            account=request.account,
            requester=actor.user,
            origin=actor.conversation,
            correlation_id=correlation_id,
            created_at=ctx.clock(),
        )
    )
    enqueue_rotation_check(ctx.connection, ticket, correlation_id)
    log.info("rotation check enqueued", extra={"ticket_id": ticket})
    return Notice(
        text=f"Checking {request.group_id}. If it can be rotated, a rotation request with Approve "
        "and Deny appears in this channel; otherwise I will tell you why. The token is never shown.",
        detail=f"correlation id {correlation_id}",
    )


class RotationClickOutcome(BaseModel):
    """What the clicker reads; `closed` is the clicked message's new, button-less state."""

    model_config = ConfigDict(frozen=True)

    text: str
    closed: RotationUpdate | None = None
    closed_label: str = ""


def _in_rotation_thread(rotation: Rotation, clicked: MessageRef) -> bool:
    thread = rotation.conversation.thread
    where = clicked.conversation
    return (
        bool(thread)
        and where.same_channel(rotation.conversation)
        and thread in (where.thread, clicked.message_id)
    )


def rotation_click(
    ctx: FlowContext,
    actor: Actor,
    action: RotationAction,
    rotation_id: str,
    clicked: MessageRef,
) -> RotationClickOutcome:
    if not ROTATION_ID.match(rotation_id):
        return RotationClickOutcome(text="That button is not one of ours.")
    rotation = RotationStore(ctx.connection).get(rotation_id)
    if rotation is None:
        return RotationClickOutcome(text="This rotation is no longer known.")
    refused = click_refusal(ctx, actor, rotation.conversation, clicked)
    if refused is None and not _in_rotation_thread(rotation, clicked):
        refused = NOT_THIS_MESSAGE
    if refused:
        return RotationClickOutcome(text=refused)
    slow_down = too_many_refusals(ctx, actor)
    if slow_down:
        return RotationClickOutcome(text=slow_down)
    approvers = ctx.directory.approvers()
    if not may_act(rotation, actor.user, approvers):
        return RotationClickOutcome(
            text="Only the requester or an approver can finalize or cancel a rotation."
        )
    flow = approval_flow(ctx)
    if action is RotationAction.FINALIZE:
        return finalize_rotation(ctx, rotation, actor, flow)
    cancel_refused = cancel_refusal(rotation, actor.user, approvers)
    if cancel_refused:
        note_refusal(
            ctx,
            actor,
            cancel_refused,
            {
                "rotation_id": rotation.rotation_id,
                "target": f"{rotation.resource_kind}/{rotation.group_id}",
            },
            event="rotation.cancel_refused",
        )
        return RotationClickOutcome(text=cancel_refused)
    return cancel_rotation(ctx, rotation, actor, flow)


def _live_finalize(flow: ApprovalFlow, rotation: Rotation) -> ApprovalRequest | None:
    request = flow.store.get(rotation.finalize_request_id) if rotation.finalize_request_id else None
    return request if request is not None and request.state in LIVE_REQUEST else None


def finalize_request(
    rotation: Rotation, actor: str, ttl_hours: int, now: datetime
) -> ApprovalRequest:
    texts = finalize_texts(rotation.mode, rotation.group_id, rotation.resource_kind)
    return ApprovalRequest(
        request_id=_new_id(),
        kind=RequestKind.FINALIZE,
        requester=actor,
        created_at=now,
        expires_at=default_expiry(now, ttl_hours),
        account=rotation.account,
        region=rotation.region,
        resource_kind=rotation.resource_kind,
        resource_id=rotation.group_id,
        change=texts.change,
        api_call=texts.api_call,
        risk=texts.risk,
        backout=texts.backout,
        origin=rotation.conversation,
        correlation_id=rotation.correlation_id,
    )


def finalize_rotation(
    ctx: FlowContext, rotation: Rotation, actor: Actor, flow: ApprovalFlow
) -> RotationClickOutcome:
    if _live_finalize(flow, rotation) is not None:
        return RotationClickOutcome(text="Finalize is already waiting for approval in this thread.")
    if rotation.phase not in (Phase.BOTH_VALID, Phase.FINALIZE_REQUESTED):
        return RotationClickOutcome(
            text=f"There is nothing to finalize now. {state_words(rotation)}"
        )
    now = ctx.clock()
    request = finalize_request(rotation, actor.user, ctx.bot.approval_ttl_hours, now)
    store = RotationStore(ctx.connection)
    store.link_finalize(request.request_id, rotation.rotation_id)
    moved = advance(
        rotation,
        Phase.FINALIZE_REQUESTED,
        now,
        note=f"requested by {actor.user}",
        finalize_request_id=request.request_id,
    )
    if not store.replace(rotation, moved):
        return RotationClickOutcome(text=CHANGED)
    flow.open(request)
    return RotationClickOutcome(
        text="Finalize requested. Another approver must approve it in the thread; until then "
        "both tokens keep working.",
        closed=rotation_update(rotation),
        closed_label="Finalize requested",
    )


def _withdraw_finalize(flow: ApprovalFlow, rotation: Rotation, actor: str, now: datetime) -> str:
    """Cancel a finalize request that has not started; the reason when it cannot be."""
    live = _live_finalize(flow, rotation)
    if live is None:
        return ""
    # The clicker's right to cancel this rotation was checked before we got here.
    transition = cancel(live, actor, Approvers(users=frozenset({actor})), now)
    if not isinstance(transition, Transition):
        return "Finalize is already running, so the rotation can no longer be cancelled."
    flow.apply(live, transition, actor=actor)
    return ""


def cancel_rotation(
    ctx: FlowContext, rotation: Rotation, actor: Actor, flow: ApprovalFlow
) -> RotationClickOutcome:
    """Only after `cancel_refusal` passed: an approver other than the requester."""
    if rotation.phase not in CANCELLABLE:
        return RotationClickOutcome(
            text=f"Cancel works only while both tokens work. {state_words(rotation)}"
        )
    if not rotation.can_cancel:
        return RotationClickOutcome(
            text="The previous credential was never stored in Secrets Manager, so it cannot be "
            "rotated back in. Finalize instead, or leave both working for now."
        )
    now = ctx.clock()
    blocked = _withdraw_finalize(flow, rotation, actor.user, now)
    if blocked:
        return RotationClickOutcome(text=blocked)
    store = RotationStore(ctx.connection)
    moved = advance(rotation, Phase.CANCEL_REQUESTED, now, note=f"cancelled by {actor.user}")
    if not store.replace(rotation, moved):
        return RotationClickOutcome(text=CHANGED)
    enqueue_rotation_cancel(ctx.connection, rotation.rotation_id, rotation.correlation_id)
    flow.audit.append(
        "rotation.cancel_requested",
        actor=actor.user,
        rotation_id=rotation.rotation_id,
        target=f"{rotation.resource_kind}/{rotation.group_id}",
    )
    where = rotation.conversation
    ctx.notifiers.to(where).post_rotation(where, rotation_update(moved))
    return RotationClickOutcome(
        text="Cancelling: the previous credential is being made the only one again.",
        closed=rotation_update(rotation),
        closed_label="Cancelled",
    )
