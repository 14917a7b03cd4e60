"""The durable audit log: a Redis stream, kept by a stated retention policy.

Each entry: time, event, actor, request id, and for AWS calls the operation and target.
Never secret values: callers pass names and ids only, and every value is redacted again.

Retention (`trim`, run daily by the janitor; the README's security section states it):
every entry (requests, decisions, AWS calls, rotations, subscription changes) is kept for
`[limits] audit_log_keep_days` (XTRIM MINID, Redis 6.2 or later); refusals, the only
entries anyone can produce in bulk, already collapsed per window, go after
`refusals_keep_days`. Entry ids carry the Redis server's time in milliseconds, which is
what both cut-offs compare against.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis

from workers.platform.telemetry import current_correlation_id, redact

STREAM = "cw:audit-log"
_NOISE_CURSOR = "cw:audit-log:refusals-trimmed-to"  # last id the refusal trim looked at
REFUSAL_EVENTS = frozenset(
    f"{event}{suffix}"
    for event in ("decision.refused", "rotation.cancel_refused", "subscription.refused")
    for suffix in ("", ".repeated")
)


@dataclass(frozen=True)
class AuditEntry:
    entry_id: str
    fields: dict[str, str]

    @property
    def is_refusal(self) -> bool:
        return self.fields.get("event", "") in REFUSAL_EVENTS

    def as_json(self) -> str:
        return json.dumps({"id": self.entry_id, **self.fields}, sort_keys=True)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class AuditLog:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def append(self, event: str, *, actor: str = "cachewarden", **details: Any) -> str:
        fields = {"event": event, "actor": actor, "correlation_id": current_correlation_id()}
        fields.update({k: redact(str(v)) for k, v in details.items() if v is not None})
        return _text(self._redis.xadd(STREAM, fields))  # type: ignore[arg-type]

    def trim(self, now: datetime, *, keep_days: int, refusals_keep_days: int) -> tuple[int, int]:
        """Apply the retention policy; returns (entries dropped by age, refusals dropped)."""
        cutoff = int((now - timedelta(days=keep_days)).timestamp() * 1000)
        aged = int(self._redis.xtrim(STREAM, minid=f"{cutoff}-0", approximate=False))
        last = int((now - timedelta(days=refusals_keep_days)).timestamp() * 1000) - 1
        start = _text(self._redis.get(_NOISE_CURSOR) or b"") or "-"
        refusals = 0
        while True:
            rows = self._redis.xrange(STREAM, min=start, max=str(last), count=500)
            if not rows:
                return aged, refusals
            entries = [self._entry(row_id, fields) for row_id, fields in rows]
            noise = [entry.entry_id for entry in entries if entry.is_refusal]
            if noise:
                refusals += int(self._redis.xdel(STREAM, *noise))
            newest = entries[-1].entry_id
            self._redis.set(_NOISE_CURSOR, newest)
            start = "(" + newest

    def latest(self, count: int = 20) -> list[AuditEntry]:
        rows = self._redis.xrevrange(STREAM, count=count) or []
        return [self._entry(entry_id, fields) for entry_id, fields in rows]

    def all(self, batch: int = 500) -> Iterator[AuditEntry]:
        start = "-"
        while True:
            rows = self._redis.xrange(STREAM, min=start, count=batch)
            if not rows:
                return
            for entry_id, fields in rows:
                yield self._entry(entry_id, fields)
            start = "(" + _text(rows[-1][0] or "")

    @staticmethod
    def _entry(entry_id: Any, fields: Any) -> AuditEntry:
        return AuditEntry(_text(entry_id), {_text(k): _text(v) for k, v in (fields or {}).items()})
