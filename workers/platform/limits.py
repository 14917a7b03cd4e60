"""Fixed-window rate limits in Redis, and the polite words for "not now".

    cw:limit:<name>:<key>:<window start>   counter, expires with its window

A window is `seconds` long and starts at a multiple of `seconds` of the flow's clock, so
every web process (and every front end) shares the same counters. Fixed windows let a
burst of up to twice the limit straddle a boundary; that is enough to stop a flood and
cheap (one round trip).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

import redis

# KEYS[1] counter; ARGV[1] ttl seconds. Returns the count after this request.
_HIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], tonumber(ARGV[1])) end
return n
"""


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window resets (0 when allowed)


def _safe(part: str) -> str:
    """Ids from chat platforms are short and plain, but keys must never carry odd bytes."""
    if part.replace("_", "").replace("-", "").isalnum() and len(part) <= 64:
        return part
    return hashlib.sha256(part.encode()).hexdigest()[:24]


def hit(
    connection: redis.Redis, name: str, key: str, *, limit: int, seconds: int, now: datetime
) -> Verdict:
    """Count one request against `limit` per `seconds`; refused ones count too (a flood
    stays refused until it stops)."""
    stamp = int(now.timestamp())
    start = stamp - stamp % seconds
    counter = f"cw:limit:{name}:{_safe(key)}:{start}"
    count = int(connection.eval(_HIT, 1, counter, seconds + 5))
    if count <= limit:
        return Verdict(allowed=True, count=count, retry_after=0)
    return Verdict(allowed=False, count=count, retry_after=max(start + seconds - stamp, 1))


def in_words(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minutes"


def scans_in_flight(job_ids: list[str]) -> int:
    """Scans queued or running, from the ids of queued and started jobs: a scan is its
    `audit-*` start job until it fans out, then its `part-<run>-*` and `finish-<run>` jobs."""
    runs: set[str] = set()
    for member in job_ids:
        job_id = member.partition(":")[0]  # started-registry members add `:<execution id>`
        kind, _, rest = job_id.partition("-")
        if kind == "audit":
            runs.add(job_id)
        elif kind in ("part", "finish"):
            runs.add("run-" + rest.split("-", 1)[0])
    return len(runs)


def peek(
    connection: redis.Redis, name: str, key: str, *, limit: int, seconds: int, now: datetime
) -> Verdict:
    """Whether `key` is over `limit` in the current window, without counting this look."""
    stamp = int(now.timestamp())
    start = stamp - stamp % seconds
    raw = connection.get(f"cw:limit:{name}:{_safe(key)}:{start}")
    count = int(raw or 0)
    if count < limit:
        return Verdict(allowed=True, count=count, retry_after=0)
    return Verdict(allowed=False, count=count, retry_after=max(start + seconds - stamp, 1))
