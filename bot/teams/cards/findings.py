"""Findings in the audit's reply chain: one card per page, each finding with its buttons.

A page holds whole findings (text and buttons together) and stays under the card size
budget; the last page lists the checks that could not be evaluated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

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
from bot.teams.cards.words import COST_HEADING, SEVERITY_COLORS, kind_label, plural
from bot.teams.verbs import FINDING_VERBS
from posture.findings import Status
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


def _state(line: FindingLine) -> str:
    """The finding's first line: severity and headline, or what closed it and who."""
    severity = str(line.severity).upper()
    headline = escape(truncate(line.headline or line.title, _TITLE_SHOWN))
    rules = escape(line.rule_id) + (f" (also {escape(', '.join(line.also))})" if line.also else "")
    if line.status is Status.PASS:
        by = f" by {escape(line.resolved_by)}" if line.resolved_by else ""
        return f"**RESOLVED** {rules} {headline} · was {severity}, fix verified{by}"
    if line.status is Status.SUPPRESSED:
        until = line.accepted_until.strftime("%Y-%m-%d") if line.accepted_until else "?"
        who = escape(line.accepted_by) if line.accepted_by else "an approver"
        return f"**ACCEPTED** {rules} {headline} · {severity}, accepted by {who} until {until}"
    return f"**{severity}** {rules} {headline}"


def finding_element(line: FindingLine) -> Element:
    severity = str(line.severity)
    color = SEVERITY_COLORS.get(severity) if line.is_open else "Good"
    if line.status is Status.SUPPRESSED:
        color = None
    items = [text_block(_state(line), color=color)]
    # other tools' ids are in Explain, as on Slack, so the chain stays short
    if line.is_open and line.evidence.strip():
        evidence = truncate(line.evidence.strip(), _EVIDENCE_SHOWN)
        items.append(text_block(f"Evidence: {escape(evidence)}"))
    if line.actions:
        items.append(finding_buttons(line))
    return container(items)


@dataclass(frozen=True)
class FindingsPage:
    """One reply in the chain: its card and the findings it shows (to redraw it later)."""

    card: Card
    finding_ids: tuple[str, ...] = ()


def _sections(thread: FindingsThread) -> Iterator[tuple[ResourceFindings, list[Element]]]:
    """Each resource with what goes before its first finding: cost ones come last."""
    for resource in thread.resources:
        yield resource, []
    for number, resource in enumerate(thread.cost_resources):
        yield resource, [text_block(COST_HEADING, weight="Bolder")] if number == 0 else []


def _pages(thread: FindingsThread) -> list[tuple[list[Element], list[str]]]:
    budget = MAX_CARD_CHARS - _PAGE_ROOM
    pages: list[tuple[list[Element], list[str]]] = [([], [])]
    used = 0
    for resource, lead in _sections(thread):
        on_page = False
        for index, line in enumerate(resource.findings):
            head = (lead if index == 0 else []) + [resource_header(resource, continued=index > 0)]
            unit = [finding_element(line)] if on_page else [*head, finding_element(line)]
            size = sum(card_size(element) for element in unit)
            if pages[-1][0] and used + size > budget:
                pages.append(([], []))
                used = 0
                unit = [*head, finding_element(line)]
                size = sum(card_size(element) for element in unit)
            pages[-1][0].extend(unit)
            pages[-1][1].append(line.finding_id)
            used += size
            on_page = True
    return [page for page in pages if page[0]]


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


def _page_card(run_id: str, body: list[Element], number: int, pages: int) -> Card:
    """ "Page i of n" only when the findings span more than one reply, as on Slack."""
    paged = pages > 1
    where = f"Page {number} of {pages} · run {run_id}" if paged else f"Run {run_id}"
    context = text_block(escape(where), subtle=True, size="Small")
    summary = f"Audit {run_id} findings" + (f", page {number} of {pages}" if paged else "")
    return card([context, *body], summary=summary)


def render_findings_pages(thread: FindingsThread) -> list[FindingsPage]:
    """The replies under the audit's root post, in posting order; [] when nothing failed."""
    pages = [(body, tuple(ids)) for body, ids in _pages(thread)]
    if thread.errors:
        pages.append((_error_page(thread.errors), ()))
    return [
        FindingsPage(_page_card(thread.run_id, body, number, len(pages)), ids)
        for number, (body, ids) in enumerate(pages, 1)
    ]


def render_findings_cards(thread: FindingsThread) -> list[Card]:
    return [page.card for page in render_findings_pages(thread)]


def render_findings_page(thread: FindingsThread, number: int, pages: int) -> Card:
    """One posted reply drawn again (a fix verified, a risk accepted): `thread` holds only the
    findings that reply shows (`FindingsThread.only`), so it stays the same page."""
    body = [element for page, _ids in _pages(thread) for element in page]
    return _page_card(thread.run_id, body, number, pages)
