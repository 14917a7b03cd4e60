"""Conversation references in Redis: where and how to post into a channel or chat later.

Stored at the first turn the bot sees in a conversation (and refreshed if Teams moves it to
another serviceUrl), so a worker in another process can post proactively. A reference holds
ids and the connector URL only, no tokens and no message text.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import redis
from pydantic import BaseModel, ConfigDict

_KEY = "cw:teams:conversation:"
_THREAD_MARK = ";messageid="


class TeamsReference(BaseModel):
    model_config = ConfigDict(frozen=True)

    conversation_id: str  # bare: a channel or chat, never a thread
    service_url: str
    tenant_id: str = ""
    conversation_type: str = ""  # "channel", "personal" or "groupChat"
    bot_id: str = ""
    bot_name: str = ""
    team_id: str = ""

    @property
    def threaded(self) -> bool:
        """Only channels have reply chains; chats take every post flat."""
        return self.conversation_type == "channel"


def bare_conversation_id(conversation_id: str) -> str:
    """ "19:x@thread.tacv2;messageid=17" -> "19:x@thread.tacv2"."""
    return conversation_id.split(_THREAD_MARK, 1)[0]


def thread_conversation_id(conversation_id: str, root_id: str) -> str:
    """The conversation id that addresses replies under root post `root_id` in a channel."""
    return f"{bare_conversation_id(conversation_id)}{_THREAD_MARK}{root_id}"


def reference_from_activity(activity: dict[str, Any]) -> TeamsReference | None:
    """The reference of an inbound activity (already authenticated), or None if incomplete."""
    conversation = activity.get("conversation") or {}
    service_url = str(activity.get("serviceUrl") or "")
    conversation_id = str(conversation.get("id") or "")
    if not conversation_id or not service_url.startswith(("https://", "http://")):
        return None
    channel_data = activity.get("channelData") or {}
    recipient = activity.get("recipient") or {}
    return TeamsReference(
        conversation_id=bare_conversation_id(conversation_id),
        service_url=service_url,
        tenant_id=str(
            conversation.get("tenantId") or (channel_data.get("tenant") or {}).get("id") or ""
        ),
        conversation_type=str(conversation.get("conversationType") or ""),
        bot_id=str(recipient.get("id") or ""),
        bot_name=str(recipient.get("name") or ""),
        team_id=str((channel_data.get("team") or {}).get("id") or ""),
    )


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _key(conversation_id: str) -> str:
    digest = hashlib.sha256(bare_conversation_id(conversation_id).encode()).hexdigest()[:32]
    return _KEY + digest


class ConversationStore:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def remember(self, ref: TeamsReference) -> bool:
        """Store the reference if it is new or changed; True when something was written."""
        data = ref.model_dump_json()
        key = _key(ref.conversation_id)
        current = self._redis.get(key)
        if current is not None and _text(current) == data:
            return False
        self._redis.set(key, data)
        return True

    def get(self, conversation_id: str) -> TeamsReference | None:
        raw = self._redis.get(_key(conversation_id))
        if raw is None:
            return None
        return TeamsReference.model_validate(json.loads(_text(raw)))
