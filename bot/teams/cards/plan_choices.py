"""Choices under a fix plan, as on Slack (bot/slack/render/drift.py, rebuild_inputs.py):
"Apply anyway (the stack will drift)" for a resource a template owns, and the "Request
rebuild…" form (Action.ShowCard) when the automated rebuild needs a value a person chooses.
Data carries only the finding id; the flows reload the finding and check every value.
"""

from __future__ import annotations

from bot.teams.cards.elements import (
    Element,
    action_execute,
    action_set,
    action_show_card,
    escape,
    text_block,
)
from bot.teams.verbs import REBUILD_INPUT_PREFIX, Verb
from posture.remediation import FixPlan
from posture.remediation.rebuild_params import INPUT_LABELS
from workers.rebuilds.chat import rebuild_form_fields


def plan_choices(plan: FixPlan) -> list[Element]:
    """Under a plan, as on Slack: "Apply anyway" for a template-owned resource, and the
    "Request rebuild…" form when the automated rebuild needs a value a person chooses."""
    extra: list[Element] = []
    if plan.iac_owner and plan.finding_id:
        extra += [
            text_block(
                escape(
                    f"Managed by {plan.iac_owner}. A live fix still needs an approver, and the "
                    "stack will drift: its next deploy may undo the fix unless the template "
                    "changes too."
                ),
                subtle=True,
            ),
            action_set(
                [
                    action_execute(
                        "Apply anyway (the stack will drift)",
                        Verb.APPLY_ANYWAY,
                        {"finding_id": plan.finding_id},
                        style="destructive",
                    )
                ]
            ),
        ]
    fields = rebuild_form_fields(plan)
    if fields:
        names = ", ".join(INPUT_LABELS[field].split(" (")[0].lower() for field in fields)
        extra += [
            text_block(
                escape(
                    "cachewarden can run this rebuild as an approved migration once you "
                    f"choose: {names}."
                ),
                subtle=True,
            ),
            action_set([rebuild_form_action(plan.finding_id, fields)]),
        ]
    return extra


def rebuild_form_action(finding_id: str, fields: tuple[str, ...]) -> Element:
    """The values the copy needs; the flow checks them again before anything is queued."""
    inputs: list[Element] = []
    for field in fields:
        label = INPUT_LABELS[field].replace("`", "")
        node: Element = {
            "type": "Input.Text",
            "id": f"{REBUILD_INPUT_PREFIX}{field}",
            "label": label,
            "isRequired": True,
            "maxLength": 300,
        }
        if field == "port":
            node["placeholder"] = "e.g. 6380"
        inputs.append(node)
    inputs.append(
        text_block("An approver sees the plan as a diff before anything runs.", subtle=True)
    )
    send = action_execute(
        "Ask for approval", Verb.REBUILD_INPUTS, {"finding_id": finding_id}, style="positive"
    )
    send["associatedInputs"] = "auto"
    return action_show_card("Request rebuild…", inputs, [send], style="positive")
