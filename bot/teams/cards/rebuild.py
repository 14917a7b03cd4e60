"""A rebuild's progress as a minimal Adaptive Card: diff, phase, endpoints, cutover steps.

Teams shows the card without buttons for now: Cancel rebuild and Delete the old cache are
Slack buttons; in Teams the approval requests themselves (Approve/Deny) drive the rebuild.
"""

from __future__ import annotations

from bot.teams.cards.elements import Card, Element, card, escape, facts, text_block, truncate
from posture.rebuild_messages import RebuildCard


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
    return card(body, summary=title)
