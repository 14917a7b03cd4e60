"""Button clicks on findings. The value is only an opaque finding id; state lives in Redis."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import redis
from slack_bolt import Ack, App, Respond

from bot.actions import ActionId
from bot.listeners.replies import notice_payload
from bot.render.blocks import render_explain
from posture.catalog import get_rule
from posture.explain import explain_document
from workers.audit_store import AuditStore
from workers.telemetry import correlation, new_correlation_id

if TYPE_CHECKING:
    from bot.app import BotDeps

log = logging.getLogger(__name__)
_FINDING_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")


def explain_finding(value: str, deps: BotDeps) -> dict[str, Any]:
    if not _FINDING_ID.match(value):
        return notice_payload("That button is not one of ours.")
    finding = AuditStore(deps.connection).get_finding(value)
    if finding is None:
        return notice_payload("That finding has expired; run the audit again to get fresh buttons.")
    text, blocks = render_explain(explain_document(get_rule(finding.rule_id)))
    return {"text": text, "blocks": blocks, "response_type": "ephemeral", "replace_original": False}


def not_built_yet(what: str) -> dict[str, Any]:
    payload = notice_payload(
        f"{what} needs the approval workflow, which has not been built yet. Nothing was changed."
    )
    payload["replace_original"] = False
    return payload


def handle_finding_click(ack: Ack, body: dict[str, Any], respond: Respond, deps: BotDeps) -> None:
    ack()
    action = (body.get("actions") or [{}])[0]
    action_id, value = str(action.get("action_id", "")), str(action.get("value", ""))
    with correlation(new_correlation_id()) as cid:
        try:
            if action_id == ActionId.EXPLAIN:
                payload = explain_finding(value, deps)
            elif action_id == ActionId.REQUEST_FIX:
                payload = not_built_yet("Requesting a fix")
            else:
                payload = not_built_yet("Accepting a risk")
        except redis.RedisError:
            log.exception("click failed: redis")
            payload = notice_payload(
                "The bot's store is not reachable; try again in a minute.",
                detail=f"correlation id {cid}",
            )
        deps.metrics.commands.labels(command=action_id, outcome="ok").inc()
        respond(**payload)


def register(app: App, deps: BotDeps) -> None:
    def on_click(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        handle_finding_click(ack, body, respond, deps)

    for action_id in (ActionId.EXPLAIN, ActionId.REQUEST_FIX, ActionId.ACCEPT_RISK):
        app.action(str(action_id))(on_click)
