"""Sends what Slack sends to an app, over Socket Mode instead of signed HTTP posts.

The same bodies as `SignedClient` (commands, clicks, view submissions, events), wrapped
in envelopes; the app's acknowledgement payload stands where the HTTP response body
would, so tests read answers the same way in both modes.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from sandbox.slack_emulator.signed_client import FORM, Response, SignedClient, Tampering

if TYPE_CHECKING:
    from sandbox.slack_emulator.emulator import SlackEmulator
    from sandbox.socket_mode.server import SocketModeServer


class SocketModeDriver(SignedClient):
    def __init__(
        self, server: SocketModeServer, emulator: SlackEmulator, *, timeout: float = 10.0
    ) -> None:
        # No URL and no signature in Socket Mode: the connection itself is the credential.
        super().__init__("http://socket-mode.invalid", emulator.signing_secret, emulator)
        self._server = server
        self._ack_timeout = timeout

    def _send(
        self,
        body: str,
        content_type: str,
        tampering: Tampering,
        extra_headers: dict[str, str] | None = None,
    ) -> Response:
        if tampering != Tampering():
            raise ValueError("Socket Mode has no signatures to tamper with")
        started = time.monotonic()
        if content_type == FORM and body.startswith("payload="):
            payload = json.loads(dict(parse_qsl(body))["payload"])
            kind, answers = "interactive", payload.get("type") != "block_actions"
        elif content_type == FORM:
            payload, kind, answers = (
                dict(parse_qsl(body, keep_blank_values=True)),
                "slash_commands",
                True,
            )
        else:
            payload, kind, answers = json.loads(body), "events_api", False
        envelope_id = self._server.send(kind, payload, accepts_response_payload=answers)
        ack = self._server.wait_ack(envelope_id, self._ack_timeout)
        reply = ack.get("payload")
        text = json.dumps(reply) if reply not in (None, "", {}) else ""
        return Response(200, text, time.monotonic() - started)
