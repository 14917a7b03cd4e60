"""Digest subscriptions per channel, and when each one is due.

    cw:subscriptions            hash  channel -> subscription (JSON, with the conversation
                                      it posts to: platform, workspace, channel)
    cw:subscriptions:last_day   hash  channel -> local date of the last digest dispatched

The schedule is evaluated in the subscription's own time zone, whatever TZ the cron
process runs in. A day counts from the subscription's creation minute, so subscribing
at 09:00 for 09:00 still gets today's digest, and subscribing at 09:01 starts tomorrow.

The digest goes to the platform stored with the subscription. Records written before the
platform was kept name only a channel: those came from Slack. Channel ids stay the hash
field (Slack's C…/G… ids and Teams' "19:…" conversation ids do not collide).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import redis
from pydantic import BaseModel, ConfigDict, model_validator

from posture.conversations import ConversationRef, legacy_conversation

_SUBSCRIPTIONS = "cw:subscriptions"
_LAST_DAY = "cw:subscriptions:last_day"
MAX_MISSED_LISTED = 14

# Move a channel's last day forward only; an older day (a slow or duplicate tick) is ignored.
_ADVANCE_DAY = """
local current = redis.call('HGET', KEYS[1], ARGV[1])
if current and current >= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""


class Subscription(BaseModel):
    model_config = ConfigDict(frozen=True)

    where: ConversationRef  # the channel the digest is posted to, on its platform
    cadence: str = "daily"
    at: str  # "HH:MM", local to `timezone`
    timezone: str = "UTC"
    scope: dict[str, Any] = {}
    scope_text: str = "everything"
    created_by: str = ""
    created_at: datetime
    last_day: date | None = None

    @model_validator(mode="before")
    @classmethod
    def _legacy_channel(cls, data: Any) -> Any:
        """An old record (or a caller) naming only `channel` means a Slack channel."""
        if isinstance(data, dict) and "where" not in data and "channel" in data:
            rest = {k: v for k, v in data.items() if k != "channel"}
            return {**rest, "where": legacy_conversation(str(data["channel"]))}
        return data

    @property
    def channel(self) -> str:
        return self.where.channel

    @property
    def local_time(self) -> time:
        hours, minutes = self.at.split(":")
        return time(int(hours), int(minutes))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def describe(self) -> str:
        return f"{self.cadence} {self.at} {self.timezone}"


@dataclass(frozen=True)
class DueRun:
    day: date  # the subscriber's local date the digest is for
    scheduled_at: datetime  # UTC
    late_minutes: int
    missed_days: tuple[date, ...]


def scheduled_at(subscription: Subscription, day: date) -> datetime:
    """The UTC moment of `day`'s run (a time skipped by a DST change runs an hour later)."""
    local = datetime.combine(day, subscription.local_time, tzinfo=subscription.zone)
    return local.astimezone(UTC)


def _first_day(subscription: Subscription) -> date:
    created = subscription.created_at.astimezone(subscription.zone)
    minute = created.replace(second=0, microsecond=0)
    first = created.date()
    return first if scheduled_at(subscription, first) >= minute else first + timedelta(days=1)


def latest_scheduled_day(subscription: Subscription, now: datetime) -> date:
    """The most recent local day whose run time is not after `now`."""
    today = now.astimezone(subscription.zone).date()
    return today if scheduled_at(subscription, today) <= now else today - timedelta(days=1)


def due_run(subscription: Subscription, now: datetime) -> DueRun | None:
    """The run owed at `now`, with how late it is and which earlier days were missed."""
    day = latest_scheduled_day(subscription, now)
    first = _first_day(subscription)
    if day < first:
        return None
    last = subscription.last_day
    if last is not None and day <= last:
        return None
    start = max(first, last + timedelta(days=1)) if last else first
    missed = [start + timedelta(days=n) for n in range((day - start).days)]
    late = now - scheduled_at(subscription, day)
    return DueRun(
        day=day,
        scheduled_at=scheduled_at(subscription, day),
        late_minutes=max(int(late.total_seconds() // 60), 0),
        missed_days=tuple(missed[-MAX_MISSED_LISTED:]),
    )


def next_run(subscription: Subscription, now: datetime) -> datetime:
    """When the next digest is due (UTC); a run owed already is due now."""
    owed = due_run(subscription, now)
    if owed is not None:
        return owed.scheduled_at
    candidates = [
        latest_scheduled_day(subscription, now) + timedelta(days=1),
        _first_day(subscription),
    ]
    if subscription.last_day is not None:
        candidates.append(subscription.last_day + timedelta(days=1))
    return scheduled_at(subscription, max(candidates))


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class SubscriptionStore:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection
        self._advance = connection.register_script(_ADVANCE_DAY)

    def subscribe(self, subscription: Subscription) -> Subscription | None:
        """Store (or replace) the channel's subscription; returns the one it replaced."""
        previous = self.get(subscription.channel)
        pipe = self._redis.pipeline()
        pipe.hset(_SUBSCRIPTIONS, subscription.channel, subscription.model_dump_json())
        pipe.hdel(_LAST_DAY, subscription.channel)  # a new schedule starts from its own creation
        pipe.execute()
        return previous

    def unsubscribe(self, channel: str) -> Subscription | None:
        previous = self.get(channel)
        pipe = self._redis.pipeline()
        pipe.hdel(_SUBSCRIPTIONS, channel)
        pipe.hdel(_LAST_DAY, channel)
        pipe.execute()
        return previous

    def get(self, channel: str) -> Subscription | None:
        pipe = self._redis.pipeline()
        pipe.hget(_SUBSCRIPTIONS, channel)
        pipe.hget(_LAST_DAY, channel)
        raw, last = pipe.execute()
        return self._load(raw, last)

    def all(self) -> list[Subscription]:
        subscriptions = self._redis.hgetall(_SUBSCRIPTIONS)
        last_days = {_text(k): v for k, v in self._redis.hgetall(_LAST_DAY).items()}
        loaded = (
            self._load(raw, last_days.get(_text(channel))) for channel, raw in subscriptions.items()
        )
        return sorted((s for s in loaded if s is not None), key=lambda s: s.channel)

    def mark_day(self, channel: str, day: date) -> bool:
        """Record that `day`'s digest was dispatched; False if a later or equal day already was."""
        return bool(self._advance(keys=[_LAST_DAY], args=[channel, day.isoformat()]))

    @staticmethod
    def _load(raw: object, last: object) -> Subscription | None:
        if not raw:
            return None
        data = json.loads(_text(raw))
        if last:
            data["last_day"] = _text(last)
        return Subscription.model_validate(data)
