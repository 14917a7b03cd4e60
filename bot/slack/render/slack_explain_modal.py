"""Explain on a finding: a modal with this resource's own audit and fix commands.

Opens over the thread (nothing is posted), so the channel stays short; the full, generic
catalog text stays in `/cache-explain`.
"""

from __future__ import annotations

from typing import Any

from bot.slack.render.mrkdwn import code, code_block, escape, truncate
from bot.slack.render.slack_elements import MAX_SECTION_TEXT, Block, context, section
from bot.slack.render.slack_explain import fix_words
from bot.slack.render.slack_findings import compact_aliases, kind_label

EXPLAIN_MODAL_CALLBACK = "finding_explain_modal"
_TITLE_LIMIT = 24  # Slack's limit for a modal title
_PROSE_SHOWN = 900


def _code_section(heading: str, commands: str) -> Block:
    room = MAX_SECTION_TEXT - len(heading) - 1
    return section(f"{heading}\n{code_block(commands, room)}")


def _prose(heading: str, text: str) -> Block:
    return section(f"{heading}\n{truncate(escape(text), _PROSE_SHOWN)}")


def render_explain_modal(doc: dict[str, Any]) -> dict[str, Any]:
    """A `views.open` modal from `posture.finding_explain.finding_explanation`."""
    rule_id = doc["rule_id"]
    where = (
        f"*{escape(kind_label(doc['resource_kind']))}* {code(doc['resource_id'])}"
        f" · account {code(doc['account'])} · {escape(doc['region'])}"
    )
    blocks: list[Block] = [
        section(
            f"*{escape(doc['severity'].upper())}* {code(rule_id)} {escape(doc['title'])}\n{where}"
        ),
        _prose("*What the scan saw*", doc["evidence"]),
        _prose("*Why it matters*", doc["rationale"]),
    ]
    if doc["audit"]:
        blocks.append(_code_section("*Check it yourself*", doc["audit"]))
    if doc["fix"]:
        blocks.append(_code_section(f"*Fix {fix_words(doc['fix_kind'])}*", doc["fix"]))
    blocks.append(_prose("*Back out*", doc["backout"]))
    notes = []
    if doc["unfilled"]:
        names = ", ".join(code(f"<{name}>") for name in doc["unfilled"][:6])
        notes.append(f"Fill in yourself: {names}.")
    aliases = compact_aliases(doc["aliases"])
    if aliases:
        notes.append(f"Also known as: {aliases}.")
    notes.append(f"Full text and templates: {code('/cache-explain ' + rule_id)}")
    blocks.append(context(truncate(" ".join(notes), MAX_SECTION_TEXT)))
    return {
        "type": "modal",
        "callback_id": EXPLAIN_MODAL_CALLBACK,
        "title": {"type": "plain_text", "text": truncate(f"Explain {rule_id}", _TITLE_LIMIT)},
        "close": {"type": "plain_text", "text": "Close"},
        "blocks": blocks,
    }
