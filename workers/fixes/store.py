"""What a fix has done so far, so a retried or resumed job knows where it stopped.

    cw:fix:<request id>         hash   plan (JSON, as approved), phase, executor, timestamps
    cw:fix:<request id>:lease   string held while one job applies the calls

Phases: planned -> applying (marked before the first call) -> applied (after the last).
A job that finds `applying` crashed mid-call and must find out whether the call landed.
"""

from __future__ import annotations

import os
import socket
import time
from enum import StrEnum

import redis

from posture.remediation import FixPlan

FIX_TTL_SECONDS = 90 * 24 * 3600
LEASE_SECONDS = 120


class Phase(StrEnum):
    PLANNED = "planned"
    APPLYING = "applying"
    APPLIED = "applied"


def _key(request_id: str) -> str:
    return f"cw:fix:{request_id}"


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value


class FixStore:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def save_plan(self, request_id: str, plan: FixPlan) -> None:
        pipe = self._redis.pipeline()
        pipe.hset(
            _key(request_id), mapping={"plan": plan.model_dump_json(), "phase": str(Phase.PLANNED)}
        )
        pipe.expire(_key(request_id), FIX_TTL_SECONDS)
        pipe.execute()

    def plan(self, request_id: str) -> FixPlan | None:
        raw = self._redis.hget(_key(request_id), "plan")
        return FixPlan.model_validate_json(raw) if raw else None

    def phase(self, request_id: str) -> Phase:
        raw = _text(self._redis.hget(_key(request_id), "phase"))
        return Phase(raw) if raw else Phase.PLANNED

    def mark(self, request_id: str, phase: Phase) -> None:
        self._redis.hset(
            _key(request_id), mapping={"phase": str(phase), f"{phase}_at": str(time.time())}
        )

    def note_executor(self, request_id: str) -> None:
        """Which process works on the fix (operators, and the crash test, look it up)."""
        self._redis.hset(
            _key(request_id), mapping={"pid": str(os.getpid()), "host": socket.gethostname()}
        )

    def executor_pid(self, request_id: str) -> int | None:
        raw = _text(self._redis.hget(_key(request_id), "pid"))
        return int(raw) if raw else None

    def claim_report(self, request_id: str) -> bool:
        """True once: the job that posts the verified result (a resumed job may verify too)."""
        return bool(self._redis.hsetnx(_key(request_id), "reported", str(time.time())))

    def take_lease(self, request_id: str) -> bool:
        """Only one job applies a fix's calls at a time.

        A holder that died on this host (a killed work horse) is replaced at once; one on
        another host is waited out until its lease expires.
        """
        key, me = f"{_key(request_id)}:lease", _holder()
        if self._redis.set(key, me, nx=True, ex=LEASE_SECONDS):
            return True
        with self._redis.pipeline() as pipe:
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]
                holder = _text(pipe.get(key))
                if not holder or not _dead_here(holder):
                    return False
                pipe.multi()
                pipe.set(key, me, ex=LEASE_SECONDS)
                pipe.execute()
                return True
            except redis.WatchError:  # someone else replaced the dead holder first
                return False

    def release_lease(self, request_id: str) -> None:
        self._redis.delete(f"{_key(request_id)}:lease")


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _dead_here(holder: str) -> bool:
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
