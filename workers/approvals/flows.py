"""Approval flows any front end calls: approve or deny, request a fix, accept a risk.

Each takes a neutral `Actor` and typed input, enforces every rule (four-eyes and the
approver list in `posture.approvals.decide`, expiry, the installed workspace, allowed
channels, and the click being on the request's own message or its security-channel
copy), does the I/O and returns a neutral outcome. Front ends only parse and render.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from posture.approvals import ApprovalRequest, Decision, Refusal, RequestKind, State, decide
from posture.conversations import Actor, ConversationRef, MessageRef
from posture.findings import Finding
from posture.messages import Notice
from posture.remediation import Asked
from posture.suppressions import accept_risk_request
from workers.approvals.flow import ApprovalFlow, request_fields, subject_of
from workers.approvals.refusals import record_refusal
from workers.audit.store import AuditStore
from workers.platform.context import (
    NOT_ENABLED,
    NOT_THIS_MESSAGE,
    FlowContext,
    click_allowed,
    click_refusal,
    is_message,
    workspace_refusal,
)
from workers.platform.enqueue import enqueue_approved, enqueue_prepare_fix
from workers.platform.limits import hit, in_words, peek
from workers.platform.telemetry import current_correlation_id

log = logging.getLogger(__name__)
REQUEST_ID = re.compile(r"^[a-z0-9]{8,32}$")
FINDING_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")
NOT_OURS = "That button is not one of ours."
EXPIRED_FINDING = "That finding has expired; run the audit again to get fresh buttons."


def approval_flow(ctx: FlowContext) -> ApprovalFlow:
    return ApprovalFlow(
        ctx.connection, ctx.notifiers, security_channel=ctx.bot.security_channel, clock=ctx.clock
    )


class DecisionResult(StrEnum):
    APPROVED = "approved"
    DENIED = "denied"
    REFUSED = "refused"  # nothing changed; `text` says why
    LOST = "lost"  # someone else decided first


class DecisionOutcome(BaseModel):
    """What the clicker is told; `decided_by` names who won when the click lost."""

    model_config = ConfigDict(frozen=True)

    result: DecisionResult
    text: str
    state: State | None = None
    decided_by: str | None = None


def _refused(text: str) -> DecisionOutcome:
    return DecisionOutcome(result=DecisionResult.REFUSED, text=text)


def _on_request_message(ctx: FlowContext, request: ApprovalRequest, clicked: MessageRef) -> bool:
    """The click is on the request's message or its security-channel copy.

    Between posting and recording the message ids (a few milliseconds) only the places
    are known: the request's own thread, or the security channel's top level."""
    if any(is_message(clicked, shown) for shown in request.messages):
        return True
    if request.posted is not None:
        return False
    where = clicked.conversation
    in_origin = where.same_channel(request.origin) and where.thread == request.origin.thread
    in_security = bool(ctx.bot.security_channel) and where.channel == ctx.bot.security_channel
    return in_origin or (in_security and not where.thread)


SLOW_DOWN = "too many refused clicks"


def too_many_refusals(ctx: FlowContext, actor: Actor) -> str | None:
    """A user whose clicks keep being refused is asked to wait, and costs nothing meanwhile."""
    limits = ctx.config.limits
    seen = peek(
        ctx.connection,
        "refused-click",
        actor.user,
        limit=limits.refused_clicks_per_user,
        seconds=limits.refused_click_window_seconds,
        now=ctx.clock(),
    )
    if seen.allowed:
        return None
    return (
        f"Your last {seen.count} clicks were refused, so cachewarden is ignoring your clicks "
        f"for {in_words(seen.retry_after)}. Nothing was changed."
    )


def note_refusal(
    ctx: FlowContext,
    actor: Actor,
    reason: str,
    fields: dict[str, str],
    *,
    event: str = "decision.refused",
    **extra: str,
) -> None:
    """Count a refused click against the user, and log it once per request, actor and reason."""
    limits = ctx.config.limits
    hit(
        ctx.connection,
        "refused-click",
        actor.user,
        limit=limits.refused_clicks_per_user,
        seconds=limits.refused_click_window_seconds,
        now=ctx.clock(),
    )
    record_refusal(
        ctx.connection,
        actor=actor.user,
        reason=reason,
        fields={**fields, **extra},
        now=ctx.clock(),
        window_seconds=limits.refusal_log_window_seconds,
        event=event,
    )


def _place_refusal(
    ctx: FlowContext, actor: Actor, request: ApprovalRequest, clicked: MessageRef | None
) -> str | None:
    """Where the decision came from: the request's own messages, or (None) the decider's
    own home page, which is no channel but must still be the request's workspace."""
    if clicked is None:
        return workspace_refusal(ctx, actor, request.origin)
    refused = click_refusal(ctx, actor, request.origin, clicked)
    if refused is None and not _on_request_message(ctx, request, clicked):
        refused = NOT_THIS_MESSAGE
    return refused


