"""A small synchronous Bot Connector REST client for workers (proactive posts).

Endpoints (https://learn.microsoft.com/en-us/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference):
POST /v3/conversations/{id}/activities           a new post (a channel id) or a reply (thread id)
POST /v3/conversations/{id}/activities/{replyTo}  a reply to one activity
PUT  /v3/conversations/{id}/activities/{id}       replace a posted activity (the card for everyone)
Conversation ids go into the path as they are (`19:…@thread.tacv2;messageid=…`): the
connector expects `:`, `@` and `;` unencoded. Throttled (429) and failed (5xx) calls are
retried after Retry-After; a final failure is a NotifyError that names the status only.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import requests

from bot.teams.credentials import AppTokenSource, TokenError
from workers.platform.notifier import NotifyError

log = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^[A-Za-z0-9:@._;=\-]{1,400}$")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_RETRY_AFTER = 30.0


def check_service_url(service_url: str) -> str:
    """https for real connectors; plain http only on loopback (the local emulator)."""
    parsed = urlparse(service_url)
    if parsed.scheme == "https" or (parsed.scheme == "http" and parsed.hostname in _LOOPBACK):
        return service_url.rstrip("/")
    raise NotifyError("The stored Teams service URL is not an https URL, so nothing was posted.")


def check_id(value: str, what: str) -> str:
    if not _SAFE_ID.match(value):
        raise NotifyError(f"The Teams {what} id has unexpected characters, so nothing was posted.")
    return value


class ConnectorClient:
    def __init__(
        self,
        tokens: AppTokenSource,
        *,
        session: requests.Session | None = None,
        timeout: float = 15.0,
        retries: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._tokens = tokens
        self._session = session or requests.Session()
        self._timeout = timeout
        self._retries = retries
        self._sleep = sleep

    def _headers(self) -> dict[str, str]:
        try:
            token = self._tokens.token()
        except TokenError as exc:
            raise NotifyError(f"Teams sign-in failed: {exc}") from None
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return headers

    def _call(self, method: str, url: str, body: dict[str, Any]) -> dict[str, Any]:
        for attempt in range(self._retries + 1):
            try:
                response = self._session.request(
                    method, url, json=body, headers=self._headers(), timeout=self._timeout
                )
            except requests.RequestException as exc:
                if attempt == self._retries:
                    raise NotifyError(f"Teams is not reachable ({type(exc).__name__}).") from None
                self._sleep(min(2**attempt, MAX_RETRY_AFTER))
                continue
            retryable = response.status_code == 429 or response.status_code >= 500
            if retryable and attempt < self._retries:
                self._sleep(self._retry_after(response, attempt))
                continue
            if response.status_code >= 400:
                code = self._error_code(response)
                log.warning(
                    "bot connector refused", extra={"status": response.status_code, "code": code}
                )
                raise NotifyError(f"Teams refused the message ({response.status_code} {code}).")
            return response.json() if response.content else {}
        raise NotifyError("Teams kept failing; nothing more was tried.")  # pragma: no cover

    @staticmethod
    def _retry_after(response: requests.Response, attempt: int) -> float:
        try:
            wait = float(response.headers.get("Retry-After", ""))
        except ValueError:
            wait = float(2**attempt)
        return min(max(wait, 0.0), MAX_RETRY_AFTER)

    @staticmethod
    def _error_code(response: requests.Response) -> str:
        try:
            error = response.json().get("error") or {}
        except ValueError:
            return "no_detail"
        return str(error.get("code", "no_detail"))[:60] if isinstance(error, dict) else "no_detail"

    def _activities(self, service_url: str, conversation_id: str) -> str:
        base = check_service_url(service_url)
        return f"{base}/v3/conversations/{check_id(conversation_id, 'conversation')}/activities"

    def send(self, service_url: str, conversation_id: str, activity: dict[str, Any]) -> str:
        data = self._call("POST", self._activities(service_url, conversation_id), activity)
        return str(data.get("id", ""))

    def reply(
        self, service_url: str, conversation_id: str, reply_to: str, activity: dict[str, Any]
    ) -> str:
        url = f"{self._activities(service_url, conversation_id)}/{check_id(reply_to, 'activity')}"
        return str(self._call("POST", url, activity).get("id", ""))

    def update(
        self, service_url: str, conversation_id: str, activity_id: str, activity: dict[str, Any]
    ) -> None:
        url = (
            f"{self._activities(service_url, conversation_id)}/{check_id(activity_id, 'activity')}"
        )
        self._call("PUT", url, {**activity, "id": activity_id})
