"""What jobs need from a chat platform. The Slack implementation lives in bot/."""

from __future__ import annotations

from typing import Any, Protocol

from posture.messages import AuditSummary, FindingsThread, Notice


class NotifyError(RuntimeError):
    """The chat platform refused or failed after its retries; safe to show."""


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
