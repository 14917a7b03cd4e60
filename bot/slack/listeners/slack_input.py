"""Slack payloads into neutral input: who acted where, which message was clicked, and the
context a flow needs. Slack id formats are this front end's business (see `bot.slack.ids`).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import BoltContext
from slack_sdk import WebClient

from bot.slack.approvers import SlackApproverDirectory
from bot.slack.deps import BotDeps
from bot.slack.notifier import SlackNotifier
from posture.conversations import Actor, ConversationRef, MessageRef, Platform
from workers.platform.context import FlowContext
from workers.platform.notifier import Notifiers


def workspace_of(enterprise_id: str | None, team_id: str | None, org_wide: bool) -> str:
    """A Slack workspace as flows compare it: the team, or the org for an org-wide install."""
    if org_wide and enterprise_id:
        return f"enterprise:{enterprise_id}"
    return team_id or (f"enterprise:{enterprise_id}" if enterprise_id else "")


def installed_workspace(context: BoltContext | None) -> str:
    """The workspace the bot token belongs to (Bolt's `auth.test` result); "" when unknown."""
    result = context.authorize_result if context is not None else None
    if result is None:
        return ""
    return workspace_of(result.enterprise_id, result.team_id, org_wide=not result.team_id)


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def command_actor(body: dict[str, Any]) -> Actor:
    """The user and channel of a slash command."""
    return Actor(
        platform=Platform.SLACK,
        workspace=workspace_of(
            body.get("enterprise_id"), body.get("team_id"), _flag(body.get("is_enterprise_install"))
        ),
        user=str(body.get("user_id", "")),
        channel=str(body.get("channel_id", "")),
    )


def click_actor(body: dict[str, Any]) -> Actor:
    """The user and channel of a block_actions or view_submission payload."""
    user = body.get("user") or {}
    team = (body.get("team") or {}).get("id") or user.get("team_id")
    enterprise = (body.get("enterprise") or {}).get("id") if body.get("enterprise") else None
    container = body.get("container") or {}
    channel = (body.get("channel") or {}).get("id") or container.get("channel_id") or ""
    return Actor(
        platform=Platform.SLACK,
        workspace=workspace_of(enterprise, team, _flag(body.get("is_enterprise_install"))),
        user=str(user.get("id", "")),
        channel=str(channel),
    )


def clicked_message(body: dict[str, Any]) -> MessageRef:
    """The message whose button was clicked (empty ids when it was not a message)."""
    container = body.get("container") or {}
    actor = click_actor(body)
    conversation = ConversationRef(
        platform=Platform.SLACK,
        workspace=actor.workspace,
        channel=str(container.get("channel_id") or actor.channel),
        thread=str(container.get("thread_ts") or ""),
    )
    return MessageRef(conversation=conversation, message_id=str(container.get("message_ts") or ""))


def finding_thread(body: dict[str, Any]) -> ConversationRef:
    """Where a clicked finding's answers go: its thread, or the clicked message's own."""
    clicked = clicked_message(body)
    return clicked.as_thread if clicked.message_id else clicked.conversation


def slack_notifier(client: WebClient, deps: BotDeps) -> SlackNotifier:
    """The notifier with the approvers it mentions on approval requests."""
    bot = deps.config.bot
    return SlackNotifier(
        client,
        deps.connection,
        approver_users=bot.approver_users,
        approver_groups=bot.approver_groups,
    )


def flow_context(
    client: WebClient, deps: BotDeps, context: BoltContext | None = None
) -> FlowContext:
    return FlowContext(
        connection=deps.connection,
        config=deps.config,
        notifiers=Notifiers({Platform.SLACK: slack_notifier(client, deps)}),
        directory=SlackApproverDirectory(client, deps.connection, deps.config.bot),
        workspace=installed_workspace(context),
    )
