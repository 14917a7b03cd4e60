"""Search everything the bot wrote for a secret: Slack calls, logs, Redis, RQ jobs."""

from __future__ import annotations

import contextlib
import json
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

import redis
from rq.job import Job
from rq.serializers import JSONSerializer

from sandbox.stack import Stack


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        with contextlib.suppress(zlib.error):
            value = zlib.decompress(value)  # RQ stores job data compressed
        return value.decode("utf-8", errors="replace")
    return str(value)


def _values(connection: redis.Redis, key: bytes) -> Iterable[Any]:
    kind = connection.type(key).decode()
    if kind == "string":
        return [connection.get(key)]
    if kind == "hash":
        return [part for pair in connection.hgetall(key).items() for part in pair]
    if kind == "list":
        return connection.lrange(key, 0, -1)
    if kind == "set":
        return connection.smembers(key)
    if kind == "zset":
        return [member for member, _ in connection.zrange(key, 0, -1, withscores=True)]
    if kind == "stream":
        return [
            part for _, fields in connection.xrange(key) for pair in fields.items() for part in pair
        ]
    return []


def redis_dump(connection: redis.Redis) -> Iterator[tuple[str, str]]:
    """(key, text) for every key and every value, whatever its type."""
    for key in connection.scan_iter(count=500):
        yield _text(key), _text(key)
        for value in _values(connection, key):
            yield _text(key), _text(value)


def rq_jobs(connection: redis.Redis) -> Iterator[tuple[str, str]]:
    """(job id, text) of every job's function, arguments, meta, result and error."""
    for key in connection.scan_iter(match="rq:job:*", count=500):
        job_id = _text(key).split(":", 2)[2]
        if ":" in job_id:
            continue  # sub-keys such as dependents
        try:
            job = Job.fetch(job_id, connection=connection, serializer=JSONSerializer)
        except Exception:  # a job removed between SCAN and fetch
            continue
        result = job.latest_result()
        parts = {
            "func": job.func_name,
            "args": job.args,
            "kwargs": job.kwargs,
            "meta": job.meta,
            "result": result.return_value if result else None,
            "error": result.exc_string if result else None,
        }
        yield job_id, json.dumps(parts, default=str)


def places_holding(stack: Stack, secrets: list[str]) -> list[str]:
    """Where any of `secrets` appears; an empty list means nowhere."""
    connection = redis.Redis.from_url(stack.redis.url)
    haystacks: list[tuple[str, str]] = [
        ("slack calls", json.dumps([c.to_json() for c in stack.emulator.calls()], default=str)),
        (
            "slack responses",
            json.dumps([r.payload for r in stack.emulator.responses()], default=str),
        ),
        ("logs", stack.logs()),
        *((f"redis {key}", text) for key, text in redis_dump(connection)),
        *((f"rq job {job_id}", text) for job_id, text in rq_jobs(connection)),
    ]
    found = []
    for where, text in haystacks:
        for secret in secrets:
            if secret in text or json.dumps(secret)[1:-1] in text:
                found.append(where)
    return found
