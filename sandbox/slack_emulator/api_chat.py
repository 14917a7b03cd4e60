"""auth.*, chat.* and conversations.* Web API methods."""

from __future__ import annotations

from typing import Any

from sandbox.slack_emulator.api_context import (
    ApiContext,
    Params,
    flag,
    public_message,
    required,
    valid_ts,
)
from sandbox.slack_emulator.limits import ApiError, check_message_content, decode_json_param

Reply = dict[str, Any]


def auth_test(ctx: ApiContext, params: Params) -> Reply:
    ws = ctx.workspace
    return {
        "ok": True,
        "url": ctx.base_url,
        "team": ws.team_name,
        "user": "cachewarden",
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


def message_content(params: Params) -> dict[str, Any]:
    """text/blocks/attachments from either body style, blocks decoded from JSON if needed."""
    content: dict[str, Any] = {}
    for name in ("text", "blocks", "attachments", "metadata"):
        if name in params and params[name] is not None:
            value = params[name]
            content[name] = value if name == "text" else decode_json_param(value, f"invalid_{name}")
    return content


def chat_post_message(ctx: ApiContext, params: Params) -> Reply:
    channel = ctx.channel(params)
    content = message_content(params)
    check_message_content(content.get("text"), content.get("blocks"), content.get("attachments"))
    fields = {**ctx.bot_fields(), **content}
    if params.get("thread_ts"):
        fields["thread_ts"] = valid_ts(params["thread_ts"], "invalid_thread_ts")
        if flag(params.get("reply_broadcast")):
            fields["reply_broadcast"] = True
    stored = ctx.messages.add(channel.id, fields)
    return {
        "ok": True,
        "channel": channel.id,
        "ts": stored["ts"],
        "message": public_message(stored),
    }


def chat_update(ctx: ApiContext, params: Params) -> Reply:
    channel = ctx.channel(params)
    ts = required(params, "ts", "message_not_found")
    existing = ctx.messages.find(channel.id, ts)
    if existing is None:
        raise ApiError("message_not_found")
    if existing.get("bot_id") != ctx.workspace.bot_id:
        raise ApiError("cant_update_message")
    content = message_content(params)
    if not content:
        raise ApiError("no_text")
    merged = {**existing, **content}
    check_message_content(merged.get("text"), merged.get("blocks"), merged.get("attachments"))
    content["edited"] = {"user": ctx.workspace.bot_user_id, "ts": ctx.mint.ts()}
    updated = ctx.messages.update(channel.id, ts, content) or merged
    return {
        "ok": True,
        "channel": channel.id,
        "ts": ts,
        "text": updated.get("text", ""),
        "message": public_message(updated),
    }


def chat_post_ephemeral(ctx: ApiContext, params: Params) -> Reply:
    channel = ctx.channel(params)
    user = ctx.workspace.user(str(params.get("user") or ""))
    if user is None or user.is_bot:
        raise ApiError("user_not_in_channel")
    content = message_content(params)
    check_message_content(content.get("text"), content.get("blocks"), content.get("attachments"))
    fields = {**ctx.bot_fields(), **content}
    if params.get("thread_ts"):
        fields["thread_ts"] = valid_ts(params["thread_ts"], "invalid_thread_ts")
    stored = ctx.messages.add_ephemeral(channel.id, user.id, fields)
    return {"ok": True, "message_ts": stored["ts"]}


def chat_get_permalink(ctx: ApiContext, params: Params) -> Reply:
    channel = ctx.channel(params)
    ts = required(params, "message_ts", "message_not_found")
    message = ctx.messages.find(channel.id, ts)
    if message is None:
        raise ApiError("message_not_found")
    thread_ts = message.get("thread_ts")
    return {
        "ok": True,
        "channel": channel.id,
        "permalink": ctx.permalink(channel.id, ts, thread_ts),
    }


def conversations_info(ctx: ApiContext, params: Params) -> Reply:
    channel = ctx.channel(params)
    return {"ok": True, "channel": channel.to_slack(created=1_700_000_000)}


def conversations_history(ctx: ApiContext, params: Params) -> Reply:
    channel = ctx.channel(params)
    limit = _limit(params)
    newest_first = list(reversed(ctx.messages.top_level(channel.id)))
    page = [public_message(m) for m in newest_first[:limit]]
    return {"ok": True, "messages": page, "has_more": len(newest_first) > limit, "pin_count": 0}


def conversations_replies(ctx: ApiContext, params: Params) -> Reply:
    channel = ctx.channel(params)
    ts = valid_ts(required(params, "ts", "thread_not_found"), "thread_not_found")
    thread = ctx.messages.thread(channel.id, ts)
    if not thread:
        raise ApiError("thread_not_found")
    limit = _limit(params)
    page = [public_message(m) for m in thread[:limit]]
    return {"ok": True, "messages": page, "has_more": len(thread) > limit}


def _limit(params: Params) -> int:
    try:
        return max(1, min(int(params.get("limit") or 100), 1000))
    except (TypeError, ValueError) as exc:
        raise ApiError("invalid_limit") from exc
