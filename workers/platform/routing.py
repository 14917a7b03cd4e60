"""One notifier for jobs that still name a bare channel (scans, digests): it sends each
call to the front end that owns the channel, and reference-taking calls by their platform.

Teams conversation ids always carry a type prefix with a colon ("19:…@thread.tacv2" for a
channel, "a:…" for a personal chat, "19:…@thread.v2" for a group chat); Slack channel ids
(C…, G…, D…) never contain one. A retried job reaches the same notifier, whose own
ledger (Teams) or message timestamps (Slack) keep it from posting twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from posture.approvals import ApprovalRequest
from posture.conversations import ConversationRef, MessageRef, Platform
from posture.digest import Digest
from posture.messages import AuditSummary, FindingsThread, Notice
from posture.rebuild_messages import RebuildCard
from posture.remediation import FixPlan, FixResult
from posture.rotation import RotationUpdate
from workers.platform.notifier import Notifier, Notifiers, PostedReply, ReportFile


def platform_of_channel(channel: str) -> Platform:
    return Platform.TEAMS if ":" in channel else Platform.SLACK


class ChannelRouter:
    def __init__(self, notifiers: Notifiers) -> None:
        self._notifiers = notifiers

    def for_platform(self, platform: Platform) -> Notifier:
        return self._notifiers.for_platform(platform)

    def _for(self, channel: str) -> Notifier:
        return self._notifiers.for_platform(platform_of_channel(channel))

    def post_summary(self, channel: str, summary: AuditSummary, *, ts: str | None = None) -> str:
        return self._for(channel).post_summary(channel, summary, ts=ts)

    def post_thread(
        self, channel: str, thread_ts: str, thread: FindingsThread
    ) -> list[PostedReply]:
        return self._for(channel).post_thread(channel, thread_ts, thread)

    def update_thread_reply(self, channel: str, reply: PostedReply, thread: FindingsThread) -> None:
        self._for(channel).update_thread_reply(channel, reply, thread)

    def post_notice(
        self, channel: str, notice: Notice, *, thread_ts: str | None = None, user: str | None = None
    ) -> None:
        self._for(channel).post_notice(channel, notice, thread_ts=thread_ts, user=user)

    def say(self, where: ConversationRef, notice: Notice, *, user: str | None = None) -> None:
        self._notifiers.to(where).say(where, notice, user=user)

    def upload_report(
        self, channel: str, thread_ts: str, filename: str, content: bytes, title: str
    ) -> None:
        self._for(channel).upload_report(channel, thread_ts, filename, content, title)

    def post_digest(
        self, channel: str, digest: Digest, files: Sequence[ReportFile], *, ts: str | None = None
    ) -> str:
        return self._for(channel).post_digest(channel, digest, files, ts=ts)

    def post_approval(self, where: ConversationRef, request: ApprovalRequest) -> MessageRef:
        return self._notifiers.to(where).post_approval(where, request)

    def update_approval(self, message: MessageRef, request: ApprovalRequest) -> None:
        self._notifiers.to(message).update_approval(message, request)

    def post_plan(self, where: ConversationRef, plan: FixPlan) -> MessageRef:
        return self._notifiers.to(where).post_plan(where, plan)

    def post_fix_result(self, where: ConversationRef, result: FixResult) -> MessageRef:
        return self._notifiers.to(where).post_fix_result(where, result)

    def post_rotation(
        self, where: ConversationRef, update: RotationUpdate, *, card: MessageRef | None = None
    ) -> MessageRef:
        return self._notifiers.to(where).post_rotation(where, update, card=card)

    def post_rebuild(
        self, where: ConversationRef, card: RebuildCard, *, message: MessageRef | None = None
    ) -> MessageRef:
        return self._notifiers.to(where).post_rebuild(where, card, message=message)


def routed(notifiers: Notifiers) -> Notifier:
    """Typed view: mypy checks that ChannelRouter fits the Notifier interface."""
    return ChannelRouter(notifiers)
