"""A rebuild's progress as an Adaptive Card: diff, phase, endpoints, cutover steps, and the
buttons the phase allows, as on Slack: "Delete the old cache" (asks for a second approval)
and "Cancel rebuild" (an approver other than the requester). Their data is the rebuild id.
"""

from __future__ import annotations

from bot.teams.cards.elements import (
    Card,
    Element,
    action_execute,
    card,
    escape,
    facts,
    text_block,
    truncate,
)
from bot.teams.verbs import Verb
from posture.rebuild_messages import RebuildCard


def rebuild_actions(view: RebuildCard) -> list[Element]:
    data = {"rebuild_id": view.rebuild_id}
    buttons = []
    if view.can_delete_source:
        buttons.append(
            action_execute(
                "Delete the old cache", Verb.REBUILD_DELETE_SOURCE, data, style="destructive"
            )
        )
    if view.can_cancel:
        buttons.append(action_execute("Cancel rebuild", Verb.REBUILD_CANCEL, data))
    return buttons


def render_rebuild_card(view: RebuildCard) -> Card:
    title = f"Rebuild for {view.rule_id}: {view.source_id} -> {view.copy_id}"
    body: list[Element] = [
        text_block(f"**{escape(title)}**"),
        text_block(escape(f"account {view.account} · {view.region}"), subtle=True),
        facts([(d.setting, f"{d.before} -> {d.after}") for d in view.diff[:20]]),
        text_block(escape(truncate(f"{view.status} {view.problem}".strip(), 1500))),
    ]
    if view.endpoints:
        body.append(text_block(escape("New endpoints: " + ", ".join(view.endpoints))))
    for number, step in enumerate(view.cutover_steps, 1):
        body.append(text_block(escape(f"{number}. {step}")))
    if view.final_snapshot:
        body.append(text_block(escape(f"Final snapshot: {view.final_snapshot}"), subtle=True))
    body.append(text_block(escape(f"rebuild {view.rebuild_id}"), subtle=True, size="Small"))
    return card(body, actions=rebuild_actions(view) or None, summary=title)
