"""response_url: minted for each command and click, and what a POST to one does."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass
from typing import Any

from sandbox.slack_emulator.api_context import ApiContext, flag
from sandbox.slack_emulator.limits import ApiError, check_message_content, decode_json_param

MAX_USES = 5
LIFETIME_SECONDS = 30 * 60


@dataclass(frozen=True)
class ResponseTarget:
    """Where answers go: the user and channel of the command or click, and the clicked message."""

    channel: str
    user: str
    message_ts: str | None = None
    thread_ts: str | None = None
    message_is_ephemeral: bool = False


@dataclass(frozen=True)
class RecordedResponse:
    kind: str  # ephemeral, in_channel, replace_original, delete_original
    target: ResponseTarget
    payload: dict[str, Any]
    time: float


class ResponseUrlError(Exception):
    def __init__(self, status: int, code: str) -> None:
        super().__init__(code)
        self.status = status
        self.code = code


@dataclass
class _Issued:
    target: ResponseTarget
    created: float
    uses: int = 0


class ResponseUrls:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issued: dict[str, _Issued] = {}
        self._delivered: list[RecordedResponse] = []

    def clear(self) -> None:
        with self._lock:
            self._issued.clear()
            self._delivered.clear()

    def issue(self, url_id: str, target: ResponseTarget, now: float) -> None:
        with self._lock:
            self._issued[url_id] = _Issued(target=target, created=now)

    def claim(self, url_id: str, now: float, counts: bool = True) -> ResponseTarget:
        """Slack allows 5 uses within 30 minutes; the immediate ack reply is free."""
        with self._lock:
            issued = self._issued.get(url_id)
            if issued is None:
                raise ResponseUrlError(404, "invalid_token")
            if now - issued.created > LIFETIME_SECONDS:
                raise ResponseUrlError(404, "expired_url")
            if counts and issued.uses >= MAX_USES:
                raise ResponseUrlError(404, "used_url")
            issued.uses += 1 if counts else 0
            return issued.target

    def record(self, response: RecordedResponse) -> None:
        with self._lock:
            self._delivered.append(response)

    def delivered(self) -> list[RecordedResponse]:
        with self._lock:
            return copy.deepcopy(self._delivered)


def deliver(ctx: ApiContext, target: ResponseTarget, payload: dict[str, Any]) -> str:
    """Apply a response payload as Slack does; returns which kind of response it was."""
    if flag(payload.get("delete_original")) and target.message_ts:
        _delete_original(ctx, target)
        return "delete_original"
    content = _content(payload)
    try:
        check_message_content(
            content.get("text"), content.get("blocks"), content.get("attachments")
        )
    except ApiError as exc:
        raise ResponseUrlError(400, exc.code) from exc
    if flag(payload.get("replace_original")) and target.message_ts:
        _replace_original(ctx, target, content)
        return "replace_original"
    fields = {**ctx.bot_fields(), **content}
    thread_ts = payload.get("thread_ts") or target.thread_ts
    if thread_ts:
        fields["thread_ts"] = thread_ts
    if payload.get("response_type") == "in_channel":
        ctx.messages.add(target.channel, fields)
        return "in_channel"
    ctx.messages.add_ephemeral(target.channel, target.user, fields)
    return "ephemeral"


def _content(payload: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if payload.get("text") is not None:
        content["text"] = str(payload["text"])
    for name in ("blocks", "attachments"):
        if payload.get(name) is not None:
            content[name] = decode_json_param(payload[name], f"invalid_{name}")
    return content


def _delete_original(ctx: ApiContext, target: ResponseTarget) -> None:
    assert target.message_ts is not None
    if target.message_is_ephemeral:
        ctx.messages.replace_ephemeral(target.message_ts, None)
    else:
        ctx.messages.delete(target.channel, target.message_ts)


def _replace_original(ctx: ApiContext, target: ResponseTarget, content: dict[str, Any]) -> None:
    """The whole message is replaced: parts left out of the payload disappear."""
    assert target.message_ts is not None
    replacement = {"text": "", "blocks": [], "attachments": [], **content}
    if target.message_is_ephemeral:
        ctx.messages.replace_ephemeral(target.message_ts, replacement)
    else:
        replacement["edited"] = {"user": ctx.workspace.bot_user_id, "ts": ctx.mint.ts()}
        ctx.messages.update(target.channel, target.message_ts, replacement)
