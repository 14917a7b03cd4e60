"""Approval requests in Redis, changed only by compare-and-set.

    cw:approval:<id>        string  the request as JSON (state inside)
    cw:approvals:pending    zset    ids of pending requests by expiry time
    cw:approvals:active     zset    ids of approved or running requests by when they got
                                    there (the janitor's list of jobs that must not vanish)
    cw:suppressions         hash    finding key -> accepted-risk record (JSON), see suppressions.py

A transition is a Lua script that rewrites the JSON only when its state is still the
expected one, so twenty simultaneous Approve clicks produce exactly one approval.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import redis
from pydantic import BaseModel

from posture.approvals import ApprovalRequest, State, Transition

RETENTION_SECONDS = 90 * 24 * 3600
_PENDING = "cw:approvals:pending"
_ACTIVE = "cw:approvals:active"

# KEYS[1] request key, KEYS[2] pending zset, KEYS[3] active zset;
# ARGV: expected, to, decided_by, decided_at, outcome, id, ttl, decision reason
_CAS = """
local raw = redis.call('GET', KEYS[1])
if not raw then return {0, ''} end
local doc = cjson.decode(raw)
if doc['state'] ~= ARGV[1] then return {0, raw} end
doc['state'] = ARGV[2]
if ARGV[3] ~= '' then doc['decided_by'] = ARGV[3] end
if ARGV[4] ~= '' then doc['decided_at'] = ARGV[4] end
if ARGV[5] ~= '' then doc['outcome'] = ARGV[5] end
if ARGV[8] ~= '' then doc['decision_reason'] = ARGV[8] end
local encoded = cjson.encode(doc)
redis.call('SET', KEYS[1], encoded, 'EX', tonumber(ARGV[7]))
if ARGV[2] ~= 'pending' then redis.call('ZREM', KEYS[2], ARGV[6]) end
if ARGV[2] == 'approved' or ARGV[2] == 'running' then
  redis.call('ZADD', KEYS[3], tonumber(redis.call('TIME')[1]), ARGV[6])
else
  redis.call('ZREM', KEYS[3], ARGV[6])
end
return {1, encoded}
"""


def _key(request_id: str) -> str:
    return f"cw:approval:{request_id}"


class ApprovalStore:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection
        self._cas = connection.register_script(_CAS)

    def create(self, request: ApprovalRequest) -> None:
        pipe = self._redis.pipeline()
        pipe.set(_key(request.request_id), request.model_dump_json(), ex=RETENTION_SECONDS, nx=True)
        pipe.zadd(_PENDING, {request.request_id: request.expires_at.timestamp()})
        pipe.execute()

    def get(self, request_id: str) -> ApprovalRequest | None:
        raw = self._redis.get(_key(request_id))
        return ApprovalRequest.model_validate_json(raw) if raw else None

    def apply(self, request_id: str, transition: Transition) -> tuple[bool, ApprovalRequest | None]:
        """(True, new) when this caller's transition won; (False, current) otherwise."""
        won, raw = self._cas(
            keys=[_key(request_id), _PENDING, _ACTIVE],
            args=[
                str(transition.expected),
                str(transition.to),
                transition.decided_by or "",
                transition.decided_at.isoformat() if transition.decided_at else "",
                transition.outcome,
                request_id,
                RETENTION_SECONDS,
                transition.reason,
            ],
        )
        current = ApprovalRequest.model_validate_json(raw) if raw else None
        return bool(won), current

    def update_fields(self, request_id: str, **fields: Any) -> ApprovalRequest | None:
        """Set non-state fields (message references, outcome text); never used to change state."""
        if "state" in fields:
            raise ValueError("state changes go through apply()")
        with self._redis.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(_key(request_id))  # type: ignore[no-untyped-call]
                    raw = pipe.get(_key(request_id))
                    if not raw:
                        return None
                    doc = json.loads(raw)
                    doc.update({k: _plain(v) for k, v in fields.items()})
                    updated = ApprovalRequest.model_validate(doc)
                    pipe.multi()
                    pipe.set(_key(request_id), updated.model_dump_json(), ex=RETENTION_SECONDS)
                    pipe.execute()
                    return updated
                except redis.WatchError:
                    continue

    def pending_ids(self) -> list[str]:
        return [
            m.decode() if isinstance(m, bytes) else str(m)
            for m in self._redis.zrange(_PENDING, 0, -1)
        ]

    def active(self, entered_before: float) -> list[tuple[ApprovalRequest, float]]:
        """Approved or running requests that got there before `entered_before` (epoch s),
        with when; ids whose request has expired from Redis are forgotten."""
        found: list[tuple[ApprovalRequest, float]] = []
        rows: list[tuple[Any, float]] = self._redis.zrangebyscore(  # type: ignore[assignment]
            _ACTIVE, "-inf", entered_before, withscores=True
        )
        for member, score in rows:
            request_id = member.decode() if isinstance(member, bytes) else str(member)
            request = self.get(request_id)
            if request is None or request.is_final:
                self._redis.zrem(_ACTIVE, request_id)
                continue
            found.append((request, float(score)))
        return found

    def pending(self) -> list[ApprovalRequest]:
        found = (self.get(request_id) for request_id in self.pending_ids())
        return [
            request for request in found if request is not None and request.state is State.PENDING
        ]


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value.isoformat() if isinstance(value, datetime) else value
