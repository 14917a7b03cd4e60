"""Ephemeral answers built from the pure renderers, shared by commands and clicks."""

from __future__ import annotations

from typing import Any

from bot.render.blocks import render_notice, render_usage
from commands.errors import UsageError
from posture.messages import Notice


def notice_payload(text: str, detail: str | None = None) -> dict[str, Any]:
    fallback, blocks = render_notice(Notice(text=text, detail=detail))
    return {"text": fallback, "blocks": blocks, "response_type": "ephemeral"}


def usage_payload(error: UsageError) -> dict[str, Any]:
    fallback, blocks = render_usage(error)
    return {"text": fallback, "blocks": blocks, "response_type": "ephemeral"}
