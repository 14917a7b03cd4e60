"""Finding history in Redis: every recorded scan, and first/last seen per (rule, resource).

Keys (scans and their indexes are pruned after `retention_days`, default 90):
    cw:hist:ids                 hash    finding key text -> small integer id
    cw:hist:state               hash    id -> "severity|first|last|opened|resolved|reopens|key"
    cw:hist:next_id             string  id counter
    cw:hist:scan:<scan_id>      hash    when, scope, who, counts, packed open ids
    cw:hist:scope:<scope_key>   zset    scan ids of one scope by time (deltas compare within it)
    cw:hist:scans               zset    every scan id by time (recent list, pruning)
    cw:hist:user:<user>         list    the user's latest scan ids
    cw:digest:baseline:<chan>   string  the scan the channel's last digest reported
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import redis

from commands.scope import Scope
from posture.digest import Baseline
from posture.findings import Finding
from posture.history import (
    FindingKey,
    KeyHistory,
    PreviousScan,
    ScanDelta,
    ScanObservation,
    advance,
    classify,
    key_text,
    observe,
)
from posture.messages import SeverityCounts
from workers.audit.history_codec import (
    CorruptRecord,
    decode_counts,
    decode_state,
    encode_counts,
    encode_state,
    pack_ids,
    unpack_ids,
)
from workers.audit.store import AuditRun

log = logging.getLogger(__name__)
DEFAULT_RETENTION_DAYS = 90
USER_SCANS_KEPT = 20
_IDS, _STATE, _NEXT = "cw:hist:ids", "cw:hist:state", "cw:hist:next_id"
_SCANS, _LOCK, _PRUNED = "cw:hist:scans", "cw:hist:lock", "cw:hist:pruned"


def scope_key_for(canonical_scope: str) -> str:
    """A short stable key for a scope's canonical text."""
    return hashlib.sha256(canonical_scope.encode()).hexdigest()[:16]


def _text(value: object) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass(frozen=True)
class ScanMeta:
    """What the caller knows about a scan besides its findings."""

    scope_key: str
    scope_text: str
    channel: str = ""
    user: str = ""
    run_id: str = ""
    source: str = "audit"  # "audit", "digest" or "cli"


@dataclass(frozen=True)
class StoredScan:
    scan_id: str
    at: datetime
    meta: ScanMeta
    failing: SeverityCounts
    passing: SeverityCounts
    open_keys: frozenset[FindingKey] = frozenset()

    def as_baseline(self) -> Baseline:
        return Baseline(
            scan=PreviousScan(at=self.at, open_keys=self.open_keys),
            failing=self.failing,
            passing=self.passing,
        )


@dataclass(frozen=True)
class RecordedScan:
    scan: StoredScan
    observation: ScanObservation
    delta: ScanDelta
    previous: StoredScan | None
    states: dict[FindingKey, KeyHistory] = field(default_factory=dict)


class HistoryStore:
    def __init__(
        self, connection: redis.Redis, *, retention_days: int = DEFAULT_RETENTION_DAYS
    ) -> None:
        self._redis = connection
        self.retention = timedelta(days=retention_days)

    @property
    def connection(self) -> redis.Redis:
        return self._redis

    # reading ---------------------------------------------------------------------------
    def states(self, keys: Iterable[FindingKey]) -> dict[FindingKey, KeyHistory]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        ids = self._redis.hmget(_IDS, [key_text(k) for k in wanted])
        known = [_text(i) for i in ids if i]
        if not known:
            return {}
        found: dict[FindingKey, KeyHistory] = {}
        for raw in self._redis.hmget(_STATE, known):
            if raw:
                key, state = decode_state(_text(raw))
                found[key] = state
        return found

    def get_scan(self, scan_id: str, *, with_keys: bool = True) -> StoredScan | None:
        return self._scan_with_states(scan_id, with_keys=with_keys)[0]

    def _scan_with_states(
        self, scan_id: str, *, with_keys: bool = True
    ) -> tuple[StoredScan | None, dict[FindingKey, KeyHistory]]:
        """A stored scan and the current histories of its open keys (read once)."""
        raw = self._redis.hgetall(f"cw:hist:scan:{scan_id}")
        if not raw:
            return None, {}
        fields = {_text(k): v for k, v in raw.items()}
        states = self._open_states(fields.get("open", b"")) if with_keys else {}
        meta = ScanMeta(
            scope_key=_text(fields.get("scope_key")),
            scope_text=_text(fields.get("scope")),
            channel=_text(fields.get("channel")),
            user=_text(fields.get("user")),
            run_id=_text(fields.get("run_id")),
            source=_text(fields.get("source")) or "audit",
        )
        scan = StoredScan(
            scan_id=scan_id,
            at=datetime.fromtimestamp(float(_text(fields.get("at")) or 0), UTC),
            meta=meta,
            failing=decode_counts(_text(fields.get("fail"))),
            passing=decode_counts(_text(fields.get("pass"))),
            open_keys=frozenset(states),
        )
        return scan, states

    def _open_states(self, packed: bytes | str) -> dict[FindingKey, KeyHistory]:
        data = packed.encode() if isinstance(packed, str) else packed
        ids = [str(i) for i in unpack_ids(data)] if data else []
        found: dict[FindingKey, KeyHistory] = {}
        for raw in self._redis.hmget(_STATE, ids) if ids else []:
            if raw:
                key, state = decode_state(_text(raw))
                found[key] = state
        return found

    def latest_scan(self, scope: str, *, exclude: str = "") -> StoredScan | None:
        """The newest scan of a scope (other than `exclude`), with its open keys."""
        return self._latest_with_states(scope, exclude=exclude)[0]

    def _latest_with_states(
        self, scope: str, *, exclude: str = ""
    ) -> tuple[StoredScan | None, dict[FindingKey, KeyHistory]]:
        for raw in self._redis.zrevrange(f"cw:hist:scope:{scope}", 0, 1):
            scan_id = _text(raw)
            if scan_id != exclude:
                return self._scan_with_states(scan_id)
        return None, {}

    def trend(self, scope: str, since: datetime) -> list[tuple[datetime, SeverityCounts]]:
        ids = self._redis.zrangebyscore(f"cw:hist:scope:{scope}", since.timestamp(), "+inf")
        pipe = self._redis.pipeline()
        for raw in ids:
            pipe.hmget(f"cw:hist:scan:{_text(raw)}", ["at", "fail"])
        points = []
        for at, fail in pipe.execute():
            if at:
                points.append(
                    (datetime.fromtimestamp(float(_text(at)), UTC), decode_counts(_text(fail)))
                )
        return points

    def recent_scans(self, limit: int = 10, *, user: str | None = None) -> list[StoredScan]:
        if user:
            ids = [_text(i) for i in self._redis.lrange(f"cw:hist:user:{user}", 0, limit - 1)]
        else:
            ids = [_text(i) for i in self._redis.zrevrange(_SCANS, 0, limit - 1)]
        found = (self.get_scan(scan_id, with_keys=False) for scan_id in ids)
        return [scan for scan in found if scan is not None]

    def digest_baseline(self, channel: str) -> str | None:
        raw = self._redis.get(f"cw:digest:baseline:{channel}")
        return _text(raw) or None

    def set_digest_baseline(self, channel: str, scan_id: str) -> None:
        self._redis.set(f"cw:digest:baseline:{channel}", scan_id, ex=self._ttl_seconds())

    # writing ---------------------------------------------------------------------------
    def key_lock(self) -> Any:
        """The lock `record_scan` holds: alerts read, compare and write key states under it."""
        return self._redis.lock(_LOCK, timeout=120, blocking_timeout=120)

    def write_states(self, updated: Mapping[FindingKey, KeyHistory]) -> None:
        """Store key histories outside a scan (real-time alerts); call under `key_lock()`."""
        if not updated:
            return
        ids = self._intern(updated)
        self._redis.hset(_STATE, mapping={ids[k]: encode_state(k, s) for k, s in updated.items()})

    def record_scan(
        self, findings: Iterable[Finding], meta: ScanMeta, at: datetime
    ) -> RecordedScan:
        """Store one scan and advance every key it touched; serialised so deltas stay exact."""
        observation = observe(findings, at)
        with self._redis.lock(_LOCK, timeout=120, blocking_timeout=120):
            previous, states = self._latest_with_states(meta.scope_key)
            states.update(self.states(k for k in observation.failing if k not in states))
            first_seen = {k: s.first_seen for k, s in states.items()}
            baseline = previous.as_baseline().scan if previous else None
            delta = classify(baseline, observation, first_seen)
            changes = advance(states, observation, delta).updated
            ids = self._intern([*changes, *delta.open_keys])
            scan_id = f"{int(at.timestamp())}-{uuid.uuid4().hex[:8]}"
            self._write(scan_id, meta, observation, delta, ids, changes)
            if self._redis.set(_PRUNED, "1", nx=True, ex=86400):  # at most daily
                self._prune_unlocked(at)
        stored = StoredScan(
            scan_id=scan_id,
            at=at,
            meta=meta,
            failing=observation.failing_counts,
            passing=observation.passing,
            open_keys=delta.open_keys,
        )
        return RecordedScan(stored, observation, delta, previous, {**states, **changes})

    def _intern(self, keys: Iterable[FindingKey]) -> dict[FindingKey, str]:
        wanted = list(dict.fromkeys(keys))
        texts = [key_text(k) for k in wanted]
        existing = self._redis.hmget(_IDS, texts) if texts else []
        ids = {k: _text(i) for k, i in zip(wanted, existing, strict=True) if i}
        missing = [k for k in wanted if k not in ids]
        if missing:
            last = int(self._redis.incrby(_NEXT, len(missing)))
            fresh = {k: str(last - len(missing) + 1 + n) for n, k in enumerate(missing)}
            self._redis.hset(_IDS, mapping={key_text(k): i for k, i in fresh.items()})
            ids.update(fresh)
        return ids

    def _write(
        self,
        scan_id: str,
        meta: ScanMeta,
        observation: ScanObservation,
        delta: ScanDelta,
        ids: dict[FindingKey, str],
        changes: dict[FindingKey, KeyHistory],
    ) -> None:
        ttl = self._ttl_seconds()
        at = observation.at.timestamp()
        pipe = self._redis.pipeline()
        if changes:
            pipe.hset(_STATE, mapping={ids[k]: encode_state(k, s) for k, s in changes.items()})
        scan_key = f"cw:hist:scan:{scan_id}"
        fields: dict[str, str | bytes] = {
            "at": str(at),
            "scope_key": meta.scope_key,
            "scope": meta.scope_text,
            "channel": meta.channel,
            "user": meta.user,
            "run_id": meta.run_id,
            "source": meta.source,
            "fail": encode_counts(observation.failing_counts),
            "pass": encode_counts(observation.passing),
            "open": pack_ids(int(ids[k]) for k in delta.open_keys),
        }
        pipe.hset(scan_key, mapping=fields)  # type: ignore[arg-type]
        pipe.expire(scan_key, ttl)
        pipe.zadd(f"cw:hist:scope:{meta.scope_key}", {scan_id: at})
        pipe.expire(f"cw:hist:scope:{meta.scope_key}", ttl)
        pipe.zadd(_SCANS, {scan_id: at})
        if meta.user:
            pipe.lpush(f"cw:hist:user:{meta.user}", scan_id)
            pipe.ltrim(f"cw:hist:user:{meta.user}", 0, USER_SCANS_KEPT - 1)
            pipe.expire(f"cw:hist:user:{meta.user}", ttl)
        pipe.execute()

    def _ttl_seconds(self) -> int:
        return int(self.retention.total_seconds()) + 86400

    # retention -------------------------------------------------------------------------
    def prune(self, now: datetime) -> int:
        """Forget scans older than the retention, and keys not seen failing since."""
        with self._redis.lock(_LOCK, timeout=120, blocking_timeout=120):
            return self._prune_unlocked(now)

    def _prune_unlocked(self, now: datetime) -> int:
        cutoff = (now - self.retention).timestamp()
        old = [_text(i) for i in self._redis.zrangebyscore(_SCANS, "-inf", f"({cutoff}")]
        pipe = self._redis.pipeline()
        for scan_id in old:
            scope = _text(self._redis.hget(f"cw:hist:scan:{scan_id}", "scope_key"))
            pipe.delete(f"cw:hist:scan:{scan_id}")
            pipe.zrem(_SCANS, scan_id)
            if scope:
                pipe.zrem(f"cw:hist:scope:{scope}", scan_id)
        pipe.execute()
        return len(old) + self._prune_keys(cutoff)

    def _prune_keys(self, cutoff: float) -> int:
        stale: list[tuple[str, str]] = []
        for raw_id, raw in self._redis.hscan_iter(_STATE, count=1000):
            try:
                key, state = decode_state(_text(raw))
            except CorruptRecord:
                log.warning("dropping unreadable history entry", extra={"id": _text(raw_id)})
                stale.append((_text(raw_id), ""))
                continue
            if state.last_seen.timestamp() < cutoff:
                stale.append((_text(raw_id), key_text(key)))
        if stale:
            pipe = self._redis.pipeline()
            pipe.hdel(_STATE, *[i for i, _ in stale])
            texts = [t for _, t in stale if t]
            if texts:
                pipe.hdel(_IDS, *texts)
            pipe.execute()
        return len(stale)


def record_audit_history(
    connection: redis.Redis,
    run: AuditRun,
    findings: Iterable[Finding],
    *,
    at: datetime,
    retention_days: int = DEFAULT_RETENTION_DAYS,
) -> str | None:
    """Record a published audit in history; a failure is logged, never raised (the audit is done)."""
    scope = Scope.model_validate(run.scope)
    meta = ScanMeta(
        scope_key=scope_key_for(scope.canonical()),
        scope_text=run.scope_text or scope.describe(),
        channel=run.channel,
        user=run.user,
        run_id=run.run_id,
        source="audit",
    )
    try:
        return (
            HistoryStore(connection, retention_days=retention_days)
            .record_scan(findings, meta, at)
            .scan.scan_id
        )
    except (redis.RedisError, CorruptRecord, ValueError):
        log.exception("could not record the audit in history", extra={"run_id": run.run_id})
        return None
