"""SlackEmulator: a local stand-in for Slack's Web API, response URLs and the demo page."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from sandbox.slack_emulator import replies
from sandbox.slack_emulator.api_context import ApiContext
from sandbox.slack_emulator.artifacts import FileStore, OpenView, ViewStore
from sandbox.slack_emulator.ids import IdMint
from sandbox.slack_emulator.recording import CallLog, Fault, FaultPlan, RecordedCall
from sandbox.slack_emulator.response_urls import (
    RecordedResponse,
    ResponseTarget,
    ResponseUrls,
    deliver,
)
from sandbox.slack_emulator.server import EmulatorHTTPServer
from sandbox.slack_emulator.signed_client import Response, SignedClient
from sandbox.slack_emulator.store import Message, MessageStore
from sandbox.slack_emulator.workspace import Workspace, default_workspace


class SocketEndpoint(Protocol):
    def open_url(self) -> str: ...


class SlackEmulator:
    def __init__(
        self,
        port: int = 0,
        *,
        bot_token: str = "xoxb-emulator",  # noqa: S107 - a fake token for a fake Slack
        signing_secret: str = "emulator-secret",  # noqa: S107
        app_token: str = "xapp-1-A0EMULATOR-emulator",  # noqa: S107 - Socket Mode's token
        bot_url: str | None = None,
        workspace: Workspace | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.port = port
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.app_token = app_token
        self.socket_mode: SocketEndpoint | None = None  # set to serve apps.connections.open
        self.bot_url = bot_url  # settable after start: the demo starts the bot second
        self.teams_page_url = ""  # the Teams view of the demo, when Teams runs beside Slack
        self.workspace = workspace or default_workspace()
        self.mint = IdMint(clock)
        self.message_store = MessageStore(self.mint)
        self.file_store = FileStore()
        self.view_store = ViewStore()
        self.response_urls = ResponseUrls()
        self.call_log = CallLog()
        self.faults = FaultPlan()
        self._server: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle -------------------------------------------------------------------------
    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        self._server = EmulatorHTTPServer(("127.0.0.1", self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # quick shutdown: tests start one per test
            name="slack-emulator",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SlackEmulator:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not started")
        return f"http://127.0.0.1:{self.port}/"

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    @property
    def context(self) -> ApiContext:
        return ApiContext(
            workspace=self.workspace,
            messages=self.message_store,
            files=self.file_store,
            views=self.view_store,
            mint=self.mint,
            base_url=self.base_url,
        )

    # what happened -----------------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[RecordedCall]:
        return self.call_log.calls(method)

    def messages(self, channel: str) -> list[Message]:
        """Top-level messages (oldest first), each with reply_count."""
        return self.message_store.top_level(channel)

    def thread(self, channel: str, ts: str) -> list[Message]:
        return self.message_store.thread(channel, ts)

    def ephemerals(self, channel: str | None = None, user: str | None = None) -> list[Message]:
        return self.message_store.ephemerals(channel, user)

    def files(self) -> list[dict[str, Any]]:
        """Completed uploads as Slack file objects, each with its bytes under "content"."""
        return [
            {**f.to_slack(self.base_url), "content": f.content} for f in self.file_store.completed()
        ]

    def home_views(self) -> dict[str, dict[str, Any]]:
        return self.view_store.home_views()

    def modals(self, user: str | None = None) -> list[OpenView]:
        return self.view_store.modals(user)

    def responses(self) -> list[RecordedResponse]:
        return self.response_urls.delivered()

    # control -----------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        count: int = 1,
        error: str | None = None,
    ) -> None:
        """The next `count` calls of `method` fail; a 429 carries Retry-After like Slack's."""
        self.faults.add(Fault(method, status, retry_after, count, error))

    def reset(self) -> None:
        for part in (self.message_store, self.file_store, self.view_store, self.response_urls):
            part.clear()
        self.call_log.clear()
        self.faults.clear()

    def signed_client(self) -> SignedClient:
        if not self.bot_url:
            raise RuntimeError("no bot_url configured")
        return SignedClient(self.bot_url, self.signing_secret, self)

    def post_user_message(
        self, channel: str, user: str, text: str, thread_ts: str | None = None
    ) -> Message:
        """A human typing in the channel (the demo page's message box)."""
        fields: Message = {"user": user, "text": text, "team": self.workspace.team_id}
        if thread_ts:
            fields["thread_ts"] = thread_ts
        return self.message_store.add(channel, fields)

    # interaction plumbing, used by SignedClient and the HTTP routes -----------------------
    def new_response_url(self, target: ResponseTarget) -> str:
        url_id = self.mint.token()
        self.response_urls.issue(url_id, target, self.mint.now())
        return f"{self.base_url}response/{url_id}"

    def new_trigger_id(self, user_id: str) -> str:
        trigger_id = self.mint.trigger_id()
        self.view_store.issue_trigger(trigger_id, user_id, self.mint.now())
        return trigger_id

    def respond(self, url_id: str, payload: dict[str, Any], counts: bool = True) -> str:
        """POST to a response_url; raises ResponseUrlError with Slack's status and error code."""
        target = self.response_urls.claim(url_id, self.mint.now(), counts)
        kind = deliver(self.context, target, payload)
        self.response_urls.record(RecordedResponse(kind, target, payload, self.mint.now()))
        return kind

    def deliver_command_reply(self, response_url: str, command: str, response: Response) -> None:
        replies.deliver_command_reply(self, response_url, command, response)

    def apply_view_reply(self, view_id: str, response: Response) -> None:
        replies.apply_view_reply(self, view_id, response)
