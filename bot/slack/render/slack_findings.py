"""Findings thread replies: resources as headings, one compact line per finding.

Each line is one section: severity, failure headline, key evidence and rule ids, with a
"..." menu offering only the actions that apply (a line with only Explain gets a button).
Lines are packed into replies within the block count and a JSON size budget. Past
`max_replies`, the rest is an index naming every remaining resource; the full details
are in the report files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from bot.slack.actions import ActionId, action_id_for, menu_value
from bot.slack.render.mrkdwn import code, escape, truncate, user_mention
from bot.slack.render.slack_elements import (
    MAX_MESSAGE_BLOCKS,
    Block,
    button,
    context,
    fallback,
    json_size,
    option,
    overflow,
    section,
    section_with,
)
from bot.slack.render.slack_errors import error_reply_blocks
from bot.slack.render.slack_index import index_replies
from posture.findings import Status
from posture.messages import FindingAction, FindingLine, FindingsThread, ResourceFindings
from posture.wording import KIND_LABELS as KIND_LABELS  # shared words (re-exported)
from posture.wording import framework_label as framework_label
from posture.wording import kind_label as kind_label

_OPAQUE_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")
_EVIDENCE_SHOWN = 160
_TITLE_SHOWN = 120
_ALIASES_SHOWN = 300
_PAGE_PLACEHOLDER = 999_999  # widest page number measured when reserving room

MENU_LABELS = {
    FindingAction.EXPLAIN: "Explain",
    FindingAction.REQUEST_FIX: "Request fix",
    FindingAction.ACCEPT_RISK: "Accept risk",
    FindingAction.REQUEST_REBUILD: "Request rebuild",
}
BUTTON_LABELS = MENU_LABELS
COST_HEADING = "*Cost and capacity* (billing and sizing, not security exposure)"


@dataclass(frozen=True)
class ThreadReply:
    """One reply to post: fallback text, blocks, and the findings it shows (to redraw it)."""

    text: str
    blocks: list[Block]
    finding_ids: tuple[str, ...] = ()


Reply = tuple[str, list[Block]]


def compact_aliases(aliases: dict[str, tuple[str, ...]] | dict[str, list[str]]) -> str:
    """Aliases on one line, e.g. "Security Hub ElastiCache.5 · Checkov CKV_AWS_30" (Explain)."""
    parts = [f"{framework_label(fw)} {', '.join(ids)}" for fw, ids in aliases.items() if ids]
    return truncate(escape(" · ".join(parts)), _ALIASES_SHOWN)


def resource_block(resource: ResourceFindings, *, continued: bool) -> Block:
    where = [code(resource.account), escape(resource.region)]
    if resource.engine:
        where.append(escape(resource.engine))
    title = f"*{escape(kind_label(resource.resource_kind))}* {code(resource.resource_id)}"
    if continued:
        title += " (continued)"
    return section(f"{title} · {' · '.join(where)}")


def _rules(line: FindingLine) -> str:
    return code(line.rule_id) + (f" (also {escape(', '.join(line.also))})" if line.also else "")


_LINK_IN_EVIDENCE = re.compile(r"\s*\(?https?://[^\s)]*\)?")
_MIN_OVERLAP = 12  # characters the headline and the evidence must share before one is cut


def key_evidence(headline: str, evidence: str) -> str:
    """The evidence as a line shows it: without links (Explain keeps them; a cut URL reads
    as noise) and without words that only repeat the end of the headline."""
    text = _LINK_IN_EVIDENCE.sub("", evidence).strip()
    lowered, head = text.lower(), headline.lower()
    for size in range(min(len(head), len(text)), _MIN_OVERLAP - 1, -1):
        if lowered.startswith(head[-size:]):
            return text[size:].strip(" ,;:")
    return text


def _evidence(line: FindingLine) -> str:
    evidence = key_evidence(line.headline, line.evidence)
    return f" · {truncate(escape(evidence), _EVIDENCE_SHOWN)}" if evidence else ""


def finding_text(line: FindingLine) -> str:
    """One line: severity, what is wrong, key evidence, rule ids; a state word when closed."""
    headline = truncate(escape(line.headline), _TITLE_SHOWN)
    severity = str(line.severity).upper()
    if line.status is Status.PASS:
        by = f" by {user_mention(line.resolved_by)}" if line.resolved_by else ""
        return f"*RESOLVED* ~{severity} {headline}~ · fix verified{by} · {_rules(line)}"
    if line.status is Status.SUPPRESSED:
        until = line.accepted_until.strftime("%Y-%m-%d") if line.accepted_until else "?"
        who = user_mention(line.accepted_by) if line.accepted_by else "an approver"
        return (
            f"*ACCEPTED* {severity} {headline} · accepted by {who} until {until} · {_rules(line)}"
        )
    return f"*{severity}* {headline}{_evidence(line)} · {_rules(line)}"


def finding_menu(line: FindingLine) -> Block:
    """The line's accessory: a menu of its actions, or a plain button when only one applies."""
    if not _OPAQUE_ID.match(line.finding_id):
        raise ValueError(f"finding id must be short and alphanumeric, got {line.finding_id!r}")
    if len(line.actions) == 1:
        (only,) = line.actions
        return button(MENU_LABELS[only], action_id_for(only), line.finding_id)
    options = [option(MENU_LABELS[a], menu_value(a, line.finding_id)) for a in line.actions]
    return overflow(ActionId.FINDING_MENU, options)


