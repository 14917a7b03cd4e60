"""The last findings reply: checks that could not be evaluated, listed within budget."""

from __future__ import annotations

from collections.abc import Sequence

from bot.slack.render.mrkdwn import escape, truncate
from bot.slack.render.slack_elements import MAX_SECTION_TEXT, Block, json_size, section

_ERROR_SHOWN = 400  # one error line; AWS messages can be long
_MORE_ROOM = 300  # kept free for the closing "and N more" section


def _bullet(error: str) -> str:
    return f"• {truncate(escape(' '.join(error.split())), _ERROR_SHOWN)}"


def _chunks(lines: Sequence[str]) -> list[str]:
    """Join lines into section texts of at most MAX_SECTION_TEXT characters."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_SECTION_TEXT and current:
            chunks.append(current)
            candidate = line
        current = candidate
    if current:
        chunks.append(current)
    return chunks


def error_reply_blocks(errors: Sequence[str], max_blocks: int, max_chars: int) -> list[Block]:
    """A heading and as many error lines as fit; the rest are counted, not dropped silently."""
    noun = "check" if len(errors) == 1 else "checks"
    heading = section(f"*{len(errors)} {noun} could not be evaluated*")
    blocks, used, shown = [heading], json_size(heading), 0
    for chunk in _chunks([_bullet(error) for error in errors]):
        block = section(chunk)
        if len(blocks) + 2 > max_blocks or used + json_size(block) > max_chars - _MORE_ROOM:
            break
        blocks.append(block)
        used += json_size(block)
        shown += chunk.count("\n") + 1
    if shown < len(errors):
        blocks.append(section(f"…and {len(errors) - shown} more not shown here."))
    return blocks
