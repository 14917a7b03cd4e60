"""Sends what Slack sends to an app: signed slash commands, clicks, view submissions and events."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from sandbox.slack_emulator import payloads
from sandbox.slack_emulator.response_urls import ResponseTarget
from sandbox.slack_emulator.workspace import Workspace, default_workspace

if TYPE_CHECKING:
    from sandbox.slack_emulator.emulator import SlackEmulator

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    elapsed: float
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class Tampering:
    """Ways to make a request that Slack would never send, to prove the app rejects it."""

    signature: str | None = None  # sent instead of the real signature
    timestamp: int | None = None  # signed and sent instead of now (a stale one must fail)
    tamper: bool = False  # change the body after signing it


class SignedClient:
    def __init__(
        self,
        bot_url: str,
        signing_secret: str,
        emulator: SlackEmulator | None = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        if not bot_url.startswith(("http://", "https://")):
            raise ValueError(f"bot_url must be http(s): {bot_url!r}")
        self.events_url = bot_url.rstrip("/") + "/slack/events"
        self._verifier = SignatureVerifier(signing_secret)
        self._emulator = emulator
        self._timeout = timeout

    @property
    def workspace(self) -> Workspace:
        return self._emulator.workspace if self._emulator else default_workspace()

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str,
        channel_id: str,
        team_id: str | None = None,
        signature: str | None = None,
        timestamp: int | None = None,
        tamper: bool = False,
    ) -> Response:
        """A slash command as Slack posts it; the app's immediate reply is shown like Slack does."""
        response_url = self._response_url(ResponseTarget(channel=channel_id, user=user_id))
        fields = payloads.command_fields(
            self.workspace,
            payloads.Invocation(user_id, channel_id, team_id, response_url, self._trigger(user_id)),
            command,
            text,
        )
        response = self._send(urlencode(fields), FORM, Tampering(signature, timestamp, tamper))
        if self._emulator is not None:
            self._emulator.deliver_command_reply(response_url, command, response)
        return response

    def click(
        self,
        message: dict[str, Any],
        action_id: str,
        value: str | None = None,
        *,
        user_id: str,
        channel_id: str,
        signature: str | None = None,
        timestamp: int | None = None,
        tamper: bool = False,
    ) -> Response:
        """block_actions for a button or select in a channel or ephemeral message."""
        element = find_button(message.get("blocks") or [], action_id)
        target = ResponseTarget(
            channel=channel_id,
            user=user_id,
            message_ts=message.get("ts"),
            thread_ts=message.get("thread_ts"),
            message_is_ephemeral=bool(message.get("is_ephemeral")),
        )
        invocation = payloads.Invocation(
            user_id, channel_id, None, self._response_url(target), self._trigger(user_id)
        )
        body = payloads.message_click(self.workspace, invocation, message, element, value)
        return self._send_payload(body, Tampering(signature, timestamp, tamper))

    def click_view(
        self,
        view: dict[str, Any],
        action_id: str,
        value: str | None = None,
        *,
        user_id: str,
        **bad: Any,
    ) -> Response:
        """block_actions for a button in an App Home tab or an open modal."""
        element = find_button(view.get("blocks") or [], action_id)
        invocation = payloads.Invocation(user_id, None, None, None, self._trigger(user_id))
        body = payloads.view_click(self.workspace, invocation, view, element, value)
        return self._send_payload(body, Tampering(**bad))

    def submit_view(
        self, view: dict[str, Any], values: dict[str, Any], *, user_id: str, **bad: Any
    ) -> Response:
        """view_submission; plain strings in values are taken as plain_text_input values."""
        invocation = payloads.Invocation(user_id, None, None, None, self._trigger(user_id))
        body = payloads.view_submission(self.workspace, invocation, view, values)
        response = self._send_payload(body, Tampering(**bad))
        if self._emulator is not None and view.get("id"):
            self._emulator.apply_view_reply(str(view["id"]), response)
        return response

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        **bad: Any,
    ) -> Response:
        """An Events API event_callback; resend with the same event_id and a retry_num to retry."""
        event_id = event_id or (
            self._emulator.mint.object_id("Ev") if self._emulator else f"Ev{time.time_ns()}"
        )
        body = payloads.event_callback(self.workspace, event, event_id, time.time())
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self._send(json.dumps(body), JSON, Tampering(**bad), headers)

    def _send_payload(self, body: dict[str, Any], tampering: Tampering) -> Response:
        return self._send(urlencode({"payload": json.dumps(body)}), FORM, tampering)

    def _send(
        self,
        body: str,
        content_type: str,
        tampering: Tampering,
        extra_headers: dict[str, str] | None = None,
    ) -> Response:
        timestamp = str(
            tampering.timestamp if tampering.timestamp is not None else int(time.time())
        )
        signature = tampering.signature or self._verifier.generate_signature(
            timestamp=timestamp, body=body
        )
        sent = _tampered(body, content_type) if tampering.tamper else body
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": str(signature),
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            **(extra_headers or {}),
        }
        request = urllib.request.Request(  # noqa: S310 - the URL is the bot's, http(s) only
            self.events_url, data=sent.encode("utf-8"), headers=headers, method="POST"
        )
        return self._perform(request)

    def _perform(self, request: urllib.request.Request) -> Response:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as reply:  # noqa: S310
                body = reply.read().decode("utf-8")
                return Response(reply.status, body, time.monotonic() - started, dict(reply.headers))
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            return Response(error.code, body, time.monotonic() - started, dict(error.headers))

    def _response_url(self, target: ResponseTarget) -> str:
        if self._emulator is None:
            return "https://hooks.slack.com/actions/T_DEMO/0/not-an-emulator"
        return self._emulator.new_response_url(target)

    def _trigger(self, user_id: str) -> str:
        if self._emulator is None:
            return f"{time.time_ns()}.0.no-emulator"
        return self._emulator.new_trigger_id(user_id)


def _tampered(body: str, content_type: str) -> str:
    """Still well-formed, so only the signature check can catch it."""
    if content_type == FORM:
        return body + "&tampered=1"
    return body[:-1] + ', "tampered": 1}'


def find_button(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    """The interactive element with this action_id, with its block's block_id added."""
    for index, block in enumerate(blocks):
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return {**element, "block_id": block.get("block_id") or f"b{index}"}
    raise LookupError(f"no element with action_id {action_id!r} in these blocks")
