"""Sends what Teams sends a bot: messages (with <at> mentions) and Action.Execute invokes,
POSTed to /api/messages with a Bot Connector JWT signed by the emulator's local key.

`Forgery` makes requests the Bot Connector would never send, to prove the bot refuses them.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from sandbox.teams_connector.keys import BOT_FRAMEWORK_ISSUER, SigningKey

TENANT = "emulator-tenant"
CHANNEL = "19:cachewarden-ops@thread.tacv2"
TEAM = "19:team-general@thread.tacv2"


@dataclass(frozen=True)
class Person:
    aad_object_id: str = "aad-alice-0001"
    teams_id: str = "29:alice"
    name: str = "Alice"


@dataclass(frozen=True)
class Forgery:
    no_token: bool = False
    audience: str | None = None  # signed for another app
    issuer: str | None = None  # signed as someone else
    expired: bool = False
    service_url: str | None = None  # the token names another serviceUrl
    other_key: bool = False  # signed by a key the metadata does not list


@dataclass(frozen=True)
class Response:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class TeamsClient:
    bot_url: str
    service_url: str
    app_id: str
    key: SigningKey
    bot_name: str = "cachewarden"
    _counter: int = field(default_factory=lambda: int(time.time() * 1000))

    def _next_id(self) -> str:
        self._counter += 1
        return str(self._counter)

    def _base(self, conversation: dict[str, Any], person: Person) -> dict[str, Any]:
        return {
            "channelId": "msteams",
            "serviceUrl": self.service_url,
            "id": self._next_id(),
            "timestamp": "2026-12-07T10:00:00.000Z",
            "from": {
                "id": person.teams_id,
                "name": person.name,
                "aadObjectId": person.aad_object_id,
            },
            "recipient": {"id": f"28:{self.app_id}", "name": self.bot_name},
            "conversation": conversation,
            "channelData": {
                "tenant": {"id": TENANT},
                **(
                    {"channel": {"id": CHANNEL}, "team": {"id": TEAM}}
                    if conversation.get("conversationType") == "channel"
                    else {}
                ),
            },
        }

    @staticmethod
    def channel(thread_root: str | None = None) -> dict[str, Any]:
        cid = f"{CHANNEL};messageid={thread_root}" if thread_root else CHANNEL
        return {"id": cid, "conversationType": "channel", "isGroup": True, "tenantId": TENANT}

    @staticmethod
    def personal(person: Person = Person()) -> dict[str, Any]:
        return {
            "id": f"a:chat-{person.teams_id[3:]}",
            "conversationType": "personal",
            "tenantId": TENANT,
        }

    def message_activity(
        self, text: str, *, conversation: dict[str, Any] | None = None, person: Person = Person()
    ) -> dict[str, Any]:
        """In a channel the text starts with the bot's <at> mention, as Teams sends it."""
        conversation = conversation or self.channel(thread_root=self._next_id())
        activity = self._base(conversation, person)
        activity["type"] = "message"
        if conversation.get("conversationType") == "personal":
            activity["text"] = text
        else:
            mention = f"<at>{self.bot_name}</at>"
            activity["text"] = f"{mention} {text}"
            activity["entities"] = [
                {
                    "type": "mention",
                    "text": mention,
                    "mentioned": {"id": f"28:{self.app_id}", "name": self.bot_name},
                }
            ]
        return activity

    def invoke_activity(
        self,
        verb: str,
        data: dict[str, Any],
        *,
        reply_to_id: str,
        conversation: dict[str, Any] | None = None,
        person: Person = Person(),
    ) -> dict[str, Any]:
        """A click on an Action.Execute button of the card posted as `reply_to_id`."""
        activity = self._base(conversation or self.channel(thread_root=reply_to_id), person)
        activity.update(
            type="invoke",
            name="adaptiveCard/action",
            replyToId=reply_to_id,
            value={
                "action": {"type": "Action.Execute", "verb": verb, "data": data},
                "trigger": "manual",
            },
        )
        return activity

    def token(self, activity: dict[str, Any], forgery: Forgery = Forgery()) -> str | None:
        if forgery.no_token:
            return None
        key = SigningKey() if forgery.other_key else self.key
        return key.connector_token(
            audience=forgery.audience or self.app_id,
            service_url=forgery.service_url or str(activity["serviceUrl"]),
            issuer=forgery.issuer or BOT_FRAMEWORK_ISSUER,
            issued_at=time.time() - 7200 if forgery.expired else None,
            lifetime=600 if forgery.expired else 3600,
        )

    def send(
        self, activity: dict[str, Any], forgery: Forgery = Forgery(), timeout: float = 30
    ) -> Response:
        headers = {"Content-Type": "application/json"}
        token = self.token(activity, forgery)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        if not self.bot_url.startswith(("http://", "https://")):
            raise ValueError(f"bot_url must be http(s): {self.bot_url!r}")
        request = urllib.request.Request(  # noqa: S310 - http(s) checked above
            self.bot_url.rstrip("/") + "/api/messages",
            data=json.dumps(activity).encode(),
            headers=headers,
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                return Response(response.status, response.read().decode())
        except urllib.error.HTTPError as exc:
            return Response(exc.code, exc.read().decode())
