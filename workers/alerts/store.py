"""What real-time alerts keep in Redis.

cw:alerts:event:<eventID>         string  working (TTL: visibility) or done (TTL: dedupe_hours)
cw:alerts:subs                    hash    channel -> scope JSON (channels with alerts on)
cw:alerts:where                   hash    channel -> ConversationRef JSON (its front end)
cw:alerts:outbox:<eventID>        hash    item id -> transition JSON, written with the states
cw:alerts:posted:<item>:<chan>    string  the item was posted in the channel (ts)
cw:alerts:thread:<key hash>       hash    channel -> ts of the alert that opened the key
cw:alerts:rate:<chan>:<window>    string  alerts posted in this rate window
cw:alerts:held:<chan>:<window>    list    alerts held back by the rate limit (examples)
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import redis

from commands.scope import Scope
from posture.conversations import ConversationRef, legacy_conversation
from posture.history import FindingKey, key_text

OUTBOX_TTL = 7 * 86400
THREAD_TTL = 90 * 86400
_SUBS = "cw:alerts:subs"
_WHERE = "cw:alerts:where"


def _text(value: object) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


def key_hash(key: FindingKey) -> str:
    return hashlib.sha256(key_text(key).encode()).hexdigest()[:24]


class AlertStore:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    @property
    def connection(self) -> redis.Redis:
        return self._redis

    # at-least-once in: one claim per CloudTrail eventID ---------------------------------
    def claim_event(self, event_id: str, working_seconds: int) -> str:
        """ "claimed" for the first delivery; "done" once handled; "busy" while another works.

        A claim expires with the message's visibility, so a listener that dies mid-work
        does not swallow the redelivery.
        """
        name = f"cw:alerts:event:{event_id}"
        if self._redis.set(name, "working", nx=True, ex=working_seconds):
            return "claimed"
        return "done" if _text(self._redis.get(name)) == "done" else "busy"

    def finish_event(self, event_id: str, ttl_seconds: int) -> None:
        self._redis.set(f"cw:alerts:event:{event_id}", "done", ex=ttl_seconds)

    def release_event(self, event_id: str) -> None:
        """Forget a claim whose work failed, so the redelivery runs."""
        self._redis.delete(f"cw:alerts:event:{event_id}")

    # deletions: one "deleted by" per disappearance, however many Delete events arrive -----
    def claim_gone(self, account: str, region: str, kind: str, resource_id: str) -> bool:
        name = f"cw:alerts:gone:{account}:{region}:{kind}:{resource_id}"
        return bool(self._redis.set(name, "1", nx=True, ex=OUTBOX_TTL))

    def forget_gone(self, account: str, region: str, resources: list[tuple[str, str]]) -> None:
        """Resources seen present again (re-created): their next deletion is news again."""
        if resources:
            self._redis.delete(
                *[f"cw:alerts:gone:{account}:{region}:{k}:{r}" for k, r in resources]
            )

    # subscriptions ----------------------------------------------------------------------
    def subscribe(self, where: ConversationRef, scope: Scope) -> None:
        """Alerts on in `where`'s channel; the reference says which front end posts there."""
        pipe = self._redis.pipeline(transaction=True)
        pipe.hset(_SUBS, where.channel, scope.model_dump_json())
        pipe.hset(_WHERE, where.channel, where.top_level().model_dump_json())
        pipe.execute()

    def unsubscribe(self, channel: str) -> bool:
        pipe = self._redis.pipeline(transaction=True)
        pipe.hdel(_SUBS, channel)
        pipe.hdel(_WHERE, channel)
        removed, _ = pipe.execute()
        return bool(removed)

    def conversation(self, channel: str) -> ConversationRef:
        """Where `channel` lives; a subscription written before references were kept is Slack's."""
        raw = self._redis.hget(_WHERE, channel)
        if raw:
            try:
                return ConversationRef.model_validate_json(_text(raw))
            except ValueError:
                pass  # an unreadable entry falls back like an old one
        return legacy_conversation(channel)

    def subscriptions(self) -> dict[str, Scope]:
        found: dict[str, Scope] = {}
        for channel, raw in self._redis.hgetall(_SUBS).items():
            try:
                found[_text(channel)] = Scope.model_validate_json(_text(raw))
            except ValueError:
                continue  # an unreadable entry silences one channel, not all
        return found

    # exactly-once out: an outbox per event, a posted marker per item and channel -------
    def outbox_write(self, pipe: Any, event_id: str, items: dict[str, dict[str, Any]]) -> None:
        if items:
            key = f"cw:alerts:outbox:{event_id}"
            pipe.hset(key, mapping={i: json.dumps(v) for i, v in items.items()})
            pipe.expire(key, OUTBOX_TTL)

    def outbox(self, event_id: str) -> dict[str, dict[str, Any]]:
        raw = self._redis.hgetall(f"cw:alerts:outbox:{event_id}")
        return {_text(k): json.loads(_text(v)) for k, v in sorted(raw.items())}

    def posted(self, item_id: str, channel: str) -> str | None:
        return _text(self._redis.get(f"cw:alerts:posted:{item_id}:{channel}")) or None

    def mark_posted(self, item_id: str, channel: str, ts: str) -> None:
        self._redis.set(f"cw:alerts:posted:{item_id}:{channel}", ts or "-", ex=OUTBOX_TTL)

    # the alert's thread, for "fixed by" replies ------------------------------------------
    def remember_thread(self, key: FindingKey, channel: str, ts: str) -> None:
        name = f"cw:alerts:thread:{key_hash(key)}"
        pipe = self._redis.pipeline()
        pipe.hset(name, channel, ts)
        pipe.expire(name, THREAD_TTL)
        pipe.execute()

    def thread(self, key: FindingKey, channel: str) -> str | None:
        return _text(self._redis.hget(f"cw:alerts:thread:{key_hash(key)}", channel)) or None

    # per-channel rate limit ----------------------------------------------------------------
    def take_rate_slot(self, channel: str, window: int, limit: int, ttl: int) -> bool:
        """True while the channel has posted fewer than `limit` alerts in this window."""
        name = f"cw:alerts:rate:{channel}:{window}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, ttl)
        used = int(pipe.execute()[0])
        return used <= limit

    def hold(self, channel: str, window: int, example: str, ttl: int) -> bool:
        """Note a held alert; True for the first one of the window (schedule the roll-up)."""
        name = f"cw:alerts:held:{channel}:{window}"
        pipe = self._redis.pipeline()
        pipe.rpush(name, example)
        pipe.expire(name, ttl)
        return int(pipe.execute()[0]) == 1

    def held(self, channel: str, window: int) -> list[str]:
        return [_text(x) for x in self._redis.lrange(f"cw:alerts:held:{channel}:{window}", 0, -1)]
