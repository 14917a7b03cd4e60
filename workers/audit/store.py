"""Audit runs in Redis: the request, its parts, their findings, and findings by button id.

Keys (all expire after RUN_TTL so a busy channel does not grow Redis forever):
    cw:run:<run_id>                 hash   request (with the platform, workspace and channel it
                                           came from), state, parent message ts, counts
    cw:run:<run_id>:parts           set    parts that finished (a part is "account/region")
    cw:run:<run_id>:part:<part>     string JSON list of findings of that part
    cw:finding:<finding_id>         string JSON of one finding (what a button refers to)
Adding a part to the set is the idempotent "done" mark: a part re-run by RQ after a
worker died counts once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis

from posture.conversations import ConversationRef, Platform
from posture.findings import Finding

RUN_TTL_SECONDS = 30 * 24 * 3600


def _run_key(run_id: str) -> str:
    return f"cw:run:{run_id}"


def _text(value: bytes | str | None) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else value


def _conversation(raw: dict[str, str]) -> ConversationRef:
    """Runs written before the platform was kept came from Slack."""
    return ConversationRef(
        platform=Platform(raw.get("platform") or Platform.SLACK),
        workspace=raw.get("workspace", ""),
        channel=raw["channel"],
    )


@dataclass(frozen=True)
class AuditRun:
    run_id: str
    where: ConversationRef  # the conversation the request came from: results go there
    user: str
    scope: dict[str, Any]
    scope_text: str
    correlation_id: str
    state: str
    parent_ts: str
    parts_total: int
    accounts: int
    regions: int
    started: float
    problem: str
    part_failures: str

    @property
    def channel(self) -> str:
        return self.where.channel


class AuditStore:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def create_run(
        self,
        run_id: str,
        *,
        where: ConversationRef,
        user: str,
        scope: dict[str, Any],
        scope_text: str,
        correlation_id: str,
        started: float,
    ) -> None:
        key = _run_key(run_id)
        fields = {
            "platform": str(where.platform),
            "workspace": where.workspace,
            "channel": where.channel,
            "user": user,
            "scope": json.dumps(scope),
            "scope_text": scope_text,
            "correlation_id": correlation_id,
            "state": "queued",
            "started": str(started),
        }
        pipe = self._redis.pipeline()
        pipe.hset(key, mapping=fields)  # type: ignore[arg-type]
        pipe.expire(key, RUN_TTL_SECONDS)
        pipe.execute()

    def get_run(self, run_id: str) -> AuditRun | None:
        raw = {_text(k): _text(v) for k, v in self._redis.hgetall(_run_key(run_id)).items()}
        if not raw:
            return None
        return AuditRun(
            run_id=run_id,
            where=_conversation(raw),
            user=raw["user"],
            scope=json.loads(raw["scope"]),
            scope_text=raw.get("scope_text", ""),
            correlation_id=raw.get("correlation_id", ""),
            state=raw.get("state", "queued"),
            parent_ts=raw.get("parent_ts", ""),
            parts_total=int(raw.get("parts_total", "0") or 0),
            accounts=int(raw.get("accounts", "0") or 0),
            regions=int(raw.get("regions", "0") or 0),
            started=float(raw.get("started", "0") or 0),
            problem=raw.get("problem", ""),
            part_failures=raw.get("part_failures", ""),
        )

    def update_run(self, run_id: str, **fields: str | int | float) -> None:
        mapping: dict[str | bytes, str | bytes] = {k: str(v) for k, v in fields.items()}
        self._redis.hset(_run_key(run_id), mapping=mapping)  # type: ignore[arg-type]

    def note_part_failure(self, run_id: str, reason: str) -> None:
        """Keep the first reason and a count; the summary shows both."""
        key = _run_key(run_id)
        pipe = self._redis.pipeline()
        pipe.hsetnx(key, "part_failures", reason)
        pipe.hincrby(key, "part_failure_count", 1)
        pipe.execute()

    def part_failure_count(self, run_id: str) -> int:
        return int(self._redis.hget(_run_key(run_id), "part_failure_count") or 0)

    def claim_parent(self, run_id: str, ts: str) -> bool:
        """Record the parent message once; False when another attempt already posted one."""
        return bool(self._redis.hsetnx(_run_key(run_id), "parent_ts", ts))

    def claim_finish(self, run_id: str) -> bool:
        """True for exactly one caller: the one that publishes the results."""
        return bool(self._redis.hsetnx(_run_key(run_id), "finished_by", "1"))

    def _store_findings(
        self, run_id: str, name: str, findings: Iterable[Finding], set_name: str
    ) -> int:
        """Write one named batch of findings and add it to a set; returns the set's size."""
        payload = json.dumps([f.model_dump(mode="json") for f in findings])
        set_key = f"{_run_key(run_id)}:{set_name}"
        pipe = self._redis.pipeline()
        pipe.set(f"{_run_key(run_id)}:part:{name}", payload, ex=RUN_TTL_SECONDS)
        pipe.sadd(set_key, name)
        pipe.expire(set_key, RUN_TTL_SECONDS)
        pipe.scard(set_key)
        return int(pipe.execute()[-1])

    def save_part(self, run_id: str, part: str, findings: Iterable[Finding]) -> int:
        """Store a part's findings and mark it done; returns how many parts are done."""
        return self._store_findings(run_id, part, findings, "parts")

    def save_extra(self, run_id: str, name: str, findings: Iterable[Finding]) -> None:
        """Findings that belong to no part (e.g. accounts that could not be reached)."""
        self._store_findings(run_id, name, findings, "extras")

    def parts_done(self, run_id: str) -> int:
        return int(self._redis.scard(f"{_run_key(run_id)}:parts"))

    def load_findings(self, run_id: str) -> list[Finding]:
        members = self._redis.sunion([f"{_run_key(run_id)}:parts", f"{_run_key(run_id)}:extras"])
        parts = sorted(_text(p) for p in members)
        findings: list[Finding] = []
        for part in parts:
            raw = self._redis.get(f"{_run_key(run_id)}:part:{part}")
            if raw:
                findings.extend(Finding.model_validate(item) for item in json.loads(raw))
        return findings

    def save_finding_refs(self, refs: dict[str, Finding]) -> None:
        pipe = self._redis.pipeline()
        for finding_id, finding in refs.items():
            pipe.set(f"cw:finding:{finding_id}", finding.model_dump_json(), ex=RUN_TTL_SECONDS)
        pipe.execute()

    def get_finding(self, finding_id: str) -> Finding | None:
        raw = self._redis.get(f"cw:finding:{finding_id}")
        return Finding.model_validate_json(raw) if raw else None
