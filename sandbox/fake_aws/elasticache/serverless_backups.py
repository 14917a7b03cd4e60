"""Serverless backups: manual snapshots that, like AWS's, outlive the cache they came from."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.core.utils import utcnow

from sandbox.fake_aws.elasticache.context import params_of, store_for, tag
from sandbox.fake_aws.elasticache.errors import already_exists, invalid_value, not_found
from sandbox.fake_aws.elasticache.paging import page
from sandbox.fake_aws.elasticache.serverless import find_serverless
from sandbox.fake_aws.elasticache.store import ElastiCacheStore
from sandbox.fake_aws.elasticache.xml_result import QueryXmlResult

SNAPSHOT_TYPES = ("automatic", "manual")
MAX_RESULTS = 50  # DescribeServerlessCacheSnapshots pages at most 50


def create_serverless_cache_snapshot(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    name = params["ServerlessCacheSnapshotName"]
    with store.lock:
        if name in store.serverless_snapshots:
            raise already_exists("ServerlessCacheSnapshotAlreadyExistsFault", f"Snapshot {name}")
        cache = find_serverless(store, params["ServerlessCacheName"])
        snapshot = {
            "ServerlessCacheSnapshotName": name,
            "ARN": store.arn("serverlesscachesnapshot", name),
            "KmsKeyId": params.get("KmsKeyId") or cache.kms_key_id,
            "SnapshotType": "manual",
            "Status": "available",
            "CreateTime": utcnow(),
            "BytesUsedForCache": "0",
            "ServerlessCacheConfiguration": {
                "ServerlessCacheName": cache.serverless_cache_name,
                "Engine": cache.engine,
                "MajorEngineVersion": cache.major_engine_version,
            },
        }
        store.serverless_snapshots[name] = {k: v for k, v in snapshot.items() if v is not None}
        tag(store, str(snapshot["ARN"]), params.get("Tags"))
        return QueryXmlResult({"ServerlessCacheSnapshot": dict(store.serverless_snapshots[name])})


def _matching(store: ElastiCacheStore, params: dict[str, Any]) -> list[dict[str, Any]]:
    wanted_type = params.get("SnapshotType")
    if wanted_type and wanted_type not in SNAPSHOT_TYPES:
        raise invalid_value(f"Invalid SnapshotType: {wanted_type}.")
    name = params.get("ServerlessCacheSnapshotName")
    if name and name not in store.serverless_snapshots:
        raise not_found("ServerlessCacheSnapshotNotFoundFault", f"Snapshot {name}")
    source = params.get("ServerlessCacheName")
    return [
        dict(snapshot)
        for snapshot in store.serverless_snapshots.values()
        if (not name or snapshot["ServerlessCacheSnapshotName"] == name)
        and (
            not source or snapshot["ServerlessCacheConfiguration"]["ServerlessCacheName"] == source
        )
        and (not wanted_type or snapshot["SnapshotType"] == wanted_type)
    ]


def describe_serverless_cache_snapshots(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    with store.lock:
        found = _matching(store, params)
    selected, token = page(
        found, params.get("MaxResults"), params.get("NextToken"), lowest=1, highest=MAX_RESULTS
    )
    result: dict[str, Any] = {"ServerlessCacheSnapshots": selected}
    if token:
        result["NextToken"] = token
    return QueryXmlResult(result)


def delete_serverless_cache_snapshot(response: Any) -> ActionResult:
    store, params = store_for(response), params_of(response)
    name = params["ServerlessCacheSnapshotName"]
    with store.lock:
        snapshot = store.serverless_snapshots.pop(name, None)
    if snapshot is None:
        raise not_found("ServerlessCacheSnapshotNotFoundFault", f"Snapshot {name}")
    return QueryXmlResult({"ServerlessCacheSnapshot": {**snapshot, "Status": "deleting"}})
