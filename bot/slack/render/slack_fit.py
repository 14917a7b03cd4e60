"""Fit a list of sections into one message's size budget by shortening the longest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.slack.render.slack_elements import MAX_SECTION_TEXT, Block, blocks_size, section

_FLOOR = 240  # a shortened section still says something useful
_MAX_ROUNDS = 40


@dataclass(frozen=True)
class Part:
    """A section whose text can be drawn at any length up to `cap` (escaped mrkdwn)."""

    draw: Callable[[int], str]
    cap: int = MAX_SECTION_TEXT


Item = Block | Part


def _draw(items: list[Item], limits: dict[int, int]) -> list[Block]:
    return [
        section(item.draw(limits[index])) if isinstance(item, Part) else item
        for index, item in enumerate(items)
    ]


def _longest_shrinkable(blocks: list[Block], limits: dict[int, int]) -> int | None:
    candidates = [
        (len(blocks[index]["text"]["text"]), index)
        for index, limit in limits.items()
        if limit > _FLOOR
    ]
    return max(candidates)[1] if candidates else None


def fit(items: list[Item], max_chars: int) -> list[Block]:
    """Blocks whose JSON stays within `max_chars`, shortening the longest part first.

    Fixed blocks are kept as they are; if they alone exceed the budget the result
    is as short as the parts allow.
    """
    limits = {
        i: min(item.cap, MAX_SECTION_TEXT) for i, item in enumerate(items) if isinstance(item, Part)
    }
    blocks = _draw(items, limits)
    for _ in range(_MAX_ROUNDS):
        over = blocks_size(blocks) - max_chars
        if over <= 0:
            break
        index = _longest_shrinkable(blocks, limits)
        if index is None:
            break
        drawn = len(blocks[index]["text"]["text"])
        limits[index] = max(_FLOOR, min(limits[index], drawn) - over - 8)
        blocks = _draw(items, limits)
    return blocks
