"""The index that ends a long findings thread: every resource whose details did not fit.

The details are in the report files; chat still names each failing resource, its
worst open problem and how many findings it has.
"""

from __future__ import annotations

from bot.slack.render.mrkdwn import code, escape
from bot.slack.render.slack_elements import MAX_SECTION_TEXT, Block, fallback, json_size, section
from posture.messages import FindingsThread, ResourceFindings

_SECTION_ROOM = MAX_SECTION_TEXT - 100


def index_entry(resource: ResourceFindings, hidden: int) -> str:
    """e.g. "`orders-prod` (3, worst HIGH)": the resource and what the report holds on it."""
    open_lines = [line for line in resource.findings if line.is_open] or list(resource.findings)
    worst = max(open_lines, key=lambda line: line.severity.rank)
    return f"{code(resource.resource_id)} ({hidden}, worst {str(worst.severity).upper()})"


def _hidden_lines(thread: FindingsThread, shown_ids: set[str]) -> tuple[int, list[str]]:
    """How many resources are left out, and one line per (account, region, kind) naming them."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for resource in (*thread.resources, *thread.cost_resources):
        hidden = sum(1 for line in resource.findings if line.finding_id not in shown_ids)
        if hidden:
            where = (resource.account, resource.region, resource.resource_kind)
            groups.setdefault(where, []).append(index_entry(resource, hidden))
    lines = []
    for (account, region, kind), entries in groups.items():
        label = escape(kind.replace("_", " ")) + "s"
        head = f"*{code(account)} {escape(region)}, {label}:* "
        lines.append(head + ", ".join(entries))
    return sum(len(entries) for entries in groups.values()), lines


def _sections(lines: list[str]) -> list[str]:
    """Lines packed into section texts; a line longer than a section is split at its commas."""
    texts: list[str] = []
    current = ""
    pieces: list[str] = []
    for line in lines:
        while len(line) > _SECTION_ROOM:
            cut = line.rfind(", ", 0, _SECTION_ROOM)
            cut = cut if cut > 0 else _SECTION_ROOM
            pieces.append(line[:cut])
            line = line[cut + 2 :] if line[cut : cut + 2] == ", " else line[cut:]
        pieces.append(line)
    for line in pieces:
        if current and len(current) + len(line) + 1 > _SECTION_ROOM:
            texts.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        texts.append(current)
    return texts


def index_replies(
    thread: FindingsThread, shown_ids: set[str], budget: tuple[int, int]
) -> list[tuple[str, list[Block]]]:
    """Replies listing every resource with findings not shown above, within `budget` each."""
    count, lines = _hidden_lines(thread, shown_ids)
    if not lines:
        return []
    max_blocks, max_chars = budget
    intro = section(
        f"*{count} more resources with findings.* Their details are in the CSV and JSON "
        "report files of this thread; use `/cache-explain` on a rule id for its fix."
    )
    replies: list[list[Block]] = [[intro]]
    for text in _sections(lines):
        block = section(text)
        used = sum(json_size(b) for b in replies[-1])
        if len(replies[-1]) + 1 > max_blocks or used + json_size(block) > max_chars:
            replies.append([])
        replies[-1].append(block)
    label = f"Audit {thread.run_id}: index of {count} more resources with findings"
    return [(fallback(escape(label)), blocks) for blocks in replies]
