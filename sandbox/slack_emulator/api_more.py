"""files.*, users.*, usergroups.* and views.* Web API methods."""

from __future__ import annotations

from typing import Any

from sandbox.slack_emulator.api_context import ApiContext, Params, required, valid_ts
from sandbox.slack_emulator.artifacts import StoredFile, View
from sandbox.slack_emulator.limits import MAX_VIEW_BLOCKS, ApiError, check_blocks, decode_json_param

Reply = dict[str, Any]
TRIGGER_LIFETIME_SECONDS = 3.0


def files_get_upload_url_external(ctx: ApiContext, params: Params) -> Reply:
    filename = required(params, "filename")
    try:
        length = int(required(params, "length"))
    except ValueError as exc:
        raise ApiError("invalid_arguments") from exc
    file_id = ctx.mint.object_id("F")
    ctx.files.reserve(StoredFile(id=file_id, filename=str(filename), declared_length=length))
    return {"ok": True, "upload_url": f"{ctx.base_url}upload/{file_id}", "file_id": file_id}


def files_complete_upload_external(ctx: ApiContext, params: Params) -> Reply:
    entries = decode_json_param(required(params, "files"), "invalid_arguments")
    if not isinstance(entries, list) or not entries:
        raise ApiError("invalid_arguments")
    channel_id = _share_target(ctx, params)
    completed = []
    for entry in entries:
        done = ctx.files.complete(str(entry.get("id")), str(entry.get("title") or ""), channel_id)
        if done is None:
            raise ApiError("file_not_found")
        done.user = ctx.workspace.bot_user_id
        done.created = int(ctx.mint.now())
        completed.append(done.to_slack(ctx.base_url))
    if channel_id:
        _post_file_share(ctx, channel_id, completed, params)
    return {"ok": True, "files": completed}


def _share_target(ctx: ApiContext, params: Params) -> str | None:
    """channel_id, or the first of the comma-separated `channels`; None keeps the file private."""
    channel_id = params.get("channel_id") or str(params.get("channels") or "").split(",")[0]
    if not channel_id:
        return None
    return ctx.channel({"channel": channel_id}).id


def _post_file_share(
    ctx: ApiContext, channel_id: str, files: list[dict[str, Any]], params: Params
) -> None:
    fields: dict[str, Any] = {
        **ctx.bot_fields(),
        "text": str(params.get("initial_comment") or ""),
        "files": files,
        "upload": True,
    }
    if params.get("thread_ts"):
        fields["thread_ts"] = valid_ts(params["thread_ts"], "invalid_thread_ts")
    ctx.messages.add(channel_id, fields)


def users_info(ctx: ApiContext, params: Params) -> Reply:
    user = ctx.workspace.user(str(params.get("user") or ""))
    if user is None:
        raise ApiError("user_not_found")
    return {"ok": True, "user": user.to_slack(ctx.workspace.team_id)}


def usergroups_users_list(ctx: ApiContext, params: Params) -> Reply:
    group = str(params.get("usergroup") or "")
    members = ctx.workspace.usergroups.get(group)
    if members is None:
        raise ApiError("no_such_subteam")
    return {"ok": True, "users": list(members)}


def views_publish(ctx: ApiContext, params: Params) -> Reply:
    user_id = str(required(params, "user_id"))
    if ctx.workspace.user(user_id) is None:
        raise ApiError("user_not_found")
    view = _checked_view(params, "home")
    previous = ctx.views.home_views().get(user_id)
    stored = stamp_view(ctx, view, previous["id"] if previous else None)
    ctx.views.publish_home(user_id, stored)
    return {"ok": True, "view": stored}


def views_open(ctx: ApiContext, params: Params) -> Reply:
    trigger_id = str(required(params, "trigger_id"))
    issued = ctx.views.trigger(trigger_id)
    if issued is None:
        raise ApiError("invalid_trigger_id")
    user_id, issued_at = issued
    if ctx.mint.now() - issued_at > TRIGGER_LIFETIME_SECONDS:
        raise ApiError("expired_trigger_id")
    stored = stamp_view(ctx, _checked_view(params, "modal"), None)
    ctx.views.spend_trigger(trigger_id)
    ctx.views.open_modal(user_id, stored)
    return {"ok": True, "view": stored}


def views_update(ctx: ApiContext, params: Params) -> Reply:
    view_id = params.get("view_id")
    current = ctx.views.find(str(view_id)) if view_id else None
    if current is None and params.get("external_id"):
        current = ctx.views.find_by_external_id(str(params["external_id"]))
    if current is None:
        raise ApiError("not_found")
    stored = stamp_view(ctx, _checked_view(params, current["type"]), current["id"])
    ctx.views.replace(current["id"], stored)
    return {"ok": True, "view": stored}


def _checked_view(params: Params, expected_type: str) -> View:
    view = decode_json_param(required(params, "view"), "invalid_arguments")
    if not isinstance(view, dict) or view.get("type") != expected_type:
        raise ApiError("invalid_arguments")
    try:
        check_blocks(view.get("blocks") or [], MAX_VIEW_BLOCKS)
    except ApiError as exc:
        raise ApiError("invalid_arguments", **exc.extra) from exc
    if expected_type == "modal" and not view.get("title"):
        raise ApiError("invalid_arguments")
    return view


def stamp_view(ctx: ApiContext, view: View, view_id: str | None) -> View:
    """Add the server-side fields Slack returns with every view."""
    ws = ctx.workspace
    new_id = view_id or ctx.mint.object_id("V")
    return {
        **view,
        "id": new_id,
        "team_id": ws.team_id,
        "app_id": ws.app_id,
        "bot_id": ws.bot_id,
        "root_view_id": new_id,
        "hash": ctx.mint.token()[:16],
        "state": {"values": {}},
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
    }
