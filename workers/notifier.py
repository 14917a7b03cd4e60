"""What jobs need from a chat platform. The Slack implementation lives in bot/."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from posture.approvals import ApprovalRequest
from posture.digest import Digest
from posture.messages import AuditSummary, FindingsThread, Notice
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


class Notifier(Protocol):
    def post_summary(self, channel: str, summary: AuditSummary, *, ts: str | None = None) -> str:
        """Post the parent message, or update it when `ts` is given; returns its ts."""
        ...

    def post_thread(self, channel: str, thread_ts: str, thread: FindingsThread) -> int:
        """Post the details as replies under `thread_ts`; returns how many replies."""
        ...

    def post_notice(
        self, channel: str, notice: Notice, *, thread_ts: str | None = None, user: str | None = None
    ) -> None:
        """A short message; ephemeral to `user` when given."""
        ...

    def post_explain(
        self, channel: str, doc: dict[str, Any], *, user: str | None = None
    ) -> None: ...

    def upload_report(
        self, channel: str, thread_ts: str, filename: str, content: bytes, title: str
    ) -> None: ...

    def post_digest(
        self, channel: str, digest: Digest, files: Sequence[ReportFile], *, ts: str | None = None
    ) -> str:
        """Post the digest (or update it when `ts` is given), attach the files; returns its ts."""
        ...

    def post_approval(
        self, channel: str, request: ApprovalRequest, *, thread_ts: str | None = None
    ) -> str:
        """Post an approval request (with Approve and Deny while pending); returns its ts."""
        ...

    def update_approval(self, channel: str, ts: str, request: ApprovalRequest) -> None:
        """Redraw a posted approval request in its current state (who decided, when, outcome)."""
        ...

    def post_plan(self, channel: str, thread_ts: str, plan: FixPlan) -> str:
        """A rebuild runbook, a manual fix or a blocked plan's reason, in the finding's thread."""
        ...

    def post_fix_result(self, channel: str, thread_ts: str, result: FixResult) -> str:
        """The verified outcome of a fix, with a button for the next step when there is one."""
        ...

    def post_rotation(
        self,
        channel: str,
        update: RotationUpdate,
        *,
        thread_ts: str | None = None,
        ts: str | None = None,
    ) -> str:
        """A token rotation's state in words (secret names and ARNs, never values), with
        Finalize and Cancel while both tokens work; edits the card `ts` when given; returns its ts."""
        ...
