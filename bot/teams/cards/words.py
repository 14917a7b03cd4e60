"""Wording for the Teams cards: the shared plain words (posture.wording, which the Slack
renderers use too) plus what only Adaptive Cards need (colours, a text progress bar)."""

from __future__ import annotations

from posture.wording import (
    COST_NOTE,
    COST_TITLE,
    FRAMEWORK_LABELS,
    KIND_LABELS,
    SEVERITY_ORDER,
    aliases_line,
    format_duration,
    framework_label,
    kind_label,
    plural,
    signed,
    state_line,
    when,
)

__all__ = [
    "COST_HEADING",
    "FRAMEWORK_LABELS",
    "KIND_LABELS",
    "SEVERITIES",
    "SEVERITY_COLORS",
    "aliases_line",
    "format_duration",
    "framework_label",
    "kind_label",
    "plural",
    "progress_bar",
    "signed",
    "state_line",
    "when",
]

COST_HEADING = f"{COST_TITLE} ({COST_NOTE[0].lower()}{COST_NOTE[1:].rstrip('.')})"
SEVERITIES = SEVERITY_ORDER
SEVERITY_COLORS = {"critical": "Attention", "high": "Attention", "medium": "Warning"}


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """A text bar such as "▰▰▰▱▱▱▱▱▱▱ 30%" (Adaptive Cards 1.5 has no progress element)."""
    if total <= 0:
        return ""
    share = min(max(done / total, 0.0), 1.0)
    filled = round(share * width)
    return f"{'▰' * filled}{'▱' * (width - filled)} {share:.0%}"
