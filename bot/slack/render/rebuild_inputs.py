"""Under a rebuild runbook whose copy needs a value a person chooses (a customer-managed KMS
key, a subnet group, a port): the button that opens the form, and the form. Pure.

The button carries only the finding id; the form's private metadata carries where it was
opened, so the request lands in the finding's thread.
"""

from __future__ import annotations

from bot.slack.actions import ActionId
from bot.slack.render.mrkdwn import code, escape
from bot.slack.render.slack_elements import Block, actions, button, context, section
from posture.base import ResourceKind
from posture.remediation import FixPlan
from posture.remediation.rebuild_params import INPUT_LABELS, needs_inputs
from workers.rebuilds.chat import rebuild_form_fields

REBUILD_INPUTS_CALLBACK = "rebuild_inputs"
BLOCK_PREFIX = "rebuild_input_"


def rebuild_input_choice(plan: FixPlan) -> list[Block]:
    """Below a rebuild runbook: Request rebuild, once the values are chosen in a form."""
    fields = rebuild_form_fields(plan)
    if not fields:
        return []
    names = ", ".join(INPUT_LABELS[field].split(" (")[0].lower() for field in fields)
    return [
        context(f"cachewarden can run this rebuild as an approved migration once you choose: {escape(names)}."),
        actions([button("Request rebuild…", ActionId.REBUILD_INPUTS, plan.finding_id, style="primary")]),
    ]  # fmt: skip


def render_rebuild_inputs_modal(
    rule_id: str,
    resource_id: str,
    metadata: str,
    kind: ResourceKind = ResourceKind.REPLICATION_GROUP,
) -> Block:
    blocks: list[Block] = [
        section(
            f"Rebuild {code(resource_id)} for {code(rule_id)}: a copy with every setting kept and "
            "this value changed. An approver sees the plan as a diff before anything runs."
        )
    ]
    for field in needs_inputs(rule_id, kind):
        blocks.append(
            {
                "type": "input",
                "block_id": f"{BLOCK_PREFIX}{field}",
                "label": {"type": "plain_text", "text": INPUT_LABELS[field][:150]},
                "element": {"type": "plain_text_input", "action_id": field, "max_length": 300},
            }
        )
    return {
        "type": "modal",
        "callback_id": REBUILD_INPUTS_CALLBACK,
        "private_metadata": metadata,
        "title": {"type": "plain_text", "text": "Request rebuild"},
        "submit": {"type": "plain_text", "text": "Ask for approval"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }
