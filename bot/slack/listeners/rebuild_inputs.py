"""Request rebuild… under a rebuild runbook: a form asks for the value the copy needs (a
KMS key, a subnet group, a port); sending it calls `workers.rebuilds.chat.request_rebuild_with`.
Never calls AWS; the values are checked here (format) and again in the job."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.actions import ActionId
from bot.slack.deps import BotDeps
from bot.slack.listeners.replies import notice_payload
from bot.slack.listeners.slack_input import click_actor, finding_thread, flow_context
from bot.slack.render.rebuild_inputs import (
    BLOCK_PREFIX,
    REBUILD_INPUTS_CALLBACK,
    render_rebuild_inputs_modal,
)
from posture.base import ResourceKind
from posture.conversations import Actor, ConversationRef
from posture.messages import Notice
from posture.remediation.rebuild_params import read_inputs
from workers.approvals.flows import finding_for_click
from workers.platform.telemetry import correlation, new_correlation_id
from workers.rebuilds.chat import request_rebuild_with

log = logging.getLogger(__name__)


def handle_open(
    ack: Ack,
    body: dict[str, Any],
    respond: Respond,
    client: WebClient,
    deps: BotDeps,
    context: BoltContext | None = None,
) -> None:
    ack()
    value = str(((body.get("actions") or [{}])[0]).get("value", ""))
    actor, where = click_actor(body), finding_thread(body)
    found = finding_for_click(flow_context(client, deps, context), actor, value)
    if isinstance(found, Notice):
        respond(**{**notice_payload(found.text), "replace_original": False})
        return
    metadata = json.dumps(
        {"finding_id": value, "rule_id": found.rule_id, "kind": found.resource_kind.value,
         "where": where.model_dump(mode="json")}
    )  # fmt: skip
    try:
        client.views_open(
            trigger_id=str(body.get("trigger_id", "")),
            view=render_rebuild_inputs_modal(
                found.rule_id, found.resource_id, metadata, found.resource_kind
            ),
        )
    except SlackApiError as exc:
        log.warning("modal not opened", extra={"slack_error": exc.response.get("error")})
        text = "Slack did not open the form; click Request rebuild again."
        respond(**{**notice_payload(text), "replace_original": False})


def _typed(view: dict[str, Any]) -> dict[str, str]:
    state = (view.get("state") or {}).get("values") or {}
    typed = {}
    for block_id, inputs in state.items():
        if block_id.startswith(BLOCK_PREFIX):
            field = block_id.removeprefix(BLOCK_PREFIX)
            typed[field] = str(((inputs or {}).get(field) or {}).get("value") or "")
    return typed


def handle_submission(
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    deps: BotDeps,
    context: BoltContext | None = None,
) -> None:
    view = body.get("view") or {}
    meta = json.loads(view.get("private_metadata") or "{}")
    kind = ResourceKind(str(meta.get("kind") or ResourceKind.REPLICATION_GROUP.value))
    read = read_inputs(str(meta.get("rule_id", "")), _typed(view), kind)
    if isinstance(read, dict):
        ack(response_action="errors", errors={f"{BLOCK_PREFIX}{k}": v for k, v in read.items()})
        return
    ack()
    where = ConversationRef.model_validate(meta.get("where") or {})
    submitter = click_actor(body)
    actor = Actor(platform=submitter.platform, workspace=submitter.workspace,
                  user=submitter.user, channel=where.channel)  # fmt: skip
    with correlation(new_correlation_id()):
        ctx = flow_context(client, deps, context)
        notice = request_rebuild_with(ctx, actor, str(meta.get("finding_id", "")), where, read)
        client.chat_postEphemeral(channel=where.channel, user=actor.user, text=notice.text)


def register(app: App, deps: BotDeps) -> None:
    def on_click(
        ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        handle_open(ack, body, respond, client, deps, context)

    def on_submit(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        handle_submission(ack, body, client, deps, context)

    app.action(str(ActionId.REBUILD_INPUTS))(on_click)
    app.view(REBUILD_INPUTS_CALLBACK)(on_submit)
