"""Rebuild and drift buttons on Teams cards, wired to the same flows as the Slack buttons
(bot/slack/listeners/rebuild.py, rebuild_inputs.py, drift.py). Never calls AWS.

- "Delete the old cache" and "Cancel rebuild" on the rebuild card carry only the rebuild id;
  `workers.rebuilds.chat` decides (a second approval for the delete, four eyes for Cancel)
  and redraws the card for everyone through the notifier.
- "Request rebuild…" on a rebuild runbook opens a form in the card; its values are checked
  by the flow against the finding's own rule before anything is queued.
- "Apply anyway (the stack will drift)" on a template change asks for the live fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from bot.teams.click_types import Click, ClickAnswer
from bot.teams.verbs import REBUILD_INPUT_PREFIX, Verb
from posture.messages import Notice
from posture.remediation.rebuild_params import PLACEHOLDERS
from workers.fixes.drift import apply_anyway
from workers.platform.context import FlowContext
from workers.rebuilds.chat import ask_source_delete, cancel_from_chat, request_rebuild_from_form

FIELDS = tuple(PLACEHOLDERS.values())  # every value a rebuild form may ask for


def delete_source(ctx: FlowContext, click: Click) -> ClickAnswer:
    notice = ask_source_delete(ctx, click.actor.neutral(), click.value("rebuild_id"))
    return ClickAnswer(message=notice.text)


def cancel_rebuild(ctx: FlowContext, click: Click) -> ClickAnswer:
    notice = cancel_from_chat(ctx, click.actor.neutral(), click.value("rebuild_id"))
    return ClickAnswer(message=notice.text)


def send_rebuild_form(ctx: FlowContext, click: Click) -> ClickAnswer:
    """A refused value keeps the form as typed, and says what to change, field by field."""
    typed = {field: click.value(f"{REBUILD_INPUT_PREFIX}{field}") for field in FIELDS}
    answer = request_rebuild_from_form(
        ctx, click.actor.neutral(), click.value("finding_id"), click.thread, typed
    )
    if isinstance(answer, Notice):
        return ClickAnswer(message=answer.text)
    return ClickAnswer(message=" ".join(answer.values()))


def drift_anyway(ctx: FlowContext, click: Click) -> ClickAnswer:
    notice = apply_anyway(ctx, click.actor.neutral(), click.value("finding_id"), click.thread)
    return ClickAnswer(message=notice.text)


REBUILD_CLICKS: Mapping[str, Callable[[FlowContext, Click], ClickAnswer]] = MappingProxyType(
    {
        Verb.REBUILD_DELETE_SOURCE: delete_source,
        Verb.REBUILD_CANCEL: cancel_rebuild,
        Verb.REBUILD_INPUTS: send_rebuild_form,
        Verb.APPLY_ANYWAY: drift_anyway,
    }
)
