"""What a serverless rebuild needs from the fake (moto 5.2.5 has no serverless snapshots or
restores, see moto.md): snapshots and restores that take time, and a final snapshot on delete.

- CreateServerlessCacheSnapshot needs an `available` cache and answers `creating`; the
  snapshot reads `available` after `modify_delay_describes` DescribeServerlessCacheSnapshots.
- CreateServerlessCache with `SnapshotArnsToRestore` needs `available` snapshots of the same
  engine (Redis OSS and Valkey restore into each other); the new cache is `creating` for the
  same number of DescribeServerlessCaches. The create call's KMS key, subnets, security
  groups and limits are the new cache's, not the snapshot's.
- DeleteServerlessCache refuses a cache that is not `available` or `create-failed`; with
  `FinalSnapshotName` it keeps a manual snapshot first.
- DeleteServerlessCacheSnapshot refuses a snapshot that is still `creating`.
Injected failures (`inject_fault`) apply to each of these calls like to any other.

AWS's guide says no other API call runs on a serverless cache during its backup; the fake
models that for the calls a rebuild makes (a snapshot and a delete need `available`).
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups.html
https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-restoring.html
https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateServerlessCacheSnapshot.html
https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateServerlessCache.html
https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_DeleteServerlessCache.html
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from sandbox.fake_aws.elasticache import serverless, serverless_backups
from sandbox.fake_aws.elasticache.context import params_of, store_for, tag
from sandbox.fake_aws.elasticache.errors import ElastiCacheError, invalid_value
from sandbox.fake_aws.elasticache.render_other import render_serverless
from sandbox.fake_aws.elasticache.store import ElastiCacheStore
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult

DELETABLE = ("available", "create-failed")


def _tick(store: ElastiCacheStore) -> None:
    for cache in store.serverless_caches.values():
        if cache.status == "creating":
            if cache.describes_left <= 0:
                cache.status = "available"
            else:
                cache.describes_left -= 1
    for name, left in list(store.serverless_snapshot_waits.items()):
        snapshot = store.serverless_snapshots.get(name)
        if snapshot is None:
            del store.serverless_snapshot_waits[name]
        elif left <= 0:
            snapshot["Status"] = "available"
            del store.serverless_snapshot_waits[name]
        else:
            store.serverless_snapshot_waits[name] = left - 1


def _check_cache_state(store: ElastiCacheStore, name: str, allowed: tuple[str, ...]) -> None:
    cache = serverless.find_serverless(store, name)
    if cache.status not in allowed:
        raise ElastiCacheError(
            "InvalidServerlessCacheStateFault", f"Serverless cache {name} is {cache.status}."
        )


def create_serverless_cache_snapshot(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        _check_cache_state(store, params["ServerlessCacheName"], ("available",))
        serverless_backups.create_serverless_cache_snapshot(response)
        name = params["ServerlessCacheSnapshotName"]
        store.serverless_snapshots[name]["Status"] = "creating"
        store.serverless_snapshot_waits[name] = store.settings.modify_delay_describes
        return QueryXmlResult({"ServerlessCacheSnapshot": dict(store.serverless_snapshots[name])})


def describe_serverless_cache_snapshots(response: Any) -> ActionResult:
    store = store_for(response)
    with store.lock:
        _tick(store)
    return serverless_backups.describe_serverless_cache_snapshots(response)


def delete_serverless_cache_snapshot(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        snapshot = store.serverless_snapshots.get(params["ServerlessCacheSnapshotName"])
        if snapshot is not None and snapshot["Status"] == "creating":
            raise ElastiCacheError(
                "InvalidServerlessCacheSnapshotStateFault",
                f"Snapshot {snapshot['ServerlessCacheSnapshotName']} is creating.",
            )
        return serverless_backups.delete_serverless_cache_snapshot(response)


def _check_restore(store: ElastiCacheStore, arns: list[str], engine: str) -> None:
    by_arn = {snapshot["ARN"]: snapshot for snapshot in store.serverless_snapshots.values()}
    for arn in arns:
        snapshot = by_arn.get(arn)
        if snapshot is None:
            raise invalid_value(f"Snapshot {arn} not found.")
        if snapshot["Status"] != "available":
            raise invalid_value(f"Snapshot {arn} is {snapshot['Status']}, not available.")
        source_engine = snapshot["ServerlessCacheConfiguration"]["Engine"]
        if source_engine != engine and {source_engine, engine} != {"redis", "valkey"}:
            raise ElastiCacheError("InvalidParameterCombination", "Snapshot engine does not match.")


def create_serverless_cache(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    arns = list(params.get("SnapshotArnsToRestore") or [])
    if not arns:
        return serverless.create_serverless_cache(response)
    with store.lock:
        _check_restore(store, arns, (params.get("Engine") or "").lower())
        cache = serverless.build_serverless(store, params)
        cache.status = "creating"
        cache.describes_left = store.settings.modify_delay_describes
        store.serverless_caches[cache.serverless_cache_name] = cache
        tag(store, cache.arn, params.get("Tags"))
        return QueryXmlResult({"ServerlessCache": render_serverless(store, cache)})


def describe_serverless_caches(response: Any) -> ActionResult:
    store = store_for(response)
    with store.lock:
        _tick(store)
    return serverless.describe_serverless_caches(response)


def delete_serverless_cache(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    name, final = params["ServerlessCacheName"], params.get("FinalSnapshotName")
    with store.lock:
        _check_cache_state(store, name, DELETABLE)
        if final:
            if final in store.serverless_snapshots:
                raise ElastiCacheError(
                    "ServerlessCacheSnapshotAlreadyExistsFault", f"Snapshot {final} already exists."
                )
            cache = serverless.find_serverless(store, name)
            store.serverless_snapshots[final] = {
                "ServerlessCacheSnapshotName": final,
                "ARN": store.arn("serverlesscachesnapshot", final),
                **({"KmsKeyId": cache.kms_key_id} if cache.kms_key_id else {}),
                "SnapshotType": "manual",
                "Status": "available",
                "CreateTime": utcnow(),
                "BytesUsedForCache": "0",
                "ServerlessCacheConfiguration": {
                    "ServerlessCacheName": name,
                    "Engine": cache.engine,
                    "MajorEngineVersion": cache.major_engine_version,
                },
            }
        return serverless.delete_serverless_cache(response)
