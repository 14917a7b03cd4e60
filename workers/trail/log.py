"""The durable audit log: a Redis stream with no expiry and no trimming.

Each entry: time, event, actor, request id, and for AWS calls the operation and target.
Never secret values: callers pass names and ids only, and every value is redacted again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import redis

from workers.platform.telemetry import current_correlation_id, redact

STREAM = "cw:audit-log"


@dataclass(frozen=True)
class AuditEntry:
    entry_id: str
    fields: dict[str, str]

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
