"""Rebuilds in Redis: ids, names, phases and the create call's parameters; never a secret.

    cw:rebuild:<id>                                   string  the Rebuild as JSON
    cw:rebuild:active:<account>:<region>:<source>     string  id of the source's live rebuild

Changes are compare-and-set on the rebuild's `version`, so two runners of the same step
cannot both record progress: the loser sees `False` and stops.
"""

from __future__ import annotations

import redis

from posture.rebuilds import FINAL, Rebuild

RETENTION_SECONDS = 90 * 24 * 3600


def _key(rebuild_id: str) -> str:
    return f"cw:rebuild:{rebuild_id}"


def active_key(account: str, region: str, source_id: str) -> str:
    return f"cw:rebuild:active:{account}:{region}:{source_id}"


def _text(raw: bytes | str | None) -> str | None:
    return raw.decode() if isinstance(raw, bytes) else raw


class RebuildStore:
    def __init__(self, connection: redis.Redis) -> None:
        self._redis = connection

    def create(self, rebuild: Rebuild) -> str | None:
        """Store a new rebuild; returns the id of the source's other live rebuild, if any."""
        claim = active_key(rebuild.account, rebuild.region, rebuild.source_id)
        if not self._redis.set(claim, rebuild.rebuild_id, nx=True, ex=RETENTION_SECONDS):
            holder = _text(self._redis.get(claim)) or ""
            if holder != rebuild.rebuild_id:
                return holder
        self._redis.set(_key(rebuild.rebuild_id), rebuild.model_dump_json(), ex=RETENTION_SECONDS)
        return None

    def get(self, rebuild_id: str) -> Rebuild | None:
        raw = _text(self._redis.get(_key(rebuild_id)))
        return Rebuild.model_validate_json(raw) if raw else None

    def replace(self, old: Rebuild, new: Rebuild) -> bool:
        """Store `new` only if the stored rebuild is still `old` (same version)."""
        key = _key(old.rebuild_id)
        with self._redis.pipeline() as pipe:
            try:
                pipe.watch(key)  # type: ignore[no-untyped-call]
                raw = _text(pipe.get(key))
                if raw is None or Rebuild.model_validate_json(raw).version != old.version:
                    return False
                pipe.multi()
                pipe.set(key, new.model_dump_json(), ex=RETENTION_SECONDS)
                if new.phase in FINAL:
                    pipe.delete(active_key(new.account, new.region, new.source_id))
                pipe.execute()
            except redis.WatchError:
                return False
        return True
