"""Findings thread replies: one resource section, then each finding with its buttons.

Findings are packed into replies that each stay within the block count and a total
JSON size budget; a finding (section + buttons) is never split across two replies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.actions import action_id_for
from bot.render.mrkdwn import code, escape, truncate
from bot.render.slack_elements import (
    MAX_MESSAGE_BLOCKS,
    Block,
    actions,
    button,
    context,
    divider,
    fallback,
    json_size,
    section,
)
from bot.render.slack_errors import error_reply_blocks
from posture.messages import FindingAction, FindingLine, FindingsThread, ResourceFindings

_OPAQUE_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")
_EVIDENCE_SHOWN = 600
_TITLE_SHOWN = 200
_ALIASES_SHOWN = 300
_PAGE_PLACEHOLDER = 999_999  # widest page number measured when reserving room

BUTTON_LABELS = {
    FindingAction.EXPLAIN: "Explain",
    FindingAction.REQUEST_FIX: "Request fix",
    FindingAction.ACCEPT_RISK: "Accept risk",
}
FRAMEWORK_LABELS = {
    "security_hub": "Security Hub",
    "checkov": "Checkov",
    "conformity": "Conformity",
    "prowler": "Prowler",
    "cloudsploit": "CloudSploit",
    "steampipe": "Steampipe",
    "aws_config": "AWS Config",
}
KIND_LABELS = {
    "replication_group": "Replication group",
    "cache_cluster": "Cache cluster",
    "serverless_cache": "Serverless cache",
    "user": "User",
    "snapshot": "Snapshot",
    "reserved_node": "Reserved node",
    "account_region": "Account and region",
    "account": "Account",
}

Reply = tuple[str, list[Block]]


def framework_label(framework: str) -> str:
    return FRAMEWORK_LABELS.get(framework, framework.replace("_", " ").title())


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def compact_aliases(aliases: dict[str, tuple[str, ...]] | dict[str, list[str]]) -> str:
    """Aliases on one line, e.g. "Security Hub ElastiCache.5 · Checkov CKV_AWS_30"."""
    parts = [f"{framework_label(fw)} {', '.join(ids)}" for fw, ids in aliases.items() if ids]
    return truncate(escape(" · ".join(parts)), _ALIASES_SHOWN)


def resource_block(resource: ResourceFindings, *, continued: bool) -> Block:
    where = [f"account {code(resource.account)}", escape(resource.region)]
    if resource.engine:
        where.append(escape(resource.engine))
    count = len(resource.findings)
    where.append(f"{count} finding{'s' if count != 1 else ''}")
    title = f"*{escape(kind_label(resource.resource_kind))}* {code(resource.resource_id)}"
    if continued:
        title += " (continued)"
    return section(f"{title}\n{' · '.join(where)}")


def finding_text(line: FindingLine) -> str:
    title = truncate(escape(line.headline), _TITLE_SHOWN)
    lines = [f"*{str(line.severity).upper()}*  {code(line.rule_id)}  {title}"]
    aliases = compact_aliases(line.aliases)
    if aliases:
        lines.append(f"Also known as: {aliases}")
    if line.evidence.strip():
        lines.append(f"Evidence: {truncate(escape(line.evidence.strip()), _EVIDENCE_SHOWN)}")
    return "\n".join(lines)


def finding_buttons(line: FindingLine) -> Block:
    """Buttons carry only the finding's opaque id; the handler reloads everything else."""
    if not _OPAQUE_ID.match(line.finding_id):
        raise ValueError(f"finding id must be short and alphanumeric, got {line.finding_id!r}")
    elements = [
        button(
            BUTTON_LABELS[action],
            action_id_for(action),
            line.finding_id,
            style="primary" if action is FindingAction.REQUEST_FIX else None,
        )
        for action in line.actions
    ]
    return actions(elements)


def finding_blocks(line: FindingLine) -> list[Block]:
    blocks = [section(finding_text(line))]
    if line.actions:
        blocks.append(finding_buttons(line))
    return blocks


