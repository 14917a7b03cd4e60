"""Explain on a finding opens a modal (Slack `views.open`) instead of posting into the thread."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.render.slack_explain_modal import render_explain_modal
from posture.catalog import get_rule
from posture.finding_explain import finding_explanation
from posture.findings import Finding

log = logging.getLogger(__name__)


def open_explain_modal(finding: Finding, body: dict[str, Any], client: WebClient) -> bool:
    """True when Slack opened the modal; False (the caller answers in private) otherwise."""
    trigger = str(body.get("trigger_id", ""))
    if not trigger:
        return False
    view = render_explain_modal(finding_explanation(get_rule(finding.rule_id), finding))
    try:
        client.views_open(trigger_id=trigger, view=view)
    except SlackApiError as exc:
        log.warning("explain modal not opened", extra={"slack_error": exc.response.get("error")})
        return False
    return True
