"""The HTTP side: routes Web API calls, uploads, response URLs, the demo page and its JSON API."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, parse_qs, quote, unquote, urlsplit

from sandbox.slack_emulator import demo_api, page, web_api
from sandbox.slack_emulator.limits import ApiError
from sandbox.slack_emulator.recording import RecordedCall
from sandbox.slack_emulator.response_urls import ResponseUrlError

if TYPE_CHECKING:
    from sandbox.slack_emulator.emulator import SlackEmulator


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, json.dumps(body).encode("utf-8"), headers=headers or {})


@dataclass(frozen=True)
class Incoming:
    method: str
    url: SplitResult
    headers: dict[str, str]
    body: bytes

    def query(self, name: str) -> str | None:
        values = parse_qs(self.url.query).get(name)
        return values[0] if values else None

    def json(self) -> dict[str, Any]:
        decoded = json.loads(self.body.decode("utf-8") or "{}")
        return decoded if isinstance(decoded, dict) else {}


Route = Callable[["SlackEmulator", Incoming, str], Reply]


def api_call(emulator: SlackEmulator, request: Incoming, method: str) -> Reply:
    try:
        params = web_api.parse_params(
            request.headers.get("content-type", ""), request.body, request.url.query
        )
    except (ApiError, ValueError) as exc:
        code = exc.code if isinstance(exc, ApiError) else "invalid_form_data"
        return json_reply(200, {"ok": False, "error": code})
    token = web_api.bearer_token(request.headers.get("authorization"), params)
    if method == "apps.connections.open":
        return json_reply(200, _connections_open(emulator, token))
    call = web_api.ApiCall(method=method, params=params, token=token)
    answer = web_api.answer(
        emulator.context, call, emulator.bot_token, emulator.faults, emulator.call_log
    )
    return json_reply(answer.status, answer.body, answer.headers)


def _connections_open(emulator: SlackEmulator, token: str | None) -> dict[str, Any]:
    """Socket Mode: the app-level token (not the bot token) buys a one-use WebSocket URL."""
    if token != emulator.app_token:
        body: dict[str, Any] = {"ok": False, "error": "invalid_auth" if token else "not_authed"}
    elif emulator.socket_mode is None:
        body = {"ok": False, "error": "socket_mode_not_enabled"}
    else:
        body = {"ok": True, "url": emulator.socket_mode.open_url()}
    emulator.call_log.record(
        RecordedCall("apps.connections.open", {}, emulator.mint.now(), body, 200)
    )
    return body


def upload(emulator: SlackEmulator, request: Incoming, file_id: str) -> Reply:
    if not emulator.file_store.receive_upload(file_id, request.body):
        return Reply(404, b"file_not_found", "text/plain")
    return Reply(200, f"OK - {len(request.body)}".encode(), "text/plain")


def response_url(emulator: SlackEmulator, request: Incoming, url_id: str) -> Reply:
    """Like Slack's webhooks: plain-text "ok", or an error code with a 4xx status."""
    try:
        emulator.respond(url_id, request.json())
    except ResponseUrlError as exc:
        return Reply(exc.status, exc.code.encode(), "text/plain")
    except ValueError:
        return Reply(400, b"invalid_payload", "text/plain")
    return Reply(200, b"ok", "text/plain")


def download(emulator: SlackEmulator, request: Incoming, rest: str) -> Reply:
    stored = emulator.file_store.get(rest.split("/", 1)[0])
    if stored is None or stored.content is None:
        return Reply(404, b"file_not_found", "text/plain")
    disposition = f"attachment; filename*=UTF-8''{quote(stored.filename)}"
    content_type = stored.to_slack(emulator.base_url)["mimetype"]
    return Reply(200, stored.content, content_type, {"Content-Disposition": disposition})


def permalink(emulator: SlackEmulator, request: Incoming, rest: str) -> Reply:
    """/archives/C1/p1700000000000100 opens the demo page on that channel."""
    channel, _, packed = rest.partition("/p")
    ts = f"{packed[:-6]}.{packed[-6:]}" if len(packed) > 6 else ""
    location = f"/?channel={quote(channel)}&ts={quote(ts)}"
    thread_ts = request.query("thread_ts")
    if thread_ts:
        location += f"&thread={quote(thread_ts)}"
    return Reply(302, b"", "text/plain", {"Location": location})


def demo_page(emulator: SlackEmulator, request: Incoming, rest: str) -> Reply:
    if rest:
        return Reply(404, b"not found", "text/plain")
    return Reply(200, page.load_page().encode("utf-8"), "text/html; charset=utf-8")


def calls_json(emulator: SlackEmulator, request: Incoming, rest: str) -> Reply:
    return json_reply(200, [c.to_json() for c in emulator.calls(request.query("method"))])


def emulator_action(emulator: SlackEmulator, request: Incoming, name: str) -> Reply:
    handler = demo_api.POST_ACTIONS.get(name)
    if handler is None:
        return json_reply(404, {"ok": False, "error": "unknown_emulator_action"})
    try:
        status, body = handler(emulator, request.json())
    except (ValueError, TypeError, KeyError) as exc:
        return json_reply(400, {"ok": False, "error": "bad_request", "detail": str(exc)})
    return json_reply(status, body)


def state_json(emulator: SlackEmulator, request: Incoming, rest: str) -> Reply:
    return json_reply(
        200,
        demo_api.page_state(
            emulator, request.query("channel"), request.query("user"), request.query("thread")
        ),
    )


# (verb, path prefix, handler); the first match wins, so longer prefixes come first.
ROUTES: tuple[tuple[str, str, Route], ...] = (
    ("POST", "/api/", api_call),
    ("GET", "/api/", api_call),
    ("POST", "/upload/", upload),
    ("POST", "/response/", response_url),
    ("GET", "/files/", download),
    ("GET", "/archives/", permalink),
    ("GET", "/_emulator/calls", calls_json),
    ("GET", "/_emulator/state", state_json),
    ("POST", "/_emulator/", emulator_action),
    ("GET", "/", demo_page),
)


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    server: EmulatorHTTPServer
    server_version = "SlackEmulator/1.0"

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and the demo read the call log instead."""

    def _dispatch(self, verb: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        request = Incoming(verb, url, headers, body)
        for route_verb, prefix, route in ROUTES:
            if route_verb == verb and url.path.startswith(prefix):
                self._write(route(self.server.emulator, request, unquote(url.path[len(prefix) :])))
                return
        self._write(Reply(404, b"not found", "text/plain"))

    def _write(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], emulator: SlackEmulator) -> None:
        super().__init__(address, EmulatorRequestHandler)
        self.emulator = emulator
