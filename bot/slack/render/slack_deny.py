"""The Deny modal: an approver says why before a request is denied. Pure: model in, view out."""

from __future__ import annotations

from bot.slack.render.mrkdwn import code, escape, truncate, user_mention
from bot.slack.render.slack_elements import MAX_SECTION_TEXT, Block, context, section
from posture.approvals import ApprovalRequest
from workers.approvals.flows import DENY_REASON_MAX, DENY_REASON_MIN

DENY_CALLBACK = "deny_reason_modal"
DENY_REASON_BLOCK = "deny_reason"
DENY_REASON_INPUT = "deny_reason_text"  # the modal's input (not a button, so not an ActionId)
__all__ = ["DENY_REASON_MAX", "DENY_REASON_MIN", "render_deny_modal"]


def render_deny_modal(request: ApprovalRequest, metadata: str) -> Block:
    """Asks for the reason the requester will read on the request; submitting denies it."""
    subject = (
        f"{code(request.rule_id or request.kind)} on {code(request.resource_id)} · "
        f"account {code(request.account)} · {escape(request.region)}\n"
        f"Asked by {user_mention(request.requester)}: {escape(request.change)}"
    )
    reason = {
        "type": "plain_text_input",
        "action_id": DENY_REASON_INPUT,
        "multiline": True,
        "min_length": DENY_REASON_MIN,
        "max_length": DENY_REASON_MAX,
        "placeholder": {"type": "plain_text", "text": "e.g. Not during the sale; retry Monday."},
    }
    return {
        "type": "modal",
        "callback_id": DENY_CALLBACK,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": "Deny request"},
        "submit": {"type": "plain_text", "text": "Deny"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            section(truncate(subject, MAX_SECTION_TEXT)),
            {
                "type": "input",
                "block_id": DENY_REASON_BLOCK,
                "label": {"type": "plain_text", "text": "Why deny it?"},
                "element": reason,
                "hint": {
                    "type": "plain_text",
                    "text": "Shown on the request to the requester, and kept in the audit log.",
                },
            },
            context("Nothing in AWS changes. The requester can ask again later."),
        ],
    }
