"""Read and seed the fake's state directly (the fake AWS legitimately knows AUTH tokens).

Used by the `/_fake/` endpoints and by the fleet generator for what the API can't set:
an AUTH token last changed months ago, a reserved node whose payment failed.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from sandbox.fake_aws.elasticache.errors import invalid_value
from sandbox.fake_aws.elasticache.records import CacheClusterRecord, ReplicationGroupRecord
from sandbox.fake_aws.elasticache.render_groups import members_of
from sandbox.fake_aws.elasticache.render_other import render_reserved_node
from sandbox.fake_aws.elasticache.reserved import ONE_YEAR, offering_for, seed_reserved_node
from sandbox.fake_aws.elasticache.store import ElastiCacheStore, store_of

PATCHABLE = {
    "auth_token_last_modified_date",
    "create_time",
    "status",
    "auth_tokens",
    "last_rotated_token",
    "global_replication_group_info",
}


def store_at(account: str, region: str) -> ElastiCacheStore:
    from moto.elasticache.models import elasticache_backends

    return store_of(elasticache_backends[account][region])


def _record(
    store: ElastiCacheStore, resource_id: str
) -> ReplicationGroupRecord | CacheClusterRecord | None:
    return store.replication_groups.get(resource_id) or store.cache_clusters.get(resource_id)


def _state(record: ReplicationGroupRecord | CacheClusterRecord) -> dict[str, Any]:
    state = dataclasses.asdict(record)
    state["auth_token_enabled"] = bool(record.auth_tokens)
    if isinstance(record, ReplicationGroupRecord):
        state["member_clusters"] = [member.cluster_id for member in members_of(record)]
        state["kind"] = "replication-group"
    else:
        state["kind"] = "cache-cluster"
    return state


def group_state(account: str, region: str, resource_id: str) -> dict[str, Any] | None:
    """Everything the fake knows about a replication group (or standalone cluster)."""
    store = store_at(account, region)
    with store.lock:
        record = _record(store, resource_id)
        return _state(record) if record is not None else None


def _parse_time(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def patch_group(
    account: str, region: str, resource_id: str, changes: dict[str, Any]
) -> dict[str, Any] | None:
    unknown = set(changes) - PATCHABLE
    if unknown:
        raise invalid_value(f"Not patchable: {', '.join(sorted(unknown))}.")
    store = store_at(account, region)
    with store.lock:
        record = _record(store, resource_id)
        if record is None:
            return None
        fields = {f.name for f in dataclasses.fields(record)}
        misplaced = set(changes) - fields
        if misplaced:
            raise invalid_value(
                f"Not a field of {type(record).__name__}: {', '.join(sorted(misplaced))}."
            )
        for name, value in changes.items():
            if name in ("auth_token_last_modified_date", "create_time"):
                value = _parse_time(value)
            setattr(record, name, value)
        return _state(record)


def seed_reserved(account: str, region: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Seed one reserved node; `duration` in seconds or years (1 or 3)."""
    duration = int(spec.get("duration", ONE_YEAR))
    offering = offering_for(
        spec["cache_node_type"],
        duration * ONE_YEAR if duration in (1, 3) else duration,
        spec.get("offering_type", "No Upfront"),
        spec.get("product_description", "redis"),
    )
    store = store_at(account, region)
    with store.lock:
        node = seed_reserved_node(
            store,
            offering,
            node_id=spec.get("reserved_cache_node_id"),
            count=int(spec.get("count", 1)),
            start_time=_parse_time(spec.get("start_time")),
            state=spec.get("state", "active"),
        )
        return render_reserved_node(node)
