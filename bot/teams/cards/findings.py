"""Findings in the audit's reply chain: one card per page, each finding with its buttons.

A page holds whole findings (text and buttons together) and stays under the card size
budget; the last page lists the checks that could not be evaluated.
"""

from __future__ import annotations

import re

from bot.teams.cards.elements import (
    MAX_CARD_CHARS,
    Card,
    Element,
    action_execute,
    action_set,
    card,
    card_size,
    container,
    escape,
    text_block,
    truncate,
)
from bot.teams.cards.words import SEVERITY_COLORS, aliases_line, kind_label, plural
from bot.teams.verbs import FINDING_VERBS
from posture.messages import FindingAction, FindingLine, FindingsThread, ResourceFindings

_OPAQUE_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")
_EVIDENCE_SHOWN = 600
_TITLE_SHOWN = 200
_ERROR_SHOWN = 400
_PAGE_ROOM = 600  # kept free on each page for the "Page i of n" line and the card frame
BUTTON_LABELS = {
    FindingAction.EXPLAIN: "Explain",
    FindingAction.REQUEST_FIX: "Request fix",
    FindingAction.ACCEPT_RISK: "Accept risk",
    FindingAction.REQUEST_REBUILD: "Request rebuild",
}


def resource_header(resource: ResourceFindings, *, continued: bool) -> Element:
    where = [f"account {resource.account}", resource.region]
    if resource.engine:
        where.append(resource.engine)
    where.append(plural(len(resource.findings), "finding"))
    title = f"{kind_label(resource.resource_kind)} {resource.resource_id}"
    if continued:
        title += " (continued)"
    return container(
        [
            text_block(escape(title), weight="Bolder"),
            text_block(escape(" · ".join(where)), subtle=True, size="Small"),
        ],
        separator=True,
    )


def finding_buttons(line: FindingLine) -> Element:
    """Buttons carry the finding's opaque id only; the handler reloads everything else."""
    if not _OPAQUE_ID.match(line.finding_id):
        raise ValueError(f"finding id must be short and alphanumeric, got {line.finding_id!r}")
    return action_set(
        [
            action_execute(
                BUTTON_LABELS[action],
                FINDING_VERBS[action],
                {"finding_id": line.finding_id},
                style="positive" if action is FindingAction.REQUEST_FIX else None,
            )
            for action in line.actions
        ]
    )


def finding_element(line: FindingLine) -> Element:
    severity = str(line.severity)
    items = [
        text_block(
            f"**{severity.upper()}** {escape(line.rule_id)} "
            f"{escape(truncate(line.title, _TITLE_SHOWN))}",
            color=SEVERITY_COLORS.get(severity),
        )
    ]
    aliases = aliases_line(line.aliases)
    if aliases:
        items.append(text_block(escape(f"Also known as: {truncate(aliases, 300)}"), subtle=True))
    if line.evidence.strip():
        evidence = truncate(line.evidence.strip(), _EVIDENCE_SHOWN)
        items.append(text_block(f"Evidence: {escape(evidence)}"))
    if line.actions:
        items.append(finding_buttons(line))
    return container(items)


def _pages(thread: FindingsThread) -> list[list[Element]]:
    budget = MAX_CARD_CHARS - _PAGE_ROOM
    pages: list[list[Element]] = [[]]
    used = 0
    for resource in thread.resources:
        on_page = False
        for index, line in enumerate(resource.findings):
            unit = [finding_element(line)]
            if not on_page:
                unit.insert(0, resource_header(resource, continued=index > 0))
            size = sum(card_size(element) for element in unit)
            if pages[-1] and used + size > budget:
                pages.append([])
                used = 0
                unit = [resource_header(resource, continued=index > 0), finding_element(line)]
                size = sum(card_size(element) for element in unit)
            pages[-1].extend(unit)
            used += size
            on_page = True
    return [page for page in pages if page]


def _error_page(errors: tuple[str, ...]) -> list[Element]:
    noun = "check" if len(errors) == 1 else "checks"
    body = [text_block(f"**{len(errors)} {noun} could not be evaluated**")]
    used, shown = 0, 0
    for error in errors:
        block = text_block(escape(f"• {truncate(' '.join(error.split()), _ERROR_SHOWN)}"))
        if used + card_size(block) > MAX_CARD_CHARS - _PAGE_ROOM * 2:
            break
        body.append(block)
        used += card_size(block)
        shown += 1
    if shown < len(errors):
        body.append(text_block(f"…and {len(errors) - shown} more not shown here."))
    return body


def render_findings_cards(thread: FindingsThread) -> list[Card]:
    """The replies under the audit's root post, in posting order; [] when nothing failed."""
    pages = _pages(thread)
    if thread.errors:
        pages.append(_error_page(thread.errors))
    cards = []
    for number, page in enumerate(pages, 1):
        context = text_block(
            escape(f"Page {number} of {len(pages)} · run {thread.run_id}"),
            subtle=True,
            size="Small",
        )
        summary = f"Audit {thread.run_id} findings, page {number} of {len(pages)}"
        cards.append(card([context, *page], summary=summary))
    return cards
