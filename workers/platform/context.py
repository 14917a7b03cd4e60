"""What every flow gets from the front end that calls it, and the rules every click obeys.

A front end (the Slack app today, Teams next) builds one `FlowContext` per request: the
Redis connection, the configuration, the notifiers, its own approver directory and the
workspace it is installed in. Flows never import a front end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import redis

from posture.approvals import Approvers
from posture.conversations import Actor, ConversationRef, MessageRef
from workers.platform.config import AppConfig, BotConfig
from workers.platform.notifier import Notifiers


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ApproverDirectory(Protocol):
    """Who may decide: the configured users plus the members of the approver groups
    (Slack user groups, Entra groups), resolved by the front end that owns those ids.

    An implementation may cache group membership; it states how long a removed member
    can still decide (the Slack one: `bot.slack.approvers.CACHE_SECONDS`)."""

    def approvers(self) -> Approvers: ...


@dataclass(frozen=True)
class FlowContext:
    connection: redis.Redis
    config: AppConfig
    notifiers: Notifiers
    directory: ApproverDirectory
    workspace: str = ""  # the workspace (team, enterprise, tenant) the front end is installed in
    clock: Callable[[], datetime] = field(default=_utcnow)

    @property
    def bot(self) -> BotConfig:
        return self.config.bot


def channel_allowed(bot: BotConfig, channel: str) -> bool:
    """Commands and the messages they lead to live only in `allowed_channels` (empty: any)."""
    return not bot.allowed_channels or channel in bot.allowed_channels


def click_allowed(bot: BotConfig, channel: str) -> bool:
    """Clicks obey `allowed_channels` too; the security channel, where request copies are
    mirrored, is always allowed."""
    return channel_allowed(bot, channel) or (
        bool(bot.security_channel) and channel == bot.security_channel
    )


NOT_ENABLED = (
    "cachewarden is not enabled in this channel. Ask an admin to add it to "
    "`allowed_channels`, or use one of the enabled channels."
)
OTHER_WORKSPACE = (
    "This came from another workspace than the one this cachewarden serves; nothing was changed."
)
NOT_THIS_MESSAGE = "That button is not on this request's message; nothing was changed."


def workspace_refusal(ctx: FlowContext, actor: Actor, origin: ConversationRef) -> str | None:
    """A click counts only from the installed workspace, and from the one the ask came from."""
    if ctx.workspace and actor.workspace != ctx.workspace:
        return OTHER_WORKSPACE
    if actor.platform is not origin.platform:
        return OTHER_WORKSPACE
    if origin.workspace and actor.workspace != origin.workspace:
        return OTHER_WORKSPACE
    return None


def command_refusal(ctx: FlowContext, actor: Actor) -> str | None:
    """A command counts only from the installed workspace and in an allowed channel."""
    if ctx.workspace and actor.workspace != ctx.workspace:
        return OTHER_WORKSPACE
    if not channel_allowed(ctx.bot, actor.channel):
        return NOT_ENABLED
    return None


def click_refusal(
    ctx: FlowContext, actor: Actor, origin: ConversationRef, clicked: MessageRef
) -> str | None:
    """The common checks on a click: workspace, allowed channel, and the clicked message
    being in the clicker's channel. Each flow then checks the message is the right one."""
    refused = workspace_refusal(ctx, actor, origin)
    if refused:
        return refused
    if clicked.conversation.channel != actor.channel:
        return NOT_THIS_MESSAGE
    if not click_allowed(ctx.bot, actor.channel):
        return NOT_ENABLED
    return None


def is_message(clicked: MessageRef, expected: MessageRef) -> bool:
    """Same platform, channel and message id (threads do not matter for identity)."""
    return clicked.conversation.same_channel(expected.conversation) and (
        clicked.message_id == expected.message_id
    )
