"""/cache-rotate-token and the rotation's Finalize and Cancel buttons. Never calls AWS.

The command stores what was asked and enqueues the check job. Finalize opens a FINALIZE
approval request in the rotation's thread (someone other than the clicker approves it);
Cancel moves the rotation to cancelling and enqueues the job that rotates back. Both
buttons carry only the rotation id and are open to the requester and the approvers.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import redis
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.actions import ActionId
from bot.approvers import resolve_approvers
from bot.listeners.approvals import approval_flow
from bot.listeners.replies import notice_payload
from bot.render.slack_rotation import render_rotation_closed
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
from posture.rotation import (
    CANCELLABLE,
    Phase,
    Rotation,
    advance,
    rotation_update,
    state_words,
)
from posture.rotation_plan import finalize_texts
from workers.approval_flow import ApprovalFlow
from workers.enqueue import enqueue_rotation_cancel, enqueue_rotation_check
from workers.rotation_store import RotationIntake, RotationStore
from workers.telemetry import correlation, new_correlation_id

if TYPE_CHECKING:
    from bot.app import BotDeps

log = logging.getLogger(__name__)
ROTATION_ID = re.compile(r"^[a-z0-9]{8,32}$")
Clock = Callable[[], datetime]
LIVE_REQUEST = (State.PENDING, State.APPROVED, State.RUNNING)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def answer_rotate(
    request: RotateTokenRequest, body: dict[str, Any], deps: BotDeps, cid: str
) -> dict[str, Any]:
    """Store the ask and enqueue the check; the answer comes from the job, in the channel."""
    ticket = _new_id()
    RotationStore(deps.connection).save_intake(
        RotationIntake(
            ticket_id=ticket,
            group_id=request.group_id,
            region=request.region,
            account=request.account,
            requester=str(body.get("user_id", "")),
            channel=str(body.get("channel_id", "")),
            correlation_id=cid,
            created_at=_utcnow(),
        )
    )
    enqueue_rotation_check(deps.connection, ticket, cid)
    log.info("rotation check enqueued", extra={"ticket_id": ticket})
    return notice_payload(
        f"Checking {request.group_id}. If it can be rotated, a rotation request with Approve and "
        "Deny appears in this channel; otherwise I will tell you why. The token is never shown.",
        detail=f"correlation id {cid}",
    )


@dataclass(frozen=True)
class ClickAnswer:
    """What the clicker reads, and what the clicked message becomes (None: unchanged)."""

    private: str
    replace_with: tuple[str, list[dict[str, Any]]] | None = None


def _may_act(rotation: Rotation, actor: str, client: WebClient, deps: BotDeps) -> bool:
    approvers = resolve_approvers(client, deps.connection, deps.config.bot)
    return actor == rotation.requester or approvers.allows(actor)


def _live_finalize(flow: ApprovalFlow, rotation: Rotation) -> ApprovalRequest | None:
    request = flow.store.get(rotation.finalize_request_id) if rotation.finalize_request_id else None
    return request if request is not None and request.state in LIVE_REQUEST else None


def finalize_request(
    rotation: Rotation, actor: str, deps: BotDeps, now: datetime
) -> ApprovalRequest:
    texts = finalize_texts(rotation.mode, rotation.group_id)
    return ApprovalRequest(
        request_id=_new_id(),
        kind=RequestKind.FINALIZE,
        requester=actor,
        created_at=now,
        expires_at=default_expiry(now, deps.config.bot.approval_ttl_hours),
        account=rotation.account,
        region=rotation.region,
        resource_kind="replication_group",
        resource_id=rotation.group_id,
        change=texts.change,
        api_call=texts.api_call,
        risk=texts.risk,
        backout=texts.backout,
        channel=rotation.channel,
        thread_ts=rotation.thread_ts,
        correlation_id=rotation.correlation_id,
    )


def finalize_click(
    rotation: Rotation, actor: str, flow: ApprovalFlow, deps: BotDeps, clock: Clock
) -> ClickAnswer:
    if _live_finalize(flow, rotation) is not None:
        return ClickAnswer("Finalize is already waiting for approval in this thread.")
    if rotation.phase not in (Phase.BOTH_VALID, Phase.FINALIZE_REQUESTED):
        return ClickAnswer(f"There is nothing to finalize now. {state_words(rotation)}")
    now = clock()
    request = finalize_request(rotation, actor, deps, now)
    store = RotationStore(deps.connection)
    store.link_finalize(request.request_id, rotation.rotation_id)
    moved = advance(
        rotation,
        Phase.FINALIZE_REQUESTED,
        now,
        note=f"requested by {actor}",
        finalize_request_id=request.request_id,
    )
    if not store.replace(rotation, moved):
        return ClickAnswer("This rotation changed just now; look at its thread and try again.")
    flow.open(request)
    closed = render_rotation_closed(rotation_update(rotation), actor, "Finalize requested")
    return ClickAnswer(
        "Finalize requested. Another approver must approve it in the thread; until then both "
        "tokens keep working.",
        closed,
    )


def _withdraw_finalize(flow: ApprovalFlow, rotation: Rotation, actor: str, now: datetime) -> str:
    """Cancel a finalize request that has not started; the reason when it cannot be."""
    live = _live_finalize(flow, rotation)
    if live is None:
        return ""
    # The clicker's right to act on this rotation was checked before we got here.
    transition = cancel(live, actor, Approvers(users=frozenset({actor})), now)
    if not isinstance(transition, Transition):
        return "Finalize is already running, so the rotation can no longer be cancelled."
    flow.apply(live, transition, actor=actor)
    return ""


def cancel_click(
    rotation: Rotation, actor: str, flow: ApprovalFlow, deps: BotDeps, clock: Clock
) -> ClickAnswer:
    if rotation.phase not in CANCELLABLE:
        return ClickAnswer(f"Cancel works only while both tokens work. {state_words(rotation)}")
    if not rotation.can_cancel:
        return ClickAnswer(
            "The previous credential was never stored in Secrets Manager, so it cannot be "
            "rotated back in. Finalize instead, or leave both working for now."
        )
    now = clock()
    blocked = _withdraw_finalize(flow, rotation, actor, now)
    if blocked:
        return ClickAnswer(blocked)
    store = RotationStore(deps.connection)
    moved = advance(rotation, Phase.CANCEL_REQUESTED, now, note=f"cancelled by {actor}")
    if not store.replace(rotation, moved):
        return ClickAnswer("This rotation changed just now; look at its thread and try again.")
    enqueue_rotation_cancel(deps.connection, rotation.rotation_id, rotation.correlation_id)
    flow.audit.append(
        "rotation.cancel_requested",
        actor=actor,
        rotation_id=rotation.rotation_id,
        target=f"replication_group/{rotation.group_id}",
    )
    flow.notifier.post_rotation(
        rotation.channel, rotation_update(moved), thread_ts=rotation.thread_ts or None
    )
    closed = render_rotation_closed(rotation_update(rotation), actor, "Cancelled")
    return ClickAnswer(
        "Cancelling: the previous credential is being made the only one again.", closed
    )


def rotation_click(
    action_id: str,
    rotation_id: str,
    actor: str,
    client: WebClient,
    deps: BotDeps,
    clock: Clock = _utcnow,
) -> ClickAnswer:
    if not ROTATION_ID.match(rotation_id):
        return ClickAnswer("That button is not one of ours.")
    rotation = RotationStore(deps.connection).get(rotation_id)
    if rotation is None:
        return ClickAnswer("This rotation is no longer known.")
    if not _may_act(rotation, actor, client, deps):
        return ClickAnswer("Only the requester or an approver can finalize or cancel a rotation.")
    flow = approval_flow(client, deps, clock)
    if action_id == ActionId.FINALIZE:
        return finalize_click(rotation, actor, flow, deps, clock)
    return cancel_click(rotation, actor, flow, deps, clock)


def _private(text: str) -> dict[str, Any]:
    payload = notice_payload(text)
    payload["replace_original"] = False
    return payload


def handle_rotation_click(
    ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: BotDeps
) -> None:
    ack()
    action = (body.get("actions") or [{}])[0]
    action_id = str(action.get("action_id", ""))
    actor = str((body.get("user") or {}).get("id", ""))
    with correlation(new_correlation_id()) as cid:
        outcome = "ok"
        try:
            answer = rotation_click(action_id, str(action.get("value", "")), actor, client, deps)
        except redis.RedisError:
            log.exception("rotation click failed: redis")
            outcome = "error"
            answer = ClickAnswer(f"The bot's store is not reachable; nothing changed ({cid}).")
        if answer.replace_with is not None:
            text, blocks = answer.replace_with
            respond(text=text, blocks=blocks, replace_original=True)
        deps.metrics.commands.labels(command=action_id, outcome=outcome).inc()
        respond(**_private(answer.private))


def register(app: App, deps: BotDeps) -> None:
    def on_click(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        handle_rotation_click(ack, body, respond, client, deps)

    for action_id in (ActionId.FINALIZE, ActionId.CANCEL):
        app.action(str(action_id))(on_click)
