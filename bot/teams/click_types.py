"""What a card click carries (`Click`) and what Teams does with the answer (`ClickAnswer`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.teams.cards.elements import Card
from bot.teams.dispatch import TeamsActor
from bot.teams.references import bare_conversation_id
from posture.conversations import ConversationRef, MessageRef, Platform
from workers.approvals.flows import DecisionOutcome, DecisionResult

_THREAD_MARK = ";messageid="


@dataclass(frozen=True)
class Click:
    verb: str
    data: Mapping[str, Any]
    actor: TeamsActor
    clicked: MessageRef  # the card the button is on

    def value(self, name: str) -> str:
        raw = self.data.get(name)
        return raw if isinstance(raw, str) else ""

    @property
    def thread(self) -> ConversationRef:
        """Where answers about the clicked card go: its thread, or its chat."""
        return self.clicked.as_thread if self.clicked.message_id else self.clicked.conversation


@dataclass(frozen=True)
class ClickAnswer:
    message: str = ""
    card: Card | None = None
    replace: Card | None = None
    reply: Card | None = None


def clicked_message(actor: TeamsActor, raw_conversation_id: str, reply_to_id: str) -> MessageRef:
    """The clicked card: its conversation (with the thread root in a channel) and its id."""
    thread = ""
    if _THREAD_MARK in raw_conversation_id:
        thread = raw_conversation_id.split(_THREAD_MARK, 1)[1]
    conversation = ConversationRef(
        platform=Platform.TEAMS,
        workspace=actor.tenant_id,
        channel=bare_conversation_id(raw_conversation_id),
        thread=thread,
    )
    return MessageRef(conversation=conversation, message_id=reply_to_id)


def decision_line(outcome: DecisionOutcome, decided_by: str = "") -> str:
    """`decided_by`: who won, as shown (a display name); defaults to the stored id."""
    if outcome.result is not DecisionResult.LOST or outcome.state is None:
        return outcome.text
    shown = decided_by or outcome.decided_by
    who = f" by {shown}" if shown else ""
    return f"{outcome.text[:-1]}: the request is {outcome.state}{who}. Nothing more was changed."
