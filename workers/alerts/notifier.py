"""What alerts need from a chat platform, beside `workers.platform.notifier.Notifier`."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from posture.alert_transitions import AlertFollowUp, AlertRollup, RiskAlert


@runtime_checkable
class AlertNotifier(Protocol):
    def post_alert(self, channel: str, alert: RiskAlert) -> str:
        """A new risk with Request fix / Accept risk / Explain; returns its ts."""
        ...

    def post_alert_follow_up(
        self, channel: str, follow_up: AlertFollowUp, *, thread_ts: str | None = None
    ) -> str:
        """ "fixed by X" under the alert, or "deleted by X" as its own message; returns its ts."""
        ...

    def post_alert_rollup(self, channel: str, rollup: AlertRollup) -> str:
        """One message for the alerts a channel's rate limit held back; returns its ts."""
        ...
