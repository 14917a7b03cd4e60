"""What it takes to redraw an audit's messages later: posted replies, fixes, duration.

    cw:finding-run:<finding_id>    string run id of the audit that posted this finding
    cw:run:<run_id>:replies        string JSON list of posted findings replies
    cw:run:<run_id>:resolved       hash   finding key (JSON) -> who requested the verified fix
    cw:run:<run_id>:duration       string seconds the audit took (the summary keeps showing it)

Every key expires with the run (RUN_TTL_SECONDS). Writes are idempotent.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict

import redis

from posture.findings import Finding
from workers.audit.store import RUN_TTL_SECONDS
from workers.platform.notifier import PostedReply

FindingKey = tuple[str, str, str, str, str]


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class AuditCardStore:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def save_posted(
        self,
        run_id: str,
        replies: Iterable[PostedReply],
        finding_ids: Iterable[str],
        duration: float | None,
    ) -> None:
        posted = list(replies)
        pipe = self._redis.pipeline()
        pipe.set(
            f"cw:run:{run_id}:replies",
            json.dumps([asdict(reply) for reply in posted]),
            ex=RUN_TTL_SECONDS,
        )
        for finding_id in finding_ids:
            pipe.set(f"cw:finding-run:{finding_id}", run_id, ex=RUN_TTL_SECONDS)
        if duration is not None:
            pipe.set(f"cw:run:{run_id}:duration", f"{duration:.3f}", ex=RUN_TTL_SECONDS)
        pipe.execute()

    def run_of(self, finding_id: str) -> str | None:
        raw = self._redis.get(f"cw:finding-run:{finding_id}")
        return _text(raw) if raw else None

    def replies(self, run_id: str) -> list[PostedReply]:
        raw = self._redis.get(f"cw:run:{run_id}:replies")
        if not raw:
            return []
        return [
            PostedReply(
                ts=str(item["ts"]),
                finding_ids=tuple(item["finding_ids"]),
                page=int(item["page"]),
                pages=int(item["pages"]),
            )
            for item in json.loads(raw)
        ]

    def duration(self, run_id: str) -> float | None:
        raw = self._redis.get(f"cw:run:{run_id}:duration")
        return float(_text(raw)) if raw else None

    def mark_resolved(self, run_id: str, finding: Finding, by: str) -> None:
        key = f"cw:run:{run_id}:resolved"
        pipe = self._redis.pipeline()
        pipe.hset(key, json.dumps(list(finding.key)), by)
        pipe.expire(key, RUN_TTL_SECONDS)
        pipe.execute()

    def resolved(self, run_id: str) -> dict[FindingKey, str]:
        raw = self._redis.hgetall(f"cw:run:{run_id}:resolved")
        resolved: dict[FindingKey, str] = {}
        for field, who in raw.items():
            parts = json.loads(_text(field))
            resolved[(parts[0], parts[1], parts[2], parts[3], parts[4])] = _text(who)
        return resolved
