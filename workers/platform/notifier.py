"""What jobs need from a chat platform. The Slack implementation lives in bot/."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from posture.approvals import ApprovalRequest
from posture.conversations import ConversationRef, MessageRef, Platform
from posture.digest import Digest
from posture.messages import AuditSummary, FindingsThread, Notice
from posture.rebuild_messages import RebuildCard
from posture.remediation import FixPlan, FixResult
from posture.rotation import RotationUpdate


class NotifyError(RuntimeError):
    """The chat platform refused or failed after its retries; safe to show."""


@dataclass(frozen=True)
class ReportFile:
    """A file posted with a message (a chart, a report)."""

    filename: str
    content: bytes
    title: str


@dataclass(frozen=True)
class PostedReply:
    """A findings reply as posted: where it is and which findings it shows (to redraw it)."""

    ts: str
    finding_ids: tuple[str, ...]
    page: int
    pages: int


class Notifier(Protocol):
    def post_summary(self, channel: str, summary: AuditSummary, *, ts: str | None = None) -> str:
        """Post the parent message, or update it when `ts` is given; returns its ts."""
        ...

    def post_thread(
        self, channel: str, thread_ts: str, thread: FindingsThread
    ) -> list[PostedReply]:
        """Post the details as replies under `thread_ts`; returns the replies posted."""
        ...

    def update_thread_reply(self, channel: str, reply: PostedReply, thread: FindingsThread) -> None:
        """Redraw one posted reply with the current state of its findings."""
        ...

    def post_notice(
        self, channel: str, notice: Notice, *, thread_ts: str | None = None, user: str | None = None
    ) -> None:
        """A short message; ephemeral to `user` when given."""
        ...

    def say(self, where: ConversationRef, notice: Notice, *, user: str | None = None) -> None:
        """A short line in a conversation (or thread); only `user` sees it when given."""
        ...

    def upload_report(
        self, channel: str, thread_ts: str, filename: str, content: bytes, title: str
    ) -> None: ...

    def post_digest(
        self, channel: str, digest: Digest, files: Sequence[ReportFile], *, ts: str | None = None
    ) -> str:
        """Post the digest (or update it when `ts` is given), attach the files; returns its ts."""
        ...

    def post_approval(self, where: ConversationRef, request: ApprovalRequest) -> MessageRef:
        """Post an approval request (with Approve and Deny while pending)."""
        ...

    def update_approval(self, message: MessageRef, request: ApprovalRequest) -> None:
        """Redraw a posted approval request in its current state (who decided, when, outcome)."""
        ...

    def post_plan(self, where: ConversationRef, plan: FixPlan) -> MessageRef:
        """A rebuild runbook, a manual fix or a blocked plan's reason, in the finding's thread."""
        ...

    def post_fix_result(self, where: ConversationRef, result: FixResult) -> MessageRef:
        """The verified outcome of a fix, with a button for the next step when there is one."""
        ...

    def post_rotation(
        self, where: ConversationRef, update: RotationUpdate, *, card: MessageRef | None = None
    ) -> MessageRef:
        """A token rotation's state in words (secret names and ARNs, never values), with
        Finalize and Cancel while both tokens work; edits `card` when given, else posts one."""
        ...

    def post_rebuild(
        self, where: ConversationRef, card: RebuildCard, *, message: MessageRef | None = None
    ) -> MessageRef:
        """A rebuild's progress card (diff, phase, endpoints, cutover steps, its buttons);
        edits `message` when given, else posts one."""
        ...


class Notifiers:
    """The notifier of each configured front end; built once by the process entry point."""

    def __init__(self, by_platform: Mapping[Platform, Notifier]) -> None:
        self._by_platform = dict(by_platform)

    def for_platform(self, platform: Platform) -> Notifier:
        try:
            return self._by_platform[platform]
        except KeyError:
            raise NotifyError(f"no {platform} front end is configured in this process") from None

    def to(self, where: ConversationRef | MessageRef) -> Notifier:
        conversation = where.conversation if isinstance(where, MessageRef) else where
        return self.for_platform(conversation.platform)
