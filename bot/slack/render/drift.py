"""The "Apply anyway" choice under a template change. Pure: a plan in, blocks out.

A resource that CloudFormation or Terraform owns gets a template change by default; the
live fix stays possible when someone chooses it explicitly. The button carries only the
finding id; the choice is recorded as drift in the audit log when the request is opened.
"""

from __future__ import annotations

from bot.slack.actions import ActionId
from bot.slack.render.mrkdwn import escape
from bot.slack.render.slack_elements import Block, actions, button, context
from posture.remediation import FixPlan


def drift_choice(plan: FixPlan) -> list[Block]:
    """Below a template change: the button that asks for the live fix anyway."""
    if not plan.iac_owner or not plan.finding_id:
        return []
    return [
        context(
            f"Managed by {escape(plan.iac_owner)}. A live fix still needs an approver, and the "
            "stack will drift: its next deploy may undo the fix unless the template changes too."
        ),
        actions(
            [
                button(
                    "Apply anyway (the stack will drift)",
                    ActionId.APPLY_ANYWAY,
                    plan.finding_id,
                    style="danger",
                )
            ]
        ),
    ]
