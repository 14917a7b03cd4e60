"""The emulated Bot Connector (plain HTTP, the activities' serviceUrl) and the emulated
sign-in side (HTTPS: Entra's token endpoint for MSAL, the Bot Framework's OpenID metadata
and signing keys) on 127.0.0.1, served from one background thread.

Connector routes are matched on the raw path, because conversation ids arrive unencoded
(`19:abc@thread.tacv2;messageid=1700000000000`). Test-only routes live under /_emulator.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import ssl
import threading
from pathlib import Path
from typing import Any

from aiohttp import web

from sandbox.redis_server import free_port
from sandbox.teams_connector.keys import BOT_FRAMEWORK_ISSUER, SigningKey, write_tls_certificate
from sandbox.teams_connector.store import ConnectorStore
from sandbox.teams_connector.view import TeamsView, load_page

_ACTIVITIES = re.compile(r"^/v3/conversations/(?P<cid>[^/]+)/activities(?:/(?P<aid>[^/]+))?$")
_TENANT = re.compile(r"^/(?P<tenant>[A-Za-z0-9.\-]+)/")


def _error(status: int, code: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": code}}, status=status)


class ConnectorEmulator:
    def __init__(
        self,
        state_dir: Path,
        *,
        app_id: str = "00000000-0000-0000-0000-0000000000b0",
        client_secret: str | None = None,
        require_token: bool = True,
    ) -> None:
        self.app_id = app_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)  # a fresh test secret
        self.require_token = require_token
        self.key = SigningKey()
        self.store = ConnectorStore()
        self.issued: set[str] = set()
        self.cert_file, self._key_file = write_tls_certificate(state_dir)
        self.http_port, self.https_port = free_port(), free_port()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.bot_url = ""  # `serve --teams`, for the demo page's Teams view (set once it runs)
        self.slack_url = ""  # the Slack demo page, linked from the Teams view
        self.view = TeamsView(self)

    # --- addresses the bot is configured with --------------------------------------------
    @property
    def service_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def authority_host(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    @property
    def openid_metadata_url(self) -> str:
        return f"{self.authority_host}/botframework/v1/.well-known/openidconfiguration"

    def bot_environment(self, tenant_id: str = "emulator-tenant") -> dict[str, str]:
        """Environment for `cachewarden serve --teams` in production mode against this emulator."""
        return {
            "CACHEWARDEN_TEAMS_APP_ID": self.app_id,
            "CACHEWARDEN_TEAMS_CLIENT_SECRET": self.client_secret,
            "CACHEWARDEN_TEAMS_TENANT_ID": tenant_id,
            "CACHEWARDEN_TEAMS_AUTHORITY_HOST": self.authority_host,
            "CACHEWARDEN_TEAMS_INSTANCE_DISCOVERY": "false",
            "CACHEWARDEN_TEAMS_OPENID_METADATA_URL": self.openid_metadata_url,
            "REQUESTS_CA_BUNDLE": str(self.cert_file),  # MSAL (requests) trusts the emulator
            "SSL_CERT_FILE": str(self.cert_file),  # urllib and aiohttp do too
        }

    # --- connector -----------------------------------------------------------------------
    def _authorized(self, header: str | None) -> bool:
        if not self.require_token:
            return True
        parts = (header or "").split(" ")
        return len(parts) == 2 and parts[0] == "Bearer" and parts[1] in self.issued

    async def _connector(self, request: web.Request) -> web.Response:
        raw_path = request.raw_path.split("?", 1)[0]
        auth = request.headers.get("Authorization")
        response = await self._connector_response(request, raw_path, auth)
        self.store.record_request(request.method, raw_path, auth, response.status)
        return response

    async def _connector_response(
        self, request: web.Request, raw_path: str, auth: str | None
    ) -> web.Response:
        if not self._authorized(auth):
            return _error(401, "Unauthorized")
        fault = self.store.take_fault()
        if fault is not None:
            status, retry_after = fault
            return web.json_response(
                {"error": {"code": "Throttled" if status == 429 else "ServiceError"}},
                status=status,
                headers={"Retry-After": str(retry_after)},
            )
        try:
            body: dict[str, Any] = await request.json()
        except ValueError:
            return _error(400, "BadSyntax")
        if raw_path == "/v3/conversations" and request.method == "POST":
            return self._create_conversation(body, auth)
        match = _ACTIVITIES.match(raw_path)
        if match is None:
            return _error(404, "NotFound")
        cid, aid = match.group("cid"), match.group("aid")
        if request.method == "PUT" and aid:
            updated = self.store.update(cid, aid, body, auth)
            if updated is None:
                return _error(404, "ActivityNotFoundInConversation")
            return web.json_response({"id": aid})
        if request.method == "POST":
            return web.json_response({"id": self.store.post(cid, body, auth, reply_to=aid).id})
        return _error(405, "MethodNotAllowed")

    def _create_conversation(self, body: dict[str, Any], auth: str | None) -> web.Response:
        channel = ((body.get("channelData") or {}).get("channel") or {}).get("id")
        conversation = str(channel) if channel else f"a:{secrets.token_hex(12)}"
        activity = body.get("activity")
        if isinstance(activity, dict):
            posted = self.store.post(conversation, activity, auth)
            thread = f"{conversation};messageid={posted.id}" if channel else conversation
            return web.json_response({"id": thread, "activityId": posted.id})
        return web.json_response({"id": conversation})

    async def _inspect(self, request: web.Request) -> web.Response:
        if request.method == "POST" and request.path == "/_emulator/reset":
            self.store.reset()
            return web.json_response({"ok": True})
        if request.method == "POST" and request.path == "/_emulator/faults":
            body = await request.json()
            self.store.faults.extend(
                [(int(body["status"]), float(body.get("retry_after", 0)))]
                * int(body.get("count", 1))
            )
            return web.json_response({"ok": True})
        return web.json_response(self.store.snapshot())

    # --- the demo page's Teams view --------------------------------------------------------
    @property
    def page_url(self) -> str:
        return f"{self.service_url}/teams"

    async def _page(self, request: web.Request) -> web.Response:
        return web.Response(text=load_page(), content_type="text/html", charset="utf-8",
                            headers={"Cache-Control": "no-store"})  # fmt: skip

    async def _view_state(self, request: web.Request) -> web.Response:
        state = self.view.state(request.query.get("user"), request.query.get("conversation"))
        return web.json_response(state, headers={"Cache-Control": "no-store"})

    async def _view_action(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "BadSyntax")
        act = (
            self.view.send_message if request.match_info["action"] == "message" else self.view.click
        )
        try:  # the bot's own calls come back to this loop, so send from a thread
            status, answer = await asyncio.to_thread(act, body if isinstance(body, dict) else {})
        except LookupError as exc:
            return web.json_response({"ok": False, "error": str(exc)}, status=503)
        return web.json_response(answer, status=status)

    # --- sign-in side (HTTPS) ------------------------------------------------------------
    async def _tenant_metadata(self, request: web.Request) -> web.Response:
        tenant = request.match_info["tenant"]
        base = f"{self.authority_host}/{tenant}"
        return web.json_response(
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "client_credentials" or form.get("client_id") != self.app_id:
            return web.json_response({"error": "unauthorized_client"}, status=400)
        if form.get("client_secret") != self.client_secret:
            return web.json_response({"error": "invalid_client"}, status=401)
        token = f"emu.{secrets.token_urlsafe(24)}"
        self.issued.add(token)
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": token,
            }
        )

    async def _bot_metadata(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": BOT_FRAMEWORK_ISSUER,
                "jwks_uri": f"{self.authority_host}/botframework/v1/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _keys(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [self.key.jwk()]})

    # --- lifecycle -----------------------------------------------------------------------
    def _application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/botframework/v1/.well-known/openidconfiguration", self._bot_metadata)
        app.router.add_get("/botframework/v1/keys", self._keys)
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._tenant_metadata)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_get("/teams", self._page)
        app.router.add_get("/_emulator/teams/state", self._view_state)
        app.router.add_post("/_emulator/teams/{action:message|click}", self._view_action)
        app.router.add_route("*", "/_emulator/{tail:.*}", self._inspect)
        app.router.add_route("*", "/v3/{tail:.*}", self._connector)
        return app

    async def _start(self) -> None:
        self._runner = web.AppRunner(self._application(), access_log=None)
        await self._runner.setup()
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(self.cert_file, self._key_file)
        await web.TCPSite(self._runner, "127.0.0.1", self.http_port).start()
        await web.TCPSite(self._runner, "127.0.0.1", self.https_port, ssl_context=tls).start()

    def start(self) -> ConnectorEmulator:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self._start())
            ready.set()
            loop.run_forever()

        self._thread = threading.Thread(target=run, name="teams-connector", daemon=True)
        self._thread.start()
        if not ready.wait(15):
            raise TimeoutError("the Teams connector emulator did not start")
        return self

    def stop(self) -> None:
        loop, runner = self._loop, self._runner
        if loop is None or runner is None:
            return
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> ConnectorEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def snapshot(self) -> dict[str, Any]:
        copied: dict[str, Any] = json.loads(json.dumps(self.store.snapshot()))
        return copied
