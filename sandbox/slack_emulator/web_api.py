"""Dispatch of /api/<method> calls: body parsing, auth, faults, recording, handler lookup."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl

from sandbox.slack_emulator import api_chat, api_more
from sandbox.slack_emulator.api_context import ApiContext, Params
from sandbox.slack_emulator.limits import ApiError
from sandbox.slack_emulator.recording import CallLog, FaultPlan, RecordedCall

Handler = Callable[[ApiContext, Params], dict[str, Any]]

METHODS: Mapping[str, Handler] = MappingProxyType(
    {
        "auth.test": api_chat.auth_test,
        "chat.postMessage": api_chat.chat_post_message,
        "chat.update": api_chat.chat_update,
        "chat.postEphemeral": api_chat.chat_post_ephemeral,
        "chat.getPermalink": api_chat.chat_get_permalink,
        "conversations.info": api_chat.conversations_info,
        "conversations.history": api_chat.conversations_history,
        "conversations.replies": api_chat.conversations_replies,
        "files.getUploadURLExternal": api_more.files_get_upload_url_external,
        "files.completeUploadExternal": api_more.files_complete_upload_external,
        "users.info": api_more.users_info,
        "usergroups.users.list": api_more.usergroups_users_list,
        "views.publish": api_more.views_publish,
        "views.open": api_more.views_open,
        "views.update": api_more.views_update,
    }
)


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def parse_params(content_type: str, body: bytes, query: str) -> Params:
    """Query string plus whichever body style the client used: form, JSON or multipart."""
    params: Params = dict(parse_qsl(query, keep_blank_values=True))
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return params
    if kind == "application/json":
        try:
            decoded = json.loads(body.decode("utf-8"))
        except ValueError as exc:
            raise ApiError("invalid_json") from exc
        if not isinstance(decoded, dict):
            raise ApiError("invalid_json")
        params.update(decoded)
    elif kind == "multipart/form-data":
        params.update(_multipart_fields(content_type, body))
    else:
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return params


def _multipart_fields(content_type: str, body: bytes) -> Params:
    envelope = f"Content-Type: {content_type}\r\n\r\n".encode() + body
    message = BytesParser(policy=HTTP).parsebytes(envelope)
    fields: Params = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        raw = payload if isinstance(payload, bytes) else b""
        fields[str(name)] = raw if part.get_filename() else raw.decode("utf-8")
    return fields


def bearer_token(authorization: str | None, params: Params) -> str | None:
    """Slack takes the token from the Authorization header or, for old clients, the body."""
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    token = params.get("token")
    return str(token) if token else None


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: Params
    token: str | None


def answer(
    ctx: ApiContext, call: ApiCall, bot_token: str, faults: FaultPlan, log: CallLog
) -> ApiAnswer:
    """Run one Web API call the way Slack would, and record it whatever the outcome."""
    result = _answer_unrecorded(ctx, call, bot_token, faults)
    visible_params = {k: v for k, v in call.params.items() if k != "token"}
    log.record(
        RecordedCall(
            method=call.method,
            params=_jsonable(visible_params),
            time=ctx.mint.now(),
            response=result.body,
            status=result.status,
        )
    )
    return result


def _answer_unrecorded(
    ctx: ApiContext, call: ApiCall, bot_token: str, faults: FaultPlan
) -> ApiAnswer:
    handler = METHODS.get(call.method)
    if handler is None:
        return ApiAnswer(200, {"ok": False, "error": "unknown_method", "req_method": call.method})
    fault = faults.take(call.method)
    if fault is not None:
        return ApiAnswer(fault.status, fault.body(), fault.headers())
    if not call.token:
        return ApiAnswer(200, {"ok": False, "error": "not_authed"})
    if call.token != bot_token:
        return ApiAnswer(200, {"ok": False, "error": "invalid_auth"})
    try:
        return ApiAnswer(200, handler(ctx, call.params))
    except ApiError as exc:
        return ApiAnswer(200, exc.body())


def _jsonable(params: Params) -> Params:
    """Uploaded bytes are recorded by size so the call log stays JSON."""
    return {k: (f"<{len(v)} bytes>" if isinstance(v, bytes) else v) for k, v in params.items()}