def decision_refusal(
    ctx: FlowContext,
    actor: Actor,
    request_id: str,
    decision: Decision,
    clicked: MessageRef | None,
) -> tuple[ApprovalRequest | None, str | None]:
    """A dry look before asking a denier for a reason: the request, and why the decision
    would be refused (None when it would count). Records nothing; `decide_request` decides."""
    if not REQUEST_ID.match(request_id):
        return None, NOT_OURS
    request = approval_flow(ctx).store.get(request_id)
    if request is None:
        return None, "This request is no longer known; ask for a new one."
    refused = _place_refusal(ctx, actor, request, clicked)
    if refused:
        return request, refused
    outcome = decide(request, actor.user, decision, ctx.clock(), ctx.directory.approvers())
    return request, outcome.message if isinstance(outcome, Refusal) else None


# A denial's reason: the requester reads it on the request, the audit log keeps it.
DENY_REASON_MIN = 5
DENY_REASON_MAX = 500


def deny_reason(typed: str) -> str:
    """The reason as kept: whitespace runs become one space."""
    return " ".join(str(typed or "").split())


def deny_reason_problem(reason: str) -> str | None:
    """Why a typed reason cannot deny a request (every front end's form says the same)."""
    if len(reason) < DENY_REASON_MIN:
        return f"Give a reason of {DENY_REASON_MIN} characters or more."
    if len(reason) > DENY_REASON_MAX:
        return f"Give a reason of at most {DENY_REASON_MAX} characters."
    return None


def decide_request(
    ctx: FlowContext,
    actor: Actor,
    request_id: str,
    decision: Decision,
    clicked: MessageRef | None,
    *,
    reason: str = "",
) -> DecisionOutcome:
    """Approve or deny one request by compare-and-set; only the winner starts a job.

    `clicked` is the message the button was on, or None for the decider's home page;
    every rule (four-eyes, approvers, expiry, workspace) holds in both places."""
    if not REQUEST_ID.match(request_id):
        return _refused(NOT_OURS)
    slow_down = too_many_refusals(ctx, actor)
    if slow_down:
        note_refusal(ctx, actor, SLOW_DOWN, {"request_id": request_id}, decision=str(decision))
        return _refused(slow_down)
    flow = approval_flow(ctx)
    request = flow.store.get(request_id)
    if request is None:
        return _refused("This request is no longer known; ask for a new one.")
    refused = _place_refusal(ctx, actor, request, clicked)
    outcome = (
        Refusal(message=refused)
        if refused
        else decide(
            request, actor.user, decision, ctx.clock(), ctx.directory.approvers(), reason=reason
        )
    )
    if isinstance(outcome, Refusal):
        log.info("decision refused", extra={"request_id": request_id, "reason": outcome.message})
        note_refusal(ctx, actor, outcome.message, request_fields(request), decision=str(decision))
        if outcome.expire is not None:
            flow.apply(request, outcome.expire)
        return _refused(outcome.message)
    won, current = flow.apply(request, outcome, actor=actor.user)
    if not won or current is None:
        return DecisionOutcome(
            result=DecisionResult.LOST,
            text="This request no longer exists."
            if current is None
            else "Someone else decided first.",
            state=current.state if current else None,
            decided_by=current.decided_by if current else None,
        )
    if current.state is State.APPROVED:
        enqueue_approved(ctx.connection, current)
        return DecisionOutcome(
            result=DecisionResult.APPROVED,
            text="Approved. The job starts now; its progress and result appear on the request.",
            state=current.state,
        )
    return DecisionOutcome(
        result=DecisionResult.DENIED,
        text="Denied. The requester sees your decision on the request; nothing was changed.",
        state=current.state,
    )


