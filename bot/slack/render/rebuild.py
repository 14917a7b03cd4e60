"""A rebuild's progress card as Block Kit. Pure: a `RebuildCard` in, blocks out.

The card shows the plan as a diff (old -> new per setting), the phase in words, who
approved, and once the copy is verified its endpoints and the client cutover steps.
Buttons carry only the rebuild id: "Delete the old cache" (asks for a second approval)
and "Cancel rebuild" appear only while the migration allows them.
"""

from __future__ import annotations

from bot.slack.actions import ActionId
from bot.slack.render.mrkdwn import code, escape, truncate, user_mention
from bot.slack.render.slack_elements import (
    MAX_SECTION_TEXT,
    Block,
    actions,
    button,
    context,
    fallback,
    header,
    section,
)
from posture.rebuild_messages import RebuildCard
from posture.rebuilds import RebuildPhase

_VALUE_SHOWN = 120
_DIFF_SHOWN = 20  # settings listed; a copy changes one or two, so this is a guard


def diff_lines(card: RebuildCard) -> str:
    rows = [
        f"• *{escape(d.setting)}*: {code(d.before, _VALUE_SHOWN)} → {code(d.after, _VALUE_SHOWN)}"
        for d in card.diff[:_DIFF_SHOWN]
    ]
    if len(card.diff) > _DIFF_SHOWN:
        rows.append(f"…and {len(card.diff) - _DIFF_SHOWN} more")
    return "\n".join(rows) or "(no setting differs)"


def _people(card: RebuildCard) -> str:
    parts = [f"Requested by {user_mention(card.requester)}"]
    if card.approver:
        parts.append(f"approved by {user_mention(card.approver)}")
    if card.delete_approver:
        parts.append(f"deletion approved by {user_mention(card.delete_approver)}")
    return " · ".join(parts) + f" · rebuild {code(card.rebuild_id)}"


def _status(card: RebuildCard) -> Block:
    text = f"*{escape(card.status)}*"
    if card.problem:
        text += f"\n{escape(card.problem)}"
    return section(truncate(text, MAX_SECTION_TEXT))


def _cutover(card: RebuildCard) -> list[Block]:
    blocks = []
    if card.endpoints:
        names = "\n".join(f"• {code(name, 300)}" for name in card.endpoints)
        blocks.append(section(truncate(f"*New endpoints* ({escape(card.copy_id)})\n{names}", 2900)))
    if card.cutover_steps:
        steps = "\n".join(f"{n}. {escape(step)}" for n, step in enumerate(card.cutover_steps, 1))
        blocks.append(section(truncate(f"*Client cutover*\n{steps}", MAX_SECTION_TEXT)))
    if card.final_snapshot:
        blocks.append(context(f"Final snapshot of the old cache: {code(card.final_snapshot)}"))
    return blocks


def _buttons(card: RebuildCard) -> list[Block]:
    elements = []
    if card.can_delete_source:
        elements.append(
            button(
                "Delete the old cache",
                ActionId.REBUILD_DELETE_SOURCE,
                card.rebuild_id,
                style="danger",
            )
        )
    if card.can_cancel:
        elements.append(button("Cancel rebuild", ActionId.REBUILD_CANCEL, card.rebuild_id))
    return [actions(elements)] if elements else []


def render_rebuild(card: RebuildCard) -> tuple[str, list[Block]]:
    """The card in its current phase; buttons only for the moves allowed now."""
    where = f"account {code(card.account)} · {escape(card.region)}"
    blocks: list[Block] = [
        header(f"Rebuild for {card.rule_id}: {card.source_id} → {card.copy_id}"),
        section(
            f"{code(card.rule_id)} on *Replication group* {code(card.source_id)} · {where}\n"
            f"*Old → new*\n{diff_lines(card)}"
        ),
        _status(card),
        *_cutover(card),
        context(_people(card)),
        *_buttons(card),
    ]
    phase = "ready for cutover" if card.phase is RebuildPhase.CUTOVER_READY else card.phase.value
    text = f"Rebuild of {card.source_id} as {card.copy_id} for {card.rule_id}: {phase}"
    return fallback(escape(text)), blocks
