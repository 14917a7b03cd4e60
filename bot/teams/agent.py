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

import redis
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
from bot.teams.cards.notices import render_error_card, render_notice_card, render_usage_card
from bot.teams.clicks import Click, ClickAnswer, answer_click, clicked_message
from bot.teams.commands import parse_teams_text, strip_mentions
from bot.teams.context import TeamsDeps
from bot.teams.credentials import AppTokenSource
from bot.teams.dispatch import TeamsActor, answer
from bot.teams.names import DisplayNames
from bot.teams.pending import is_pending_command, pending_card
from bot.teams.references import ConversationStore, bare_conversation_id, reference_from_activity
from commands.errors import UsageError
from commands.requests import Request
from posture.messages import Notice
from workers.platform.context import NOT_ENABLED, channel_allowed
from workers.platform.telemetry import correlation, new_correlation_id

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


STORE_DOWN = "The bot's store is not reachable, so nothing was done; try again in a minute."


def answer_text(deps: TeamsDeps, text: str, actor: TeamsActor) -> Card:
    """One message to the bot -> its answer card (bad input gets the usage, as on Slack)."""
    with correlation(new_correlation_id()) as cid:
        if not channel_allowed(deps.config.bot, actor.conversation_id):
            return render_notice_card(Notice(text=NOT_ENABLED))
        if is_pending_command(strip_mentions(text)):  # Teams' App Home: a personal-chat list
            try:
                return pending_card(deps.flow_context(), actor)
            except redis.RedisError:
                log.exception("pending list failed: redis")
                return render_notice_card(Notice(text=STORE_DOWN))
        try:
            request: Request = parse_teams_text(text)
        except UsageError as exc:
            return render_usage_card(exc)
        return answer(request, actor, deps.flow_context(), cid)


def run_click(deps: TeamsDeps, click: Click) -> ClickAnswer:
    with correlation(new_correlation_id()):
        try:
            return answer_click(deps.flow_context(), click)
        except redis.RedisError:
            log.exception("click failed: redis")
            return ClickAnswer(message=STORE_DOWN)


def build_agent(
    store: ConversationStore, conn: ConnectionManager, deps: TeamsDeps
) -> AgentApplication[TurnState]:
    agent = AgentApplication[TurnState](
        storage=MemoryStorage(), connection_manager=conn, start_typing_timer=False
    )
    names = DisplayNames(deps.connection)

    @agent.before_turn
    async def remember_conversation(ctx: TurnContext, state: TurnState) -> bool:
        raw = ctx.activity.model_dump(mode="json", by_alias=True, exclude_none=True)
        ref = reference_from_activity(raw)
        if ref is not None:
            await asyncio.to_thread(store.remember, ref)
        sender = actor_from(ctx.activity)  # the id stays the identity; the name is for people
        if sender.user_aad_id and sender.user_name:
            await asyncio.to_thread(names.remember, sender.user_aad_id, sender.user_name)
        return True

    @agent.adaptive_card.action_execute(re.compile(r".+"))
    async def on_card_action(ctx: TurnContext, state: TurnState, data: Any) -> Any:
        activity = ctx.activity
        action = (activity.value or {}).get("action") if isinstance(activity.value, dict) else {}
        verb = str((action or {}).get("verb") or "")
        actor = actor_from(activity)
        reply_to = str(activity.reply_to_id or "")
        raw_conversation = str(getattr(activity.conversation, "id", "") or "")
        click = Click(
            verb=verb,
            data=data if isinstance(data, dict) else {},
            actor=actor,
            clicked=clicked_message(actor, raw_conversation, reply_to),
        )
        result = await asyncio.to_thread(run_click, deps, click)
        if result.reply is not None:
            await ctx.send_activity(card_activity(result.reply))
        if result.replace is not None and reply_to:
            replacement = card_activity(result.replace)
            replacement.id = reply_to
            await ctx.update_activity(replacement)  # the card changes for everyone
        if result.card is not None:
            return card_factory.adaptive_card(result.card)  # type: ignore[arg-type]  # value: object
        return card_factory.message(result.message)

    @agent.message()  # no selector: ranks last, after any specific route
    async def on_message(ctx: TurnContext, state: TurnState) -> None:
        actor = actor_from(ctx.activity)
        card = await asyncio.to_thread(answer_text, deps, ctx.activity.text or "", actor)
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
