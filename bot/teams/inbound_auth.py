"""Checks the Bot Connector's JWT on every request to /api/messages.

What a valid request carries (https://learn.microsoft.com/en-us/azure/bot-service/rest-api/bot-framework-rest-connector-authentication):
a bearer token signed (RS256) by a key listed in the OpenID metadata's JWKS; issuer
https://api.botframework.com; audience = the bot's app id; not expired (5 minutes of clock
skew); the key endorses the activity's channel (msteams); and the token's `serviceurl`
claim equals the activity's serviceUrl, so a stolen token cannot redirect replies.
The metadata URL and the issuers are settings, so tests use a local key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import urllib.request
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import jwt
from aiohttp import web

log = logging.getLogger(__name__)
LEEWAY_SECONDS = 300
KEYS_TTL_SECONDS = 24 * 3600  # the Bot Framework rotates keys; refresh at least daily
REFETCH_AFTER_SECONDS = 60  # an unknown kid refetches the keys at most this often
MESSAGES_PATH = "/api/messages"


class Unauthorized(Exception):
    """The request is not from the Bot Connector; the reason goes to the log, not the caller."""


@dataclass(frozen=True)
class InboundAuthConfig:
    app_id: str
    openid_metadata_url: str
    issuers: tuple[str, ...]
    anonymous: bool = False


def _get_json(url: str) -> Any:
    if not url.startswith("https://"):
        raise Unauthorized("metadata URLs must be https")
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - https only, checked above
        return json.loads(response.read())


class SigningKeys:
    """The JWKS behind an OpenID metadata URL, cached and refetched on an unknown key id."""

    def __init__(self, metadata_url: str, fetch: Callable[[str], Any] = _get_json) -> None:
        self._metadata_url = metadata_url
        self._fetch = fetch
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        metadata = self._fetch(self._metadata_url)
        jwks = self._fetch(str(metadata["jwks_uri"]))
        self._keys = {str(key["kid"]): key for key in jwks.get("keys", []) if "kid" in key}
        self._fetched_at = time.monotonic()

    def get(self, kid: str) -> dict[str, Any]:
        with self._lock:
            age = time.monotonic() - self._fetched_at
            stale = age > KEYS_TTL_SECONDS or (
                kid not in self._keys and age > REFETCH_AFTER_SECONDS
            )
            if stale or not self._keys:
                self._refresh()
            if kid not in self._keys:
                raise Unauthorized(f"unknown signing key {kid[:40]!r}")
            return self._keys[kid]


class BotConnectorAuth:
    def __init__(self, config: InboundAuthConfig, keys: SigningKeys | None = None) -> None:
        self._config = config
        self._keys = keys or SigningKeys(config.openid_metadata_url)

    def validate(self, header: str | None, activity: dict[str, Any]) -> dict[str, Any]:
        """The token's claims; raises Unauthorized for anything a Bot Connector would not send."""
        parts = (header or "").split(" ")
        if len(parts) != 2 or parts[0].lower() != "bearer" or not parts[1]:
            raise Unauthorized("no bearer token")
        token = parts[1]
        try:
            kid = str(jwt.get_unverified_header(token).get("kid", ""))
            key = self._keys.get(kid)
            claims: dict[str, Any] = jwt.decode(
                token,
                jwt.PyJWK(key).key,
                algorithms=["RS256"],
                audience=self._config.app_id,
                issuer=list(self._config.issuers),
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"token rejected: {type(exc).__name__}") from None
        endorsements = key.get("endorsements")
        channel = str(activity.get("channelId", ""))
        if endorsements is not None and channel not in endorsements:
            raise Unauthorized(f"the signing key does not endorse channel {channel[:20]!r}")
        service_url = str(activity.get("serviceUrl", ""))
        if claims.get("serviceurl") != service_url:
            raise Unauthorized("the token's serviceurl does not match the activity")
        return claims


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def auth_middleware(auth: BotConnectorAuth, config: InboundAuthConfig) -> Any:
    """aiohttp middleware: sets request["claims_identity"] for the Agents SDK, or answers 401."""
    from microsoft_agents.hosting.core import ClaimsIdentity

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != MESSAGES_PATH:
            return await handler(request)
        header = request.headers.get("Authorization")
        if config.anonymous and header is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", web.NotAppKeyWarning)
                request["claims_identity"] = ClaimsIdentity({}, authentication_type="Anonymous")
            return await handler(request)
        try:
            activity = await request.json()
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"error": "the body is not JSON"}, status=400)
        if not isinstance(activity, dict):
            return web.json_response({"error": "the body is not an activity"}, status=400)
        try:
            claims = await asyncio.to_thread(auth.validate, header, activity)
        except Unauthorized as exc:
            log.warning("inbound request refused", extra={"reason": str(exc)})
            return web.json_response({"error": "unauthorized"}, status=401)
        except OSError:
            log.exception("signing keys unavailable")
            return web.json_response({"error": "cannot check the token now"}, status=503)
        with warnings.catch_warnings():  # the SDK reads this plain string key, not an AppKey
            warnings.simplefilter("ignore", web.NotAppKeyWarning)
            request["claims_identity"] = ClaimsIdentity(claims, authentication_type="Bearer")
        return await handler(request)

    return middleware
