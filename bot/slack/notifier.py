"""The Slack side of `workers.platform.notifier.Notifier`: neutral messages in, Web API calls out.

Posts to one channel are serialised with a Redis lock (Slack allows about one message per
second per channel), 429s are retried after `Retry-After` by slack-sdk's handler, and a
final failure becomes `NotifyError` with a readable reason.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import redis
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.slack.render.blocks import render_notice, render_summary
from bot.slack.render.drift import drift_choice
from bot.slack.render.rebuild import render_rebuild
from bot.slack.render.rebuild_inputs import rebuild_input_choice
from bot.slack.render.slack_approval import (
    ApprovalFrame,
    render_approval,
    render_fix_result,
    render_plan,
)
from bot.slack.render.slack_digest import render_digest
from bot.slack.render.slack_findings import render_thread_page, render_thread_replies
from bot.slack.render.slack_rotation import render_rotation
from posture.approvals import ApprovalRequest
from posture.conversations import ConversationRef, MessageRef
from posture.digest import Digest
from posture.messages import AuditSummary, FindingsThread, Notice
from posture.rebuild_messages import RebuildCard
from posture.remediation import FixPlan, FixResult
from posture.rotation import RotationUpdate
from workers.platform.notifier import NotifyError, PostedReply, ReportFile
from workers.platform.telemetry import count

log = logging.getLogger(__name__)


def make_web_client(token: str, base_url: str) -> WebClient:
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


class SlackNotifier:
    def __init__(
        self,
        client: WebClient,
        connection: redis.Redis,
        *,
        max_replies: int = 10,
        approver_users: tuple[str, ...] = (),
        approver_groups: tuple[str, ...] = (),
    ) -> None:
        self._client = client
        self._redis = connection
        self._max_replies = max(2, max_replies)
        self._approvers = ApprovalFrame(
            approver_users=approver_users, approver_groups=approver_groups
        )

    @contextlib.contextmanager
    def _channel_turn(self, channel: str) -> Iterator[None]:
        lock = self._redis.lock(f"cw:slack-post:{channel}", timeout=60, blocking_timeout=60)
        acquired = lock.acquire()
        try:
            yield
        finally:
            if acquired:
                with contextlib.suppress(redis.RedisError):
                    lock.release()

    def _call(self, method: str, **params: Any) -> dict[str, Any]:
        try:
            response = self._client.api_call(method, json=params)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            count(self._redis, "slack_errors", method=method, error=error)
            log.warning("slack call failed", extra={"method": method, "slack_error": error})
            raise NotifyError(f"Slack refused {method}: {error}") from None
        return dict(response.data) if isinstance(response.data, dict) else {}

    def post_summary(self, channel: str, summary: AuditSummary, *, ts: str | None = None) -> str:
        text, blocks = render_summary(summary)
        with self._channel_turn(channel):
            if ts:
                self._call("chat.update", channel=channel, ts=ts, text=text, blocks=blocks)
                return ts
            data = self._call("chat.postMessage", channel=channel, text=text, blocks=blocks)
        return str(data["ts"])

    def post_thread(
        self, channel: str, thread_ts: str, thread: FindingsThread
    ) -> list[PostedReply]:
        # A channel takes about one post a second: past a few pages an index names the rest.
        replies = render_thread_replies(thread, max_replies=self._max_replies)
        posted = []
        for page, reply in enumerate(replies, 1):
            with self._channel_turn(channel):
                data = self._call(
                    "chat.postMessage",
                    channel=channel,
                    thread_ts=thread_ts,
                    text=reply.text,
                    blocks=reply.blocks,
                )
            posted.append(
                PostedReply(str(data.get("ts", "")), reply.finding_ids, page, len(replies))
            )
        return posted

    def update_thread_reply(self, channel: str, reply: PostedReply, thread: FindingsThread) -> None:
        text, blocks = render_thread_page(thread.only(reply.finding_ids), reply.page, reply.pages)
        with self._channel_turn(channel):
            self._call("chat.update", channel=channel, ts=reply.ts, text=text, blocks=blocks)

    def post_notice(
        self, channel: str, notice: Notice, *, thread_ts: str | None = None, user: str | None = None
    ) -> None:
        text, blocks = render_notice(notice)
        params: dict[str, Any] = {"channel": channel, "text": text, "blocks": blocks}
        if thread_ts:
            params["thread_ts"] = thread_ts
        if user:
            self._call("chat.postEphemeral", user=user, **params)
            return
        with self._channel_turn(channel):
            self._call("chat.postMessage", **params)

    def say(self, where: ConversationRef, notice: Notice, *, user: str | None = None) -> None:
        self.post_notice(where.channel, notice, thread_ts=where.thread or None, user=user)

    def upload_report(
        self, channel: str, thread_ts: str, filename: str, content: bytes, title: str
    ) -> None:
        try:
            self._client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                filename=filename,
                content=content,
                title=title,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            count(self._redis, "slack_errors", method="files.upload_v2", error=error)
            raise NotifyError(f"Slack refused the file {filename}: {error}") from None

    # --- daily digest (issue 8) ----------------------------------------------------------
    def post_digest(
        self, channel: str, digest: Digest, files: Sequence[ReportFile], *, ts: str | None = None
    ) -> str:
        """Post (or update) the digest, attach its files in its thread, then link them."""
        text, blocks = render_digest(digest)
        with self._channel_turn(channel):
            if ts:
                self._call("chat.update", channel=channel, ts=ts, text=text, blocks=blocks)
            else:
                ts = str(
                    self._call("chat.postMessage", channel=channel, text=text, blocks=blocks)["ts"]
                )
        links = {}
        for file in files:
            permalink = self._upload_file(channel, ts, file)
            if permalink:
                links[file.filename] = permalink
        if links:
            text, blocks = render_digest(digest, links=links)
            self._call("chat.update", channel=channel, ts=ts, text=text, blocks=blocks)
        return ts

    def _upload_file(self, channel: str, thread_ts: str, file: ReportFile) -> str:
        try:
            response = self._client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                filename=file.filename,
                content=file.content,
                title=file.title,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error"))
            count(self._redis, "slack_errors", method="files.upload_v2", error=error)
            raise NotifyError(f"Slack refused the file {file.filename}: {error}") from None
        uploaded = response.get("file") or {}
        return str(uploaded.get("permalink") or "") if isinstance(uploaded, dict) else ""

    # --- approvals and fixes (issue 6) -----------------------------------------------------
    def _frame(self, here: ConversationRef, request: ApprovalRequest) -> ApprovalFrame:
        """Approvers to mention, and a permalink to the request's other copy (thread or
        security channel); a missing link only leaves the line out."""
        others = [m for m in request.messages if not m.conversation.same_channel(here)]
        if not others:
            return self._approvers
        other = others[0]
        try:
            found = self._call(
                "chat.getPermalink", channel=other.conversation.channel, message_ts=other.message_id
            )
        except NotifyError:
            return self._approvers
        return replace(
            self._approvers,
            other_copy=str(found.get("permalink") or ""),
            other_is_thread=request.posted is not None and other == request.posted,
        )

    def post_approval(self, where: ConversationRef, request: ApprovalRequest) -> MessageRef:
        text, blocks = render_approval(request, self._frame(where, request))
        return self._post(where, text, blocks)

    def update_approval(self, message: MessageRef, request: ApprovalRequest) -> None:
        text, blocks = render_approval(request, self._frame(message.conversation, request))
        channel = message.conversation.channel
        self._call("chat.update", channel=channel, ts=message.message_id, text=text, blocks=blocks)

    def post_plan(self, where: ConversationRef, plan: FixPlan) -> MessageRef:
        text, blocks = render_plan(plan)
        extra = drift_choice(plan) + rebuild_input_choice(plan)
        return self._post(where, text, blocks + extra)

    def post_fix_result(self, where: ConversationRef, result: FixResult) -> MessageRef:
        text, blocks = render_fix_result(result)
        return self._post(where, text, blocks)

    def _post(self, where: ConversationRef, text: str, blocks: list[dict[str, Any]]) -> MessageRef:
        params: dict[str, Any] = {"channel": where.channel, "text": text, "blocks": blocks}
        if where.thread:
            params["thread_ts"] = where.thread
        with self._channel_turn(where.channel):
            ts = str(self._call("chat.postMessage", **params)["ts"])
        return MessageRef(conversation=where, message_id=ts)

    # --- token rotation (issue 7) ----------------------------------------------------------
    def post_rotation(
        self, where: ConversationRef, update: RotationUpdate, *, card: MessageRef | None = None
    ) -> MessageRef:
        text, blocks = render_rotation(update)
        if card is not None:  # one card per rotation, edited as it moves (issue 13: quiet channels)
            channel = card.conversation.channel
            with self._channel_turn(channel):
                self._call(
                    "chat.update", channel=channel, ts=card.message_id, text=text, blocks=blocks
                )
            return card
        return self._post(where, text, blocks)

    # --- rebuilds (issue 17) -----------------------------------------------------------------
    def post_rebuild(
        self, where: ConversationRef, card: RebuildCard, *, message: MessageRef | None = None
    ) -> MessageRef:
        text, blocks = render_rebuild(card)
        if message is not None:  # one card per rebuild, edited as the migration moves
            channel = message.conversation.channel
            with self._channel_turn(channel):
                self._call(
                    "chat.update", channel=channel, ts=message.message_id, text=text, blocks=blocks
                )
            return message
        return self._post(where, text, blocks)
