"""Everything a Web API method handler may touch, plus small parameter helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sandbox.slack_emulator.artifacts import FileStore, ViewStore
from sandbox.slack_emulator.ids import IdMint
from sandbox.slack_emulator.limits import ApiError
from sandbox.slack_emulator.store import Message, MessageStore
from sandbox.slack_emulator.workspace import Channel, Workspace

Params = dict[str, Any]
TS_PATTERN = re.compile(r"^\d{1,12}\.\d{1,6}$")


@dataclass(frozen=True)
class ApiContext:
    workspace: Workspace
    messages: MessageStore
    files: FileStore
    views: ViewStore
    mint: IdMint
    base_url: str

    def bot_fields(self) -> Message:
        """Who a message posted with the bot token is from."""
        ws = self.workspace
        return {
            "user": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "app_id": ws.app_id,
            "team": ws.team_id,
            "bot_profile": {"id": ws.bot_id, "app_id": ws.app_id, "name": "cachewarden"},
        }

    def channel(self, params: Params, name: str = "channel") -> Channel:
        channel_id = params.get(name)
        found = self.workspace.resolve_channel(channel_id) if channel_id else None
        if found is None:
            raise ApiError("channel_not_found")
        return found

    def permalink(self, channel: str, ts: str, thread_ts: str | None = None) -> str:
        """Shaped like Slack's (https, the workspace's domain); the demo page opens the
        path `/archives/...` on this server itself when such a link is clicked."""
        host = f"https://{self.workspace.team_domain}.slack.com/"
        link = f"{host}archives/{channel}/p{ts.replace('.', '')}"
        return f"{link}?thread_ts={thread_ts}&cid={channel}" if thread_ts else link


def required(params: Params, name: str, error: str = "invalid_arguments") -> Any:
    value = params.get(name)
    if value in (None, ""):
        raise ApiError(error)
    return value


def valid_ts(value: Any, error: str) -> str:
    if not isinstance(value, str) or not TS_PATTERN.match(value):
        raise ApiError(error)
    return value


def flag(value: Any) -> bool:
    """Form bodies send booleans as "1"/"true"; JSON bodies send real booleans."""
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def public_message(message: Message) -> Message:
    """A stored message without the emulator's bookkeeping, as the Web API shows it."""
    hidden = ("channel", "user_visible_to", "is_ephemeral")
    return {k: v for k, v in message.items() if k not in hidden}
