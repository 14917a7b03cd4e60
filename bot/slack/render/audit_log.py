"""The audit log as a fixed-width table (CLI) and as an ephemeral Slack answer. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from bot.slack.render.mrkdwn import code_block, escape
from bot.slack.render.slack_elements import MAX_SECTION_TEXT, Block, context, fallback, section
from workers.trail.log import AuditEntry

# Fields shown in their own columns; every other field goes to "detail" as key=value.
COLUMNS = ("time", "event", "actor", "request_id", "target")
_SKIPPED = {"event", "actor", "request_id", "target", "correlation_id"}


def entry_time(entry: AuditEntry) -> str:
    """The stream id starts with the entry's time in milliseconds."""
    millis = entry.entry_id.split("-", 1)[0]
    if not millis.isdigit():
        return "?"
    return datetime.fromtimestamp(int(millis) / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def entry_row(entry: AuditEntry) -> list[str]:
    fields = entry.fields
    detail = " ".join(f"{k}={v}" for k, v in sorted(fields.items()) if k not in _SKIPPED and v)
    return [
        entry_time(entry),
        fields.get("event", ""),
        fields.get("actor", ""),
        fields.get("request_id", "") or "-",
        fields.get("target", "") or "-",
        detail,
    ]


def render_table(entries: Iterable[AuditEntry], *, detail_width: int = 100) -> str:
    rows = [[*COLUMNS, "detail"]]
    rows += [entry_row(entry) for entry in entries]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*cells, row[-1][:detail_width]]).rstrip())
    return "\n".join(lines) + "\n"


def render_audit_log_reply(entries: list[AuditEntry], asked: int) -> tuple[str, list[Block]]:
    """The latest entries, newest first, for an approver's `/cache-audit log [n]`."""
    if not entries:
        text = "The audit log is empty: no request, decision or fix has been recorded yet."
        return fallback(text), [section(escape(text))]
    table = render_table(entries, detail_width=60)
    head = f"*Audit log*: the latest {len(entries)} of at most {asked} entries, newest first."
    body = code_block(table, MAX_SECTION_TEXT - 10)
    note = "Export everything with `cachewarden audit-log --format jsonl`."
    return fallback(f"Audit log: {len(entries)} entries"), [
        section(head),
        section(body),
        context(note),
    ]
