"""Refused clicks in the audit log, collapsed: anyone can click 300 times, the log grows by two.

    cw:refusal:<digest>:<window start>   hash  count, request fields, actor, reason, since
    cw:refusals:open                     zset  those keys by the end of their window

The first refusal of a (request, actor, reason) in a window writes the usual
`decision.refused` entry at once. Further ones only count; when the window has closed,
`flush_refusals` (the janitor's sweep) writes one `decision.refused.repeated` entry with
how many more there were (`repeated`), and forgets the counter. Refused Cancel clicks on a
rotation (`rotation.cancel_refused`) are collapsed the same way.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import redis

from workers.trail.log import AuditLog

OPEN = "cw:refusals:open"
REPEATED = ".repeated"  # appended to the event name: `decision.refused.repeated`
_KEEP_SECONDS = 7 * 24 * 3600  # a counter no sweep flushed is dropped after a week

# KEYS[1] counter hash, KEYS[2] open zset; ARGV: fields JSON, window end, ttl
_COUNT = """
local n = redis.call('HINCRBY', KEYS[1], 'count', 1)
if n == 1 then
  redis.call('HSET', KEYS[1], 'fields', ARGV[1])
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
  redis.call('ZADD', KEYS[2], tonumber(ARGV[2]), KEYS[1])
end
return n
"""
# KEYS[1] counter hash, KEYS[2] open zset: read and forget in one step (two sweeps never both write)
_TAKE = """
local values = redis.call('HMGET', KEYS[1], 'count', 'fields')
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], KEYS[1])
return values
"""


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


def record_refusal(
    connection: redis.Redis,
    *,
    actor: str,
    reason: str,
    fields: dict[str, str],
    now: datetime,
    window_seconds: int,
    event: str = "decision.refused",
) -> bool:
    """Count one refused click; True (and an `event` entry) for the first in its window."""
    stamp = int(now.timestamp())
    start = stamp - stamp % window_seconds
    subject = json.dumps([event, actor, reason, fields], sort_keys=True)
    key = f"cw:refusal:{hashlib.sha256(subject.encode()).hexdigest()[:24]}:{start}"
    entry = {**fields, "event": event, "actor": actor, "reason": reason, "since": str(start)}
    count = int(
        connection.eval(
            _COUNT, 2, key, OPEN, json.dumps(entry), start + window_seconds, _KEEP_SECONDS
        )
    )
    if count != 1:
        return False
    AuditLog(connection).append(event, **{**fields, "actor": actor, "reason": reason})
    return True


def flush_refusals(connection: redis.Redis, now: datetime) -> int:
    """Write one `decision.refused.repeated` entry per closed window that counted more than
    one refusal; returns how many entries were written."""
    written = 0
    log = AuditLog(connection)
    for raw_key in connection.zrangebyscore(OPEN, "-inf", now.timestamp()):
        key = _text(raw_key)
        count, fields = connection.eval(_TAKE, 2, key, OPEN)
        if not fields or int(_text(count) or 0) < 2:
            continue
        entry = json.loads(_text(fields))
        event = entry.pop("event", "decision.refused")
        entry["repeated"] = str(int(_text(count)) - 1)
        log.append(event + REPEATED, **entry)
        written += 1
    return written