def finding_blocks(line: FindingLine) -> list[Block]:
    if not line.actions:
        return [section(finding_text(line))]
    return [section_with(finding_text(line), finding_menu(line))]


def page_words(page: int, pages: int) -> str:
    """ "page 2 of 3", or "" when there is only one page (nothing to count)."""
    return f"page {page} of {pages}" if pages > 1 else ""


def page_context(run_id: str, page: int, pages: int) -> Block:
    where = page_words(page, pages)
    run = f"run {code(run_id, 80)}"
    return context(f"{where.capitalize()} · {run}" if where else f"Findings of {run}")


@dataclass
class _Page:
    """Blocks of one reply being filled, with the budget it has already spent."""

    blocks: list[Block] = field(default_factory=list)
    chars: int = 0
    finding_ids: list[str] = field(default_factory=list)

    def fits(self, extra: list[Block], extra_chars: int, limits: tuple[int, int]) -> bool:
        max_blocks, max_chars = limits
        if not self.blocks:
            return True  # an oversized unit still gets a reply of its own
        return len(self.blocks) + len(extra) <= max_blocks and self.chars + extra_chars <= max_chars

    def add(self, extra: list[Block], extra_chars: int, line: FindingLine) -> None:
        self.blocks.extend(extra)
        self.chars += extra_chars
        self.finding_ids.append(line.finding_id)


def _size(blocks: list[Block]) -> int:
    return sum(json_size(block) for block in blocks)


def _sections(thread: FindingsThread) -> Iterator[tuple[ResourceFindings, list[Block]]]:
    """Each resource with the blocks that go before its first finding: cost ones come last."""
    for resource in thread.resources:
        yield resource, []
    for number, resource in enumerate(thread.cost_resources):
        yield resource, [section(COST_HEADING)] if number == 0 else []


def _pack(thread: FindingsThread, limits: tuple[int, int]) -> list[_Page]:
    pages = [_Page()]
    for resource, heading in _sections(thread):
        on_page = False  # this resource's heading is already on the current reply
        for index, line in enumerate(resource.findings):
            body = finding_blocks(line)
            lead = (heading if index == 0 else []) + [resource_block(resource, continued=index > 0)]
            unit = body if on_page else lead + body
            if not pages[-1].fits(unit, _size(unit), limits):
                pages.append(_Page())
                unit = lead + body
            pages[-1].add(unit, _size(unit), line)
            on_page = True
    return [page for page in pages if page.blocks]