def page_context(run_id: str, page: int, pages: int) -> Block:
    return context(f"Page {page} of {pages} · run {code(run_id, 80)}")


@dataclass
class _Page:
    """Blocks of one reply being filled, with the budget it has already spent."""

    blocks: list[Block] = field(default_factory=list)
    chars: int = 0
    findings: int = 0

    def fits(self, extra: list[Block], extra_chars: int, limits: tuple[int, int]) -> bool:
        max_blocks, max_chars = limits
        if not self.blocks:
            return True  # an oversized unit still gets a reply of its own
        return len(self.blocks) + len(extra) <= max_blocks and self.chars + extra_chars <= max_chars

    def add(self, extra: list[Block], extra_chars: int) -> None:
        self.blocks.extend(extra)
        self.chars += extra_chars
        self.findings += 1


def _size(blocks: list[Block]) -> int:
    return sum(json_size(block) for block in blocks)


def _lead(resource: ResourceFindings, *, continued: bool) -> list[Block]:
    return [divider(), resource_block(resource, continued=continued)]


COST_HEADING = "*Cost and capacity* (billing and sizing, not security exposure)"


def _sections(thread: FindingsThread) -> Iterator[tuple[ResourceFindings, list[Block]]]:
    """Each resource with the blocks that go before its first finding: cost ones come last."""
    for resource in thread.resources:
        yield resource, []
    for number, resource in enumerate(thread.cost_resources):
        yield resource, [section(COST_HEADING)] if number == 0 else []


def _pack(thread: FindingsThread, limits: tuple[int, int]) -> list[_Page]:
    pages = [_Page()]
    for resource, heading in _sections(thread):
        on_page = False  # this resource's section is already on the current reply
        for index, line in enumerate(resource.findings):
            body = finding_blocks(line)
            lead = (heading if index == 0 else []) + _lead(resource, continued=index > 0)
            unit = body if on_page else lead + body
            if not pages[-1].fits(unit, _size(unit), limits):
                pages.append(_Page())
                unit = lead + body
            pages[-1].add(unit, _size(unit))
            on_page = True
    return [page for page in pages if page.blocks]


def _reserved(run_id: str) -> tuple[int, int]:
    """Room kept on every reply for its "Page i of n" context block."""
    placeholder = page_context(run_id, _PAGE_PLACEHOLDER, _PAGE_PLACEHOLDER)
    return 1, json_size(placeholder)


def _reply_text(run_id: str, page: _Page, number: int, total: int) -> str:
    found = f"{page.findings} finding{'s' if page.findings != 1 else ''}"
    text = f"Audit {run_id} findings, page {number} of {total}: {found}"
    return fallback(escape(text))


def _replies(
    thread: FindingsThread, pages: list[_Page], limits: tuple[int, int]
) -> Iterator[Reply]:
    total = len(pages) + (1 if thread.errors else 0)
    for number, page in enumerate(pages, 1):
        blocks = [page_context(thread.run_id, number, total), *page.blocks]
        yield _reply_text(thread.run_id, page, number, total), blocks
    if thread.errors:
        head = page_context(thread.run_id, total, total)
        max_blocks, max_chars = limits
        body = error_reply_blocks(thread.errors, max_blocks - 1, max_chars - json_size(head))
        noun = "check" if len(thread.errors) == 1 else "checks"
        text = f"Audit {thread.run_id}: {len(thread.errors)} {noun} could not be evaluated"
        yield fallback(escape(text)), [head, *body]


def render_findings_thread(
    thread: FindingsThread, *, max_blocks: int = 45, max_chars: int = 12000
) -> list[Reply]:
    """Thread replies (fallback text, blocks), in posting order; [] when nothing failed."""
    reserve_blocks, reserve_chars = _reserved(thread.run_id)
    budget = (
        min(max_blocks, MAX_MESSAGE_BLOCKS) - reserve_blocks,
        max_chars - reserve_chars - 2,  # the list's own brackets
    )
    pages = _pack(thread, budget)
    return list(_replies(thread, pages, (min(max_blocks, MAX_MESSAGE_BLOCKS), max_chars)))
