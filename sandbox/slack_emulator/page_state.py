"""The JSON the demo page polls: one channel's timeline as the chosen user sees it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.slack_emulator.render import BlockRenderer
from sandbox.slack_emulator.replies import SLACKBOT
from sandbox.slack_emulator.workspace import dm_owner

if TYPE_CHECKING:
    from sandbox.slack_emulator.emulator import SlackEmulator

Entry = dict[str, Any]


def page_state(
    emulator: SlackEmulator, channel: str | None, user: str | None, thread: str | None
) -> dict[str, Any]:
    ws = emulator.workspace
    humans = [u for u in ws.users if not u.is_bot]
    me = user if user and ws.user(user) else humans[0].id
    shown = channel if channel and ws.channel(channel) else ws.channels[0].id
    renderer = BlockRenderer(ws)
    return {
        "team": {"id": ws.team_id, "name": ws.team_name},
        "me": me,
        "users": [{"id": u.id, "name": u.name, "real_name": u.real_name} for u in humans],
        "channels": _channel_list(emulator, me),
        "channel": shown,
        "timeline": _timeline(emulator, renderer, shown, me),
        "thread": _thread(emulator, renderer, shown, me, thread) if thread else None,
        "home": _home(emulator, renderer, me),
        "modal": _modal(emulator, renderer, me),
        "bot_connected": bool(emulator.bot_url),
        "teams_url": emulator.teams_page_url,
    }


def _channel_list(emulator: SlackEmulator, user: str) -> list[dict[str, str]]:
    """Public channels, then the bot's DM with this user once it has messages."""
    ws = emulator.workspace
    listed = [{"id": c.id, "name": f"#{c.name}"} for c in ws.channels]
    for channel_id in emulator.message_store.channels_with_messages():
        if channel_id.startswith("D") and dm_owner(channel_id) == user:
            listed.append({"id": channel_id, "name": "@cachewarden"})
    return listed


def _entry(renderer: BlockRenderer, emulator: SlackEmulator, message: dict[str, Any]) -> Entry:
    ws = emulator.workspace
    author_id = str(message.get("user") or "")
    is_bot = bool(message.get("bot_id")) or author_id == SLACKBOT
    author = "Slackbot" if author_id == SLACKBOT else ws.display_name(author_id)
    return {
        "ts": message["ts"],
        "channel": message.get("channel"),
        "user": author_id,
        "author": author,
        "is_bot": is_bot,
        "ephemeral": bool(message.get("is_ephemeral")),
        "edited": "edited" in message,
        "thread_ts": message.get("thread_ts"),
        "reply_count": int(message.get("reply_count") or 0),
        "html": renderer.message(message),
    }


def _by_ts(entries: list[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: float(e["ts"]))


def _timeline(
    emulator: SlackEmulator, renderer: BlockRenderer, channel: str, user: str
) -> list[Entry]:
    shown = [_entry(renderer, emulator, m) for m in emulator.messages(channel)]
    private = emulator.ephemerals(channel, user)
    shown.extend(_entry(renderer, emulator, m) for m in private if not m.get("thread_ts"))
    return _by_ts(shown)


def _thread(
    emulator: SlackEmulator, renderer: BlockRenderer, channel: str, user: str, ts: str
) -> dict[str, Any] | None:
    messages = emulator.thread(channel, ts)
    if not messages:
        return None
    root = messages[0]["ts"]
    private = [m for m in emulator.ephemerals(channel, user) if m.get("thread_ts") == root]
    entries = [_entry(renderer, emulator, m) for m in messages + private]
    return {"ts": root, "messages": [entries[0], *_by_ts(entries[1:])]}


def _home(emulator: SlackEmulator, renderer: BlockRenderer, user: str) -> dict[str, Any] | None:
    view = emulator.home_views().get(user)
    if view is None:
        return None
    return {"view_id": view["id"], "html": renderer.blocks(view.get("blocks") or [])}


def _modal(emulator: SlackEmulator, renderer: BlockRenderer, user: str) -> dict[str, Any] | None:
    open_views = emulator.modals(user)
    if not open_views:
        return None
    latest = open_views[-1]
    view = latest.view
    return {
        "view_id": view["id"],
        "title": renderer.text(view.get("title")),
        # Slack shows no submit button on a modal without `submit` (e.g. a read-only one).
        "submit": renderer.text(view["submit"]) if view.get("submit") else "",
        "close": renderer.text(view.get("close") or {"type": "plain_text", "text": "Cancel"}),
        "html": renderer.blocks(view.get("blocks") or []),
        "errors": latest.errors,
    }