def _reserved(run_id: str) -> tuple[int, int]:
    """Room kept on every reply for its "Page i of n" context block."""
    placeholder = page_context(run_id, _PAGE_PLACEHOLDER, _PAGE_PLACEHOLDER)
    return 1, json_size(placeholder)


def _reply_text(run_id: str, page: _Page, number: int, total: int) -> str:
    count = len(page.finding_ids)
    found = f"{count} finding{'s' if count != 1 else ''}"
    where = page_words(number, total)
    return fallback(escape(f"Audit {run_id} findings{', ' + where if where else ''}: {found}"))


def _error_reply(thread: FindingsThread, limits: tuple[int, int], total: int) -> ThreadReply:
    head = page_context(thread.run_id, total, total)
    max_blocks, max_chars = limits
    body = error_reply_blocks(thread.errors, max_blocks - 1, max_chars - json_size(head))
    noun = "check" if len(thread.errors) == 1 else "checks"
    text = f"Audit {thread.run_id}: {len(thread.errors)} {noun} could not be evaluated"
    return ThreadReply(fallback(escape(text)), [head, *body])


def render_thread_replies(
    thread: FindingsThread,
    *,
    max_blocks: int = 45,
    max_chars: int = 12000,
    max_replies: int | None = None,
) -> list[ThreadReply]:
    """Thread replies in posting order; [] when nothing failed.

    With `max_replies`, detail pages stop early and index replies name every resource
    that did not fit (so every failing resource is named in chat).
    """
    limits = (min(max_blocks, MAX_MESSAGE_BLOCKS), max_chars)
    reserve_blocks, reserve_chars = _reserved(thread.run_id)
    budget = (limits[0] - reserve_blocks, max_chars - reserve_chars - 2)
    pages = _pack(thread, budget)
    index: list[tuple[str, list[Block]]] = []
    if max_replies is not None and len(pages) + bool(thread.errors) > max_replies:
        room = max(1, max_replies - 1 - bool(thread.errors))
        shown_ids = {fid for page in pages[:room] for fid in page.finding_ids}
        index = index_replies(thread, shown_ids, budget)
        pages = pages[:room]
    total = len(pages) + len(index) + (1 if thread.errors else 0)
    replies = [
        ThreadReply(
            _reply_text(thread.run_id, page, number, total),
            [page_context(thread.run_id, number, total), *page.blocks],
            tuple(page.finding_ids),
        )
        for number, page in enumerate(pages, 1)
    ]
    for number, (text, blocks) in enumerate(index, len(pages) + 1):
        replies.append(ThreadReply(text, [page_context(thread.run_id, number, total), *blocks]))
    if thread.errors:
        replies.append(_error_reply(thread, limits, total))
    return replies


def render_findings_thread(
    thread: FindingsThread, *, max_blocks: int = 45, max_chars: int = 12000
) -> list[Reply]:
    """Thread replies (fallback text, blocks), in posting order; [] when nothing failed."""
    replies = render_thread_replies(thread, max_blocks=max_blocks, max_chars=max_chars)
    return [(reply.text, reply.blocks) for reply in replies]


def render_thread_page(thread: FindingsThread, page: int, pages: int) -> Reply:
    """One posted reply drawn again from current state (a fix or an accepted risk changed it).

    Closed lines are never longer than open ones, so what fitted once fits again.
    """
    packed = _pack(thread, (MAX_MESSAGE_BLOCKS - 1, 10**9))
    blocks = [block for part in packed for block in part.blocks]
    count = thread.finding_count
    where = page_words(page, pages)
    text = f"Audit {thread.run_id} findings{', ' + where if where else ''}: {count} findings"
    return fallback(escape(text)), [page_context(thread.run_id, page, pages), *blocks]
