"""What each parsed request answers in Teams: parse -> call -> render, as on Slack.

`help` and `explain` need no flow (help is text, explain reads the rule catalog). The other
requests start audits, approvals, rotations and subscriptions; they wait for the neutral
flows of phase 2 and, until then, say so plainly instead of pretending.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.teams.cards.elements import Card
from bot.teams.cards.explain import render_explain_card
from bot.teams.cards.notices import render_help_card, render_notice_card
from bot.teams.commands import teams_wording
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
    SubscriptionsRequest,
    UnsubscribeRequest,
)
from posture.catalog import resolve
from posture.explain import explain_document
from posture.messages import Notice


@dataclass(frozen=True)
class TeamsActor:
    """Who asked and where, in Teams terms; phase 2 maps it onto the flows' neutral actor."""

    tenant_id: str
    user_aad_id: str  # Entra object id: stable, what approver lists hold
    user_name: str
    conversation_id: str  # the bare channel or chat id (no ;messageid=)
    conversation_type: str  # "channel", "personal" or "groupChat"


Answer = Callable[[Request, TeamsActor], Card]


def answer_help(request: Request, actor: TeamsActor) -> Card:
    assert isinstance(request, HelpRequest)
    return render_help_card(teams_wording(help_text(request.topic)))


def answer_explain(request: Request, actor: TeamsActor) -> Card:
    assert isinstance(request, ExplainRequest)
    return render_explain_card(explain_document(resolve(request.target_id)))


# Phase 2 adds an entry per request kind here, each calling its flow with the actor.
HANDLERS: Mapping[type, Answer] = MappingProxyType(
    {HelpRequest: answer_help, ExplainRequest: answer_explain}
)
WAITING_FOR_FLOWS: Mapping[type, str] = MappingProxyType(
    {
        AuditRequest: "audit",
        RotateTokenRequest: "rotate-token",
        AuditLogRequest: "log",
        SubscribeRequest: "subscribe",
        UnsubscribeRequest: "unsubscribe",
        SubscriptionsRequest: "subscriptions",
        DigestNowRequest: "digest now",
        AlertsRequest: "alerts",
    }
)


def not_wired(request: Request, actor: TeamsActor) -> Card:
    word = WAITING_FOR_FLOWS.get(type(request), "that command")
    return render_notice_card(
        Notice(
            text=f"The {word} command is understood but not wired to Teams yet, so nothing was started.",
            detail="It works from Slack and from the cachewarden command line today; "
            "help and explain work here.",
        )
    )


def answer(request: Request, actor: TeamsActor) -> Card:
    return HANDLERS.get(type(request), not_wired)(request, actor)
