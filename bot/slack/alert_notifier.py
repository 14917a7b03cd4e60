"""The Slack notifier with the alert methods of `workers.alerts.notifier.AlertNotifier`."""

from __future__ import annotations

from bot.slack.notifier import SlackNotifier
from bot.slack.render.slack_alerts import render_alert, render_follow_up, render_rollup
from posture.alert_transitions import AlertFollowUp, AlertRollup, RiskAlert
from posture.conversations import ConversationRef


class SlackAlertNotifier(SlackNotifier):
    def post_alert(self, channel: str, alert: RiskAlert) -> str:
        text, blocks = render_alert(alert)
        return self._post(ConversationRef(channel=channel), text, blocks).message_id

    def post_alert_follow_up(
        self, channel: str, follow_up: AlertFollowUp, *, thread_ts: str | None = None
    ) -> str:
        text, blocks = render_follow_up(follow_up)
        return self._post(
            ConversationRef(channel=channel, thread=thread_ts or ""), text, blocks
        ).message_id

    def post_alert_rollup(self, channel: str, rollup: AlertRollup) -> str:
        text, blocks = render_rollup(rollup)
        return self._post(ConversationRef(channel=channel), text, blocks).message_id
