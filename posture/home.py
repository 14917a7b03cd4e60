"""The App Home tab as a neutral message: what one user sees when they open the bot."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from posture.digest import PendingApproval, Shown
from posture.messages import SeverityCounts


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True)


class ScanLine(_Message):
    at: datetime
    scope: str
    channel: str
    requested_by: str
    source: str  # "audit" or "digest"
    failing: SeverityCounts
    score: int | None


class SubscriptionLine(_Message):
    channel: str
    schedule: str  # e.g. "daily 09:00 Europe/Berlin"
    scope: str
    next_run: datetime | None
    last_day: date | None


class HomePage(_Message):
    user: str
    generated_at: datetime
    is_approver: bool
    pending_approvals: Shown[PendingApproval] = Shown()  # only filled for approvers
    my_requests: Shown[PendingApproval] = Shown()
    my_scans: Shown[ScanLine] = Shown()
    recent_scans: Shown[ScanLine] = Shown()
    subscriptions: Shown[SubscriptionLine] = Shown()
    scheduler_seen: datetime | None = None  # the cron process's last heartbeat
    notice: str = ""  # the answer to the user's last click on this page (plain words)
