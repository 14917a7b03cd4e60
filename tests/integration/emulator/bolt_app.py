"""A tiny real Bolt app, served over HTTP on 127.0.0.1, for driving the emulator end to end."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import Ack, App, Respond, Say
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

APPROVAL_BLOCKS = [
    {"type": "section", "block_id": "summary", "text": {"type": "mrkdwn", "text": "*Audit* ready"}},
    {
        "type": "actions",
        "block_id": "decide",
        "elements": [
            {
                "type": "button",
                "action_id": "approve",
                "value": "req-1",
                "style": "primary",
                "text": {"type": "plain_text", "text": "Approve"},
            },
            {
                "type": "button",
                "action_id": "reject",
                "value": "req-1",
                "style": "danger",
                "text": {"type": "plain_text", "text": "Reject"},
            },
        ],
    },
]

REASON_MODAL = {
    "type": "modal",
    "callback_id": "why",
    "title": {"type": "plain_text", "text": "Why?"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "reason",
            "label": {"type": "plain_text", "text": "Reason"},
            "element": {"type": "plain_text_input", "action_id": "text"},
        }
    ],
}


def build_app(client: WebClient, signing_secret: str, seen: list[dict[str, Any]]) -> App:
    """Listeners finish before the HTTP answer (process_before_response) so tests need no waits."""
    app = App(client=client, signing_secret=signing_secret, process_before_response=True)

    @app.command("/cache-audit")
    def audit(ack: Ack, command: dict[str, Any], say: Say) -> None:
        ack(f"Auditing {command['text']}")
        seen.append(command)
        say(text="Audit ready", blocks=APPROVAL_BLOCKS)

    @app.action("approve")
    def approve(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        seen.append(body)
        respond(replace_original=True, text=f"Approved by <@{body['user']['id']}>")

    @app.action("reject")
    def reject(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        seen.append(body)
        client.chat_update(
            channel=body["channel"]["id"],
            ts=body["container"]["message_ts"],
            text="Rejected",
            blocks=[],
        )

    @app.event("app_home_opened")
    def home(event: dict[str, Any], client: WebClient) -> None:
        seen.append(event)
        blocks = [
            {"type": "section", "text": {"type": "mrkdwn", "text": f"Hello <@{event['user']}>"}}
        ]
        client.views_publish(user_id=event["user"], view={"type": "home", "blocks": blocks})

    register_modal_listeners(app, seen)
    return app


def register_modal_listeners(app: App, seen: list[dict[str, Any]]) -> None:
    @app.command("/cache-why")
    def why(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=REASON_MODAL)

    @app.view("why")
    def submitted(ack: Ack, view: dict[str, Any]) -> None:
        reason = view["state"]["values"]["reason"]["text"]["value"] or ""
        if len(reason) < 5:
            ack(response_action="errors", errors={"reason": "Say a bit more"})
            return
        seen.append(view)
        ack()


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(app: App) -> Iterator[str]:
    """Serve the app through Bolt's WSGI adapter; yields its base URL."""
    server = make_server(
        "127.0.0.1",
        0,
        SlackRequestHandler(app),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