def deny_with_reason(
    ctx: FlowContext, actor: Actor, request_id: str, typed: str, clicked: MessageRef | None
) -> DecisionOutcome:
    """Deny from a form that sends the reason with the click (Teams): a decision that would be
    refused anyway (the requester, a non-approver, a closed request) is refused in the flow's
    own words, whatever was typed; otherwise the reason must pass `deny_reason_problem`."""
    reason = deny_reason(typed)
    _, refused = decision_refusal(ctx, actor, request_id, Decision.DENY, clicked)
    if refused is None:
        problem = deny_reason_problem(reason)
        if problem:
            return _refused(problem)
    return decide_request(ctx, actor, request_id, Decision.DENY, clicked, reason=reason)


def finding_for_click(ctx: FlowContext, actor: Actor, finding_id: str) -> Finding | Notice:
    """The finding a button on an audit thread names, or why the click does nothing."""
    if not FINDING_ID.match(finding_id):
        return Notice(text=NOT_OURS)
    refused = workspace_refusal(ctx, actor, actor.conversation)
    if refused:
        return Notice(text=refused)
    if not click_allowed(ctx.bot, actor.channel):
        return Notice(text=NOT_ENABLED)
    finding = AuditStore(ctx.connection).get_finding(finding_id)
    return finding if finding is not None else Notice(text=EXPIRED_FINDING)


def request_fix(ctx: FlowContext, actor: Actor, finding_id: str, where: ConversationRef) -> Notice:
    """Hand the finding to the job that reads it fresh and posts the plan in `where`."""
    found = finding_for_click(ctx, actor, finding_id)
    if isinstance(found, Notice):
        return found
    queued = enqueue_prepare_fix(
        ctx.connection,
        finding_id,
        actor.user,
        where.channel,
        where.thread,
        platform=where.platform,
        workspace=where.workspace,
    )
    if not queued:
        return Notice(
            text="A fix request for this finding is already being prepared; it will appear in this thread."
        )
    return Notice(
        text=f"Preparing a fix for {found.rule_id} on {found.resource_id}: cachewarden reads it "
        "as it is now and posts the exact change in this thread for an approver."
    )


@dataclass(frozen=True)
class AcceptRiskInput:
    """A filled accept-risk form: the finding, its thread, why and until when (validated)."""

    finding_id: str
    where: ConversationRef
    reason: str
    until: datetime


def request_accept_risk(ctx: FlowContext, actor: Actor, form: AcceptRiskInput) -> Notice | None:
    """Open an ACCEPT_RISK request in the finding's thread; a Notice for the asker when not."""
    found = finding_for_click(ctx, actor, form.finding_id)
    if isinstance(found, Notice):
        return found
    flow = approval_flow(ctx)
    request_id = uuid.uuid4().hex[:16]
    ttl_hours = ctx.bot.approval_ttl_hours
    existing = flow.claim_open(
        subject_of(found, RequestKind.ACCEPT_RISK), request_id, ttl_hours * 3600
    )
    if existing:
        return Notice(
            text=f"An accept-risk request for this finding is already open (request {existing})."
        )
    asked = Asked(
        request_id=request_id,
        requester=actor.user,
        finding_id=form.finding_id,
        where=form.where,
        now=ctx.clock(),
        ttl_hours=ttl_hours,
        correlation_id=current_correlation_id(),
    )
    flow.open(accept_risk_request(found, asked, reason=form.reason, until=form.until))
    return None
