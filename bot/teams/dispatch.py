"""What each parsed request answers in Teams: parse -> call the neutral flow -> render.

Every request kind calls the same flow as the Slack slash command (workers.*.flows) with a
neutral `Actor` (platform teams, the tenant id, the sender's Entra object id, the bare
conversation id), so both front ends share every rule and every answer's words.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import redis

from bot.teams.cards.audit_log import render_audit_log_card
from bot.teams.cards.elements import Card
from bot.teams.cards.explain import render_explain_card
from bot.teams.cards.notices import (
    render_help_card,
    render_notice_card,
    render_scope_problem_card,
)
from bot.teams.commands import MANIFEST_COMMANDS, teams_wording
from bot.teams.names import DisplayNames
from commands.help import help_text
from commands.requests import (
    AlertsRequest,
    AuditLogRequest,
    AuditRequest,
    DigestNowRequest,
    ExplainRequest,
    HelpRequest,
    Request,
    RotateTokenRequest,
    SubscribeRequest,
    SubscriptionRequest,
    SubscriptionsRequest,
    UnsubscribeRequest,
)
from commands.scope_check import ScopeProblem
from posture.catalog import resolve
from posture.conversations import Actor, ConversationRef, Platform
from posture.explain import explain_document
from posture.messages import Notice
from workers.alerts.subscriptions import switch_alerts
from workers.audit.flows import request_audit
from workers.digest.flows import answer_subscription
from workers.platform.context import FlowContext
from workers.rotation.flows import request_rotation
from workers.trail.flows import view_audit_log

log = logging.getLogger(__name__)
QUEUE_DOWN = (
    "The job queue is not reachable right now, so nothing was started. "
    "Please try again in a minute."
)
LOG_IN_PERSONAL_CHAT = (
    "Teams has no private replies in channels, so the audit log is shown only in a personal "
    "chat with cachewarden: open one and send log there."
)


@dataclass(frozen=True)
class TeamsActor:
    """Who asked and where, in Teams terms."""

    tenant_id: str
    user_aad_id: str  # Entra object id: stable, what approver lists hold
    user_name: str
    conversation_id: str  # the bare channel or chat id (no ;messageid=)
    conversation_type: str  # "channel", "personal" or "groupChat"

    def neutral(self) -> Actor:
        return Actor(
            platform=Platform.TEAMS,
            workspace=self.tenant_id,
            user=self.user_aad_id.lower(),
            channel=self.conversation_id,
        )

    @property
    def conversation(self) -> ConversationRef:
        return self.neutral().conversation


Answer = Callable[[Request, TeamsActor, FlowContext, str], Card]


def _notice(notice: Notice) -> Card:
    return render_notice_card(Notice(text=teams_wording(notice.text), detail=notice.detail))


def answer_help(request: Request, actor: TeamsActor, ctx: FlowContext, cid: str) -> Card:
    assert isinstance(request, HelpRequest)
    if request.topic:
        return render_help_card(teams_wording(help_text(request.topic)))
    width = max(len(title) for title, _ in MANIFEST_COMMANDS) + 2
    lines = [f"{title:<{width}}{text}" for title, text in MANIFEST_COMMANDS]
    intro = (
        "cachewarden keeps ElastiCache secure from chat. Send one of these "
        "(in a channel, @mention cachewarden first):"
    )
    return render_help_card("\n".join([intro, *lines]))


def answer_explain(request: Request, actor: TeamsActor, ctx: FlowContext, cid: str) -> Card:
    assert isinstance(request, ExplainRequest)
    return render_explain_card(explain_document(resolve(request.target_id)))


def answer_audit(request: Request, actor: TeamsActor, ctx: FlowContext, cid: str) -> Card:
    assert isinstance(request, AuditRequest)
    answer = request_audit(ctx, actor.neutral(), request, cid)
    if isinstance(answer, ScopeProblem):  # nothing was queued; say why, with buttons
        original = "" if request.scope.describe() == "everything" else request.scope.describe()
        return render_scope_problem_card(
            teams_wording(answer.message), answer.suggestions, original
        )
    return _notice(answer)


def answer_rotate(request: Request, actor: TeamsActor, ctx: FlowContext, cid: str) -> Card:
    assert isinstance(request, RotateTokenRequest)
    return _notice(request_rotation(ctx, actor.neutral(), request, cid))


def answer_log(request: Request, actor: TeamsActor, ctx: FlowContext, cid: str) -> Card:
    assert isinstance(request, AuditLogRequest)
    if actor.conversation_type != "personal":
        return _notice(Notice(text=LOG_IN_PERSONAL_CHAT))
    view = view_audit_log(ctx, actor.neutral(), request)
    if isinstance(view, Notice):
        return _notice(view)
    actors = [str(e.fields.get("actor", "")) for e in view.entries]
    names = DisplayNames(ctx.connection).names(actors)
    return render_audit_log_card(view.entries, view.limit, names)


def answer_subscriptions(request: Request, actor: TeamsActor, ctx: FlowContext, cid: str) -> Card:
    assert isinstance(request, SubscriptionRequest)
    return _notice(answer_subscription(ctx, actor.neutral(), request))


def answer_alerts(request: Request, actor: TeamsActor, ctx: FlowContext, cid: str) -> Card:
    """The same flow as Slack's `/cache-audit alerts on|off`, keyed by the bare conversation id,
    so alerts post as new posts in the channel (or chat) and follow-ups in their reply chain."""
    assert isinstance(request, AlertsRequest)
    return _notice(switch_alerts(ctx.connection, ctx.config.alerts, actor.conversation, request))


HANDLERS: Mapping[type, Answer] = MappingProxyType(
    {
        HelpRequest: answer_help,
        ExplainRequest: answer_explain,
        AuditRequest: answer_audit,
        RotateTokenRequest: answer_rotate,
        AuditLogRequest: answer_log,
        SubscribeRequest: answer_subscriptions,
        UnsubscribeRequest: answer_subscriptions,
        SubscriptionsRequest: answer_subscriptions,
        DigestNowRequest: answer_subscriptions,
        AlertsRequest: answer_alerts,
    }
)


def unsupported(request: Request, actor: TeamsActor, ctx: FlowContext, cid: str) -> Card:
    return render_notice_card(Notice(text="That request is not supported."))


def answer(request: Request, actor: TeamsActor, ctx: FlowContext, cid: str) -> Card:
    """The answer card; a Redis outage is said plainly, as on Slack."""
    try:
        return HANDLERS.get(type(request), unsupported)(request, actor, ctx, cid)
    except redis.RedisError:
        log.exception("queue unavailable")
        return render_notice_card(Notice(text=QUEUE_DOWN, detail=f"correlation id {cid}"))
