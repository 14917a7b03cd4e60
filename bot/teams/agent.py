"""The Teams bot on the Microsoft 365 Agents SDK: activity handlers, parse -> answer -> render.

Traps handled here (docs/teams-sdk.md): the catch-all message route has no selector so it
ranks last; an error handler is always registered, so no exception text reaches a chat;
typing indicators are off; the SDK's outbound host validator stays off because the
inbound token check already binds serviceUrl to a token signed by the Bot Connector.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from typing import Any

from microsoft_agents.activity import Activity, ActivityTypes, Attachment
from microsoft_agents.hosting.core import (
    AgentApplication,
    AgentAuthConfiguration,
    AnonymousTokenProvider,
    ConnectionManager,
    MemoryStorage,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.app.adaptive_card import factory as card_factory

from bot.teams.cards.elements import CARD_CONTENT_TYPE, Card
from bot.teams.cards.notices import render_error_card, render_usage_card
from bot.teams.commands import parse_teams_text
from bot.teams.credentials import AppTokenSource
from bot.teams.dispatch import TeamsActor, answer
from bot.teams.references import ConversationStore, bare_conversation_id, reference_from_activity
from commands.errors import UsageError

log = logging.getLogger(__name__)
CONNECTION = "SERVICE_CONNECTION"


class SourceTokenProvider:
    """The SDK's token provider interface over our AppTokenSource (MSAL or anonymous)."""

    def __init__(self, source: AppTokenSource, configuration: AgentAuthConfiguration) -> None:
        self._source = source
        self._configuration = configuration

    @property
    def configuration(self) -> AgentAuthConfiguration:
        return self._configuration

    async def get_access_token(
        self, resource_url: str, scopes: list[str], force_refresh: bool = False
    ) -> str:
        token = await asyncio.to_thread(self._source.token)
        return token or ""

    def get_token_credential(self) -> Any:
        raise NotImplementedError("cachewarden calls no Azure SDK clients")


def connection_manager(
    source: AppTokenSource, *, app_id: str, tenant_id: str, anonymous: bool
) -> ConnectionManager:
    config = AgentAuthConfiguration(
        client_id=app_id or None, tenant_id=tenant_id, anonymous_allowed=anonymous
    )

    def provider(configuration: AgentAuthConfiguration) -> Any:
        if anonymous:
            return AnonymousTokenProvider()
        return SourceTokenProvider(source, configuration)

    return ConnectionManager(
        provider_factory=provider, connections_configurations={CONNECTION: config}
    )


def card_activity(card: Card) -> Activity:
    return Activity(
        type=ActivityTypes.message,
        attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card)],
    )


def actor_from(activity: Activity) -> TeamsActor:
    conversation = activity.conversation
    sender = activity.from_property
    return TeamsActor(
        tenant_id=str(getattr(conversation, "tenant_id", "") or ""),
        user_aad_id=str(getattr(sender, "aad_object_id", "") or ""),
        user_name=str(getattr(sender, "name", "") or ""),
        conversation_id=bare_conversation_id(str(getattr(conversation, "id", "") or "")),
        conversation_type=str(getattr(conversation, "conversation_type", "") or ""),
    )


def build_agent(store: ConversationStore, conn: ConnectionManager) -> AgentApplication[TurnState]:
    agent = AgentApplication[TurnState](
        storage=MemoryStorage(), connection_manager=conn, start_typing_timer=False
    )

    @agent.before_turn
    async def remember_conversation(ctx: TurnContext, state: TurnState) -> bool:
        raw = ctx.activity.model_dump(mode="json", by_alias=True, exclude_none=True)
        ref = reference_from_activity(raw)
        if ref is not None:
            await asyncio.to_thread(store.remember, ref)
        return True

    @agent.adaptive_card.action_execute(re.compile(r".+"))
    async def on_card_action(ctx: TurnContext, state: TurnState, data: Any) -> Any:
        # Phase 2: dispatch by verb (bot.teams.verbs) to the approval, fix and rotation flows,
        # answer with the redrawn card and update_activity(reply_to_id) for everyone.
        return card_factory.message(
            "This button is not wired to Teams yet, so nothing was done. "
            "Use Slack or the cachewarden command line for now."
        )

    @agent.message()  # no selector: ranks last, after any specific route
    async def on_message(ctx: TurnContext, state: TurnState) -> None:
        try:
            request = parse_teams_text(ctx.activity.text or "")
        except UsageError as exc:
            await ctx.send_activity(card_activity(render_usage_card(exc)))
            return
        card = await asyncio.to_thread(answer, request, actor_from(ctx.activity))
        await ctx.send_activity(card_activity(card))

    @agent.error
    async def on_error(ctx: TurnContext, error: Exception) -> None:
        reference = uuid.uuid4().hex[:12]
        log.error(
            "teams turn failed",
            exc_info=(type(error), error, error.__traceback__),
            extra={"correlation_id": reference},
        )
        if ctx.activity.type != ActivityTypes.message:
            return
        try:
            await ctx.send_activity(card_activity(render_error_card(reference)))
        except Exception:  # the reply failed too: the log already has the cause
            log.warning(
                "could not tell the user about a failed turn", extra={"correlation_id": reference}
            )

    return agent
