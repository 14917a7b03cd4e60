"""The latest audit-log entries as a card (approvers only, in a personal chat)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from bot.teams.cards.elements import Card, card, escape, heading, text_block, truncate
from workers.trail.log import AuditEntry

_SHOWN_FIELDS = ("event", "actor", "request_id", "kind", "target", "state", "outcome", "reason")


def entry_time(entry: AuditEntry) -> str:
    """A stream id starts with the entry's time in milliseconds."""
    millis = entry.entry_id.split("-", 1)[0]
    if not millis.isdigit():
        return "?"
    return datetime.fromtimestamp(int(millis) / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def entry_line(entry: AuditEntry, names: Mapping[str, str] | None = None) -> str:
    """One entry; the actor keeps its id (the record) with the display name beside it."""
    fields = dict(entry.fields)
    actor = fields.get("actor")
    if actor and names and names.get(actor):
        fields["actor"] = f"{actor} ({names[actor]})"
    when = entry_time(entry)
    bits = [f"{name}={fields[name]}" for name in _SHOWN_FIELDS if fields.get(name)]
    return " ".join([when, *bits]).strip() or entry.entry_id


def render_audit_log_card(
    entries: list[AuditEntry], limit: int, names: Mapping[str, str] | None = None
) -> Card:
    if not entries:
        body = [text_block("The audit log is empty.")]
        return card(body, summary="The audit log is empty.")
    title = f"The latest {len(entries)} audit-log entries (asked for {limit})"
    body = [heading(title)]
    body += [text_block(escape(truncate(entry_line(e, names), 400)), size="Small") for e in entries]
    return card(body, summary=title)
